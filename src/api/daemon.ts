/**
 * A whole ringkv node as `ringkv start` runs it: the runtime (core, sockets, store) plus its HTTP
 * API and RESP server. Order matters: the API listeners bind first (port 0 picks a port), so the
 * node can advertise their real endpoints in its membership metadata when it joins.
 */
import type { RuntimeConfig } from '../runtime/config.js';
import type { Log } from '../runtime/log.js';
import { NodeRuntime } from '../runtime/node-runtime.js';
import type { NodeEndpoints } from '../runtime/service.js';
import { adminRoutes } from './admin-routes.js';
import { composeRoutes, dashboardPublicPaths, dashboardRoutes } from './dashboard/index.js';
import { startHttpServer } from './http/http-server.js';
import type { HttpApiServer } from './http/http-server.js';
import { startRespServer } from './resp/resp-server.js';
import type { RespServer } from './resp/resp-server.js';

export interface Daemon {
  readonly runtime: NodeRuntime;
  readonly http: HttpApiServer | undefined;
  readonly resp: RespServer | undefined;
  /** Gossip address and API endpoints as advertised. */
  readonly gossip: string;
  readonly endpoints: NodeEndpoints;
  /** Graceful stop: leave the cluster (bounded), close the APIs, then the runtime. Idempotent. */
  stop(): Promise<void>;
}

export async function startDaemon(config: RuntimeConfig, log: Log): Promise<Daemon> {
  const runtime = await NodeRuntime.open(config, log);
  let http: HttpApiServer | undefined;
  let resp: RespServer | undefined;
  const apiLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void => log[level](fields ?? {}, msg);
  try {
    if (config.httpPort !== null) {
      // The dashboard (docs/dashboard.md): its static page is public, its data routes take the token.
      const extraRoutes = composeRoutes(dashboardRoutes(runtime, { authToken: config.authToken, log: apiLog }), adminRoutes(runtime));
      http = await startHttpServer({ host: config.apiHost, port: config.httpPort, service: runtime, extraRoutes, publicPaths: dashboardPublicPaths, ...(config.authToken !== undefined && { authToken: config.authToken }), log: apiLog });
    }
    if (config.respPort !== null) {
      resp = await startRespServer({ host: config.apiHost, port: config.respPort, service: runtime, ...(config.authToken !== undefined && { authToken: config.authToken }), log: apiLog });
    }
  } catch (error) {
    await http?.close();
    await runtime.close();
    throw error;
  }
  const endpoints: NodeEndpoints = {
    ...(http !== undefined && { http: hostPort(http.address) }),
    ...(resp !== undefined && { resp: hostPort(resp.address) }),
  };
  runtime.start(endpoints);
  let stopping: Promise<void> | undefined;
  return {
    runtime,
    http,
    resp,
    gossip: runtime.tcp.localAddress,
    endpoints,
    stop() {
      stopping ??= (async () => {
        await runtime.leave();
        await Promise.all([http?.close(), resp?.close()]);
        await runtime.close();
      })();
      return stopping;
    },
  };
}

function hostPort(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
