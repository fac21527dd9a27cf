/**
 * RESP (Redis protocol) API of a ringkv node: `startRespServer` serves a NodeService to redis-cli,
 * ioredis, redis-benchmark and other Redis clients (docs/resp.md).
 */
export { startRespServer, respConnectionsMaxDefault, respInflightPerConnectionMaxDefault, respCloseGraceMs } from './resp-server.js';
export type { RespServer, RespServerOptions, RespLogFn } from './resp-server.js';
export type { RespServerStats } from './resp-context.js';
export { RespParser, respArgsMax, respBufferedBytesMax, respBulkBytesMax, respHeaderBytesMax, respInlineBytesMax } from './resp-parser.js';
export type { RespParseError, RespParseErrorCode, RespRequest } from './resp-parser.js';
export { respCompatibleRedisVersion } from './resp-admin.js';
export { respCommandNames } from './resp-commands.js';
