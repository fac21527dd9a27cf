/**
 * The live dashboard every node serves on its HTTP port (docs/dashboard.md), mounted through the
 * HTTP server's `extraRoutes`:
 *  - GET /, /dashboard.js, /dashboard.css: the page, self-contained (no CDN, no build step);
 *    served WITHOUT a token (`dashboardPublicPaths` go to HttpServerOptions.publicPaths): the
 *    page holds no data and asks for the token itself;
 *  - GET /v1/stats: request counters of this node (the page derives operations per second);
 *  - GET /v1/cluster/info: every member's /v1/info, fetched by this node (server-side fan-out).
 * The data routes sit behind the API token like every other route (the router checks it first).
 * The page also reads /v1/members, /v1/ring and /v1/events (admin-routes.ts).
 */
import type { NodeService } from '../../runtime/service.js';
import { httpError } from '../http/errors.js';
import type { HttpLog } from '../http/http-server.js';
import type { ExtraRoutes } from '../http/router.js';
import { sendBytes, sendJson } from '../http/respond.js';
import { dashboardCss } from './assets/dashboard-css.js';
import { dashboardJs } from './assets/dashboard-js.js';
import { indexHtml } from './assets/index-html.js';
import { clusterInfoProvider } from './cluster-info.js';
import type { ClusterInfoOptions } from './cluster-info.js';
import { statsProvider } from './request-stats.js';

interface Asset {
  readonly contentType: string;
  readonly bytes: Buffer;
}

const assets: ReadonlyMap<string, Asset> = new Map([
  ['/', { contentType: 'text/html; charset=utf-8', bytes: Buffer.from(indexHtml, 'utf8') }],
  ['/dashboard.js', { contentType: 'text/javascript; charset=utf-8', bytes: Buffer.from(dashboardJs, 'utf8') }],
  ['/dashboard.css', { contentType: 'text/css; charset=utf-8', bytes: Buffer.from(dashboardCss, 'utf8') }],
]);

/** The static paths of the page: served without a token. */
export const dashboardPublicPaths: readonly string[] = [...assets.keys()];

/** The page loads only its own script and style and talks only to its own origin. */
const assetHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const methods = ['GET', 'HEAD'];

/** What the dashboard routes need of the node (a NodeRuntime; a fake in tests). */
export type DashboardSource = Pick<NodeService, 'members' | 'info' | 'health' | 'metricsText'>;

export interface DashboardOptions extends ClusterInfoOptions {
  /** Where a failing data route is reported (it answers 500 HTTP_ERR_INTERNAL). */
  readonly log?: HttpLog;
}

export function dashboardRoutes(runtime: DashboardSource, options: DashboardOptions = {}): ExtraRoutes {
  const log: HttpLog = options.log ?? (() => {});
  const stats = statsProvider(runtime);
  const clusterInfo = clusterInfoProvider(runtime, options);
  const data = new Map<string, () => Promise<unknown>>([
    ['/v1/stats', stats],
    ['/v1/cluster/info', clusterInfo],
  ]);
  return (req, res, url) => {
    const asset = assets.get(url.pathname);
    const producer = data.get(url.pathname);
    if (asset === undefined && producer === undefined) return false;
    const method = req.method ?? '';
    if (!methods.includes(method)) throw httpError('HTTP_ERR_METHOD', `${method} not allowed on ${url.pathname}`, { allow: methods.join(', ') });
    if (asset !== undefined) {
      sendBytes(res, 200, asset.contentType, asset.bytes, assetHeaders);
      return true;
    }
    producer!().then(
      (body) => sendJson(res, 200, body),
      (error: unknown) => {
        log('warn', 'dashboard route failed', { url: req.url, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        sendJson(res, 500, httpError('HTTP_ERR_INTERNAL', 'internal error').body());
      },
    );
    return true;
  };
}
