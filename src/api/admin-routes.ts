/**
 * Operator routes beside the public API (mounted through the HTTP server's `extraRoutes`):
 *  - GET /v1/local/kv/{key}: what THIS node stores for the key (value, tombstone or nothing),
 *    without any quorum: to see which replicas hold what after a failure or a repair;
 *  - GET /v1/events?after=N: this node's recent membership and cluster events (bounded feed).
 * The HTTP server checks the API token before it calls extra routes, so nothing is checked here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeRuntime } from '../runtime/node-runtime.js';
import { sendJson } from './http/respond.js';

const localPrefix = '/v1/local/kv/';

export function adminRoutes(runtime: NodeRuntime): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  return (req, res, url) => {
    const isLocal = url.pathname.startsWith(localPrefix);
    if (!isLocal && url.pathname !== '/v1/events') return false;
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: { code: 'HTTP_ERR_METHOD', message: 'only GET' } }, { Allow: 'GET' });
      return true;
    }
    if (!isLocal) {
      const after = Number(url.searchParams.get('after') ?? '0');
      sendJson(res, 200, { events: runtime.events.since(Number.isFinite(after) ? after : 0) });
      return true;
    }
    let key: string;
    try {
      key = decodeURIComponent(url.pathname.slice(localPrefix.length));
    } catch {
      sendJson(res, 400, { error: { code: 'HTTP_ERR_BAD_REQUEST', message: 'malformed percent-encoding in key' } });
      return true;
    }
    const record = runtime.localRecord(key);
    if (record === undefined) {
      sendJson(res, 404, { error: { code: 'KV_ERR_NOT_FOUND', message: `this node stores nothing for ${JSON.stringify(key)}` } });
      return true;
    }
    sendJson(res, 200, {
      key,
      tombstone: record.value === null,
      value: record.value === null ? null : Buffer.from(record.value).toString('base64'),
      encoding: 'base64',
      version: record.version,
    });
    return true;
  };
}
