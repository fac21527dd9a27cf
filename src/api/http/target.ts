/**
 * The request target, read from the raw `req.url` rather than through the URL class: the URL
 * class resolves dot segments ("/v1/kv/a/../b") and would silently change keys. The key is
 * everything after /v1/kv/, percent-decoded, slashes included.
 */
import { kvKeyBytesMax } from '../../wire/kv-limits.js';
import { consistencyLevels, kvPathPrefix } from '../../client/http-protocol.js';
import type { Consistency } from '../../client/http-protocol.js';
import { httpError } from './errors.js';

export interface Target {
  /** The raw path, still percent-encoded. */
  readonly path: string;
  /** The raw query string, without "?" ("" when absent). */
  readonly search: string;
  readonly query: URLSearchParams;
}

export function parseTarget(rawUrl: string): Target {
  let url = rawUrl;
  if (!url.startsWith('/')) {
    // absolute-form ("GET http://host/path"), which HTTP/1.1 servers must accept.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url);
    if (m === null) throw httpError('HTTP_ERR_BAD_REQUEST', 'request target must be a path');
    url = m[1]!.startsWith('/') ? m[1]! : '/' + m[1]!;
  }
  const hash = url.indexOf('#');
  if (hash >= 0) url = url.slice(0, hash);
  const q = url.indexOf('?');
  const search = q < 0 ? '' : url.slice(q + 1);
  return { path: q < 0 ? url : url.slice(0, q), search, query: new URLSearchParams(search) };
}

/** True for /v1/kv, /v1/kv/ and /v1/kv/{key}. */
export function isKvPath(path: string): boolean {
  return path === kvPathPrefix.slice(0, -1) || path.startsWith(kvPathPrefix);
}

/**
 * The key of a /v1/kv request: the percent-decoded rest of the path, or, on /v1/kv itself, the
 * `key` query parameter (for the keys "." and "..", which URL libraries resolve away as dot
 * segments). Non-empty, valid percent-encoding of UTF-8, at most kvKeyBytesMax bytes.
 */
export function kvKey(target: Target): string {
  const encoded = target.path.slice(kvPathPrefix.length);
  const param = target.query.get('key');
  let key: string;
  if (param !== null) {
    if (encoded !== '') throw httpError('HTTP_ERR_BAD_REQUEST', 'name the key in the path or in ?key=, not both');
    key = param;
  } else {
    try {
      key = decodeURIComponent(encoded);
    } catch {
      throw httpError('HTTP_ERR_BAD_REQUEST', 'malformed percent-encoding in key (must encode UTF-8)');
    }
  }
  if (key === '') throw httpError('HTTP_ERR_BAD_REQUEST', 'empty key: use /v1/kv/{key}');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > kvKeyBytesMax) throw httpError('HTTP_ERR_BAD_REQUEST', `key is ${bytes} bytes; at most ${kvKeyBytesMax} UTF-8 bytes`);
  return key;
}

/** `?consistency=` if present. */
export function consistencyParam(query: URLSearchParams): Consistency | undefined {
  const value = query.get('consistency');
  if (value === null) return undefined;
  if (!(consistencyLevels as readonly string[]).includes(value)) {
    throw httpError('HTTP_ERR_BAD_REQUEST', `consistency must be one of ${consistencyLevels.join(', ')}`);
  }
  return value as Consistency;
}

/** A boolean flag: "1"/"true" on, "0"/"false" off, absent = `fallback`. */
export function flagParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null) return fallback;
  if (value === '1' || value === 'true' || value === '') return true;
  if (value === '0' || value === 'false') return false;
  throw httpError('HTTP_ERR_BAD_REQUEST', `${name} must be 1 or 0`);
}
