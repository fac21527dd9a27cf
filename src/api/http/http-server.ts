/**
 * The HTTP/JSON API of a node (docs/http-api.md): key-value operations on /v1/kv/{key} and
 * read-only views of the node, over node:http with keep-alive, bounded headers, bodies and
 * request times. A failing handler answers 500 (HTTP_ERR_INTERNAL) and is logged; bad input never
 * takes the server down.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeService } from '../../runtime/service.js';
import { bearerAuth } from './auth.js';
import { markExpectContinue } from './body.js';
import { HttpError, httpError } from './errors.js';
import { sendError } from './respond.js';
import { route } from './router.js';
import type { ExtraRoutes } from './router.js';

export type { ExtraRoutes } from './router.js';

export type HttpLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface HttpServerOptions {
  readonly host: string;
  /** 0 = an ephemeral port (see `address`). */
  readonly port: number;
  readonly service: NodeService;
  /** When set, every route but /health and /metrics requires `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  /** Consulted for paths no built-in route serves; returns true when it answered. */
  readonly extraRoutes?: ExtraRoutes;
  /**
   * Further exact paths served without a token, besides /health and /metrics (the dashboard's
   * static page, answered by `extraRoutes`). Everything else still requires the token.
   */
  readonly publicPaths?: readonly string[];
  readonly log?: HttpLog;
}

export interface HttpApiServer {
  /** Where the server listens (the bound address: an ephemeral port is resolved). */
  readonly address: { readonly host: string; readonly port: number };
  /** Requests received, and answers with a status >= 400. */
  readonly stats: { readonly requests: number; readonly errors: number };
  /** Stops listening, closes idle and active connections; resolves when closed. Idempotent. */
  close(): Promise<void>;
}

/** Limits of the HTTP layer (bodies are bounded by kvValueBytesMax, src/wire/kv-limits.ts). */
export const httpLimits = {
  /** Largest request head (request line and headers). */
  headerBytesMax: 16 * 1024,
  headersCountMax: 100,
  /** Time to receive the request head. */
  headersTimeoutMs: 10_000,
  /** Time to receive the whole request, body included. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
} as const;

export async function startHttpServer(options: HttpServerOptions): Promise<HttpApiServer> {
  const log: HttpLog = options.log ?? (() => {});
  const stats = { requests: 0, errors: 0 };
  const ctx = { service: options.service, authorized: bearerAuth(options.authToken), extraRoutes: options.extraRoutes, extraPublicPaths: new Set(options.publicPaths ?? []) };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    stats.requests++;
    res.once('finish', () => {
      if (res.statusCode >= 400) stats.errors++;
    });
    route(req, res, ctx).catch((error: unknown) => fail(req, res, error, log));
  };

  const server = createServer(
    {
      keepAlive: true,
      maxHeaderSize: httpLimits.headerBytesMax,
      headersTimeout: httpLimits.headersTimeoutMs,
      requestTimeout: httpLimits.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    handle,
  );
  server.keepAliveTimeout = httpLimits.keepAliveTimeoutMs;
  server.maxHeadersCount = httpLimits.headersCountMax;
  // Expect: 100-continue is answered only when the handler wants the body, so an oversize or
  // unauthorised upload is refused before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    markExpectContinue(req);
    handle(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: Error) => log('warn', 'http server error', { error: error.message }));

  const bound = server.address() as AddressInfo;
  const address = { host: bound.address, port: bound.port };
  log('info', 'http api listening', { host: address.host, port: address.port, auth: options.authToken !== undefined });

  let closing: Promise<void> | undefined;
  return {
    address,
    stats,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function fail(req: IncomingMessage, res: ServerResponse, error: unknown, log: HttpLog): void {
  if (error instanceof HttpError) {
    if (res.headersSent) res.destroy();
    else sendError(req, res, error);
    return;
  }
  log('warn', 'http handler failed', {
    method: req.method,
    url: req.url,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(req, res, httpError('HTTP_ERR_INTERNAL', 'internal error'));
}
