/**
 * Routing: authentication first (every path but /health, /metrics and the embedder's public paths
 * when a token is set), then /v1/kv/{key}, the read-only views, the embedder's extra routes, and
 * finally 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeService } from '../../runtime/service.js';
import { publicPaths } from './auth.js';
import { httpError } from './errors.js';
import { handleKv } from './kv-handler.js';
import { isKvPath, parseTarget } from './target.js';
import { viewMethods, viewRoutes } from './view-handlers.js';

/** Returns true when it answered the request (the dashboard plugs in here). */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

export interface RouteContext {
  readonly service: NodeService;
  readonly authorized: (req: IncomingMessage) => boolean;
  readonly extraRoutes?: ExtraRoutes | undefined;
  /** Exact paths the embedder serves without a token (HttpServerOptions.publicPaths). */
  readonly extraPublicPaths?: ReadonlySet<string>;
}

export async function route(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const target = parseTarget(req.url ?? '/');
  const isPublic = publicPaths.has(target.path) || ctx.extraPublicPaths?.has(target.path) === true;
  if (!isPublic && !ctx.authorized(req)) {
    throw httpError('HTTP_ERR_UNAUTHORIZED', 'missing or wrong bearer token (Authorization: Bearer <token>)', {
      'www-authenticate': 'Bearer realm="ringkv"',
    });
  }
  if (isKvPath(target.path)) return handleKv(req, res, target, ctx.service);
  const view = viewRoutes.get(target.path);
  if (view !== undefined) {
    const method = req.method ?? '';
    if (!viewMethods.includes(method)) {
      throw httpError('HTTP_ERR_METHOD', `${method} not allowed on ${target.path}`, { allow: viewMethods.join(', ') });
    }
    return view(res, target, ctx.service);
  }
  if (ctx.extraRoutes !== undefined) {
    let url: URL;
    try {
      url = new URL(target.path + (target.search === '' ? '' : '?' + target.search), 'http://localhost');
    } catch {
      throw httpError('HTTP_ERR_BAD_REQUEST', 'malformed request target');
    }
    if (ctx.extraRoutes(req, res, url)) return;
  }
  throw httpError('HTTP_ERR_NOT_FOUND', `no route for ${target.path}`);
}
