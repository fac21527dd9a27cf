/**
 * Operator routes beside the public API (mounted through the HTTP server's `extraRoutes`):
 *  - GET /v1/local/kv/{key}: what THIS node stores for the key (value, tombstone or nothing),
 *    without any quorum: to see which replicas hold what after a failure or a repair;
 *  - GET /v1/events?after=N: this node's recent membership and cluster events (bounded feed).
 * Auth follows the API's token (checked here the same way).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeRuntime } from '../runtime/node-runtime.js';

const localPrefix = '/v1/local/kv/';

export function adminRoutes(runtime: NodeRuntime, authToken: string | undefined): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  return (req, res, url) => {
    const isLocal = url.pathname.startsWith(localPrefix);
    if (!isLocal && url.pathname !== '/v1/events') return false;
    if (req.method !== 'GET') {
      send(res, 405, { error: { code: 'HTTP_ERR_METHOD', message: 'only GET' } }, { Allow: 'GET' });
      return true;
    }
    if (!authorized(req, authToken)) {
      send(res, 401, { error: { code: 'HTTP_ERR_UNAUTHORIZED', message: 'missing or wrong bearer token' } });
      return true;
    }
    if (!isLocal) {
      const after = Number(url.searchParams.get('after') ?? '0');
      send(res, 200, { events: runtime.events.since(Number.isFinite(after) ? after : 0) });
      return true;
    }
    let key: string;
    try {
      key = decodeURIComponent(url.pathname.slice(localPrefix.length));
    } catch {
      send(res, 400, { error: { code: 'HTTP_ERR_BAD_REQUEST', message: 'malformed percent-encoding in key' } });
      return true;
    }
    const record = runtime.localRecord(key);
    if (record === undefined) {
      send(res, 404, { error: { code: 'KV_ERR_NOT_FOUND', message: `this node stores nothing for ${JSON.stringify(key)}` } });
      return true;
    }
    send(res, 200, {
      key,
      tombstone: record.value === null,
      value: record.value === null ? null : Buffer.from(record.value).toString('base64'),
      encoding: 'base64',
      version: record.version,
    });
    return true;
  };
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
