/** The HTTP/JSON API server (docs/http-api.md). */
export { startHttpServer, httpLimits } from './http-server.js';
export type { ExtraRoutes, HttpApiServer, HttpLog, HttpServerOptions } from './http-server.js';
export { httpErrorStatus, kvErrorStatus } from './errors.js';
