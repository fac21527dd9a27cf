/**
 * A node's API endpoints travel in its membership metadata (at most `metaBytesMax` bytes), so
 * every node (and the dashboard, `ringkv members`, the client) can list where every other node
 * serves HTTP and RESP. The format is a tiny JSON object `{"h":"host:port","r":"host:port"}`:
 * readable in a packet capture and forward compatible (unknown fields are ignored).
 */
import { metaBytesMax } from '../wire/limits.js';
import type { NodeEndpoints } from './service.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeEndpoints(endpoints: NodeEndpoints): Uint8Array {
  const json: Record<string, string> = {};
  if (endpoints.http !== undefined) json['h'] = endpoints.http;
  if (endpoints.resp !== undefined) json['r'] = endpoints.resp;
  const bytes = encoder.encode(JSON.stringify(json));
  if (bytes.length > metaBytesMax) throw new RangeError(`endpoints take ${bytes.length} bytes of metadata, limit ${metaBytesMax}`);
  return bytes;
}

/** Decodes what `encodeEndpoints` wrote; anything else (another version, garbage) gives {}. */
export function decodeEndpoints(meta: Uint8Array): NodeEndpoints {
  if (meta.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(decoder.decode(meta));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const o = parsed as Record<string, unknown>;
    return {
      ...(typeof o['h'] === 'string' && { http: o['h'] }),
      ...(typeof o['r'] === 'string' && { resp: o['r'] }),
    };
  } catch {
    return {};
  }
}
