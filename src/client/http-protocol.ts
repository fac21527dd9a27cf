/**
 * The HTTP/JSON API of a node as data: routes, JSON bodies, error codes and the raw-read version
 * header. The server (src/api/http) and this client both import these definitions, so the two
 * cannot drift apart; docs/http-api.md describes the same contract for curl users.
 *
 * The view types (MemberView, RingView, HealthView, NodeInfo) mirror src/runtime/service.ts, which
 * the client may not import (eslint.config.js layering); test/client/protocol.test.ts checks at
 * compile time that the runtime's views are assignable to these.
 */
import type { ClientErrorCode } from '../kv/client-types.js';

/** Prefix of the key-value routes: the rest of the path is the percent-encoded key. */
export const kvPathPrefix = '/v1/kv/';

/** Header carrying the version of a raw (application/octet-stream) read. */
export const versionHeader = 'x-ringkv-version';

/** Media type of raw values. */
export const octetStream = 'application/octet-stream';

/** How many replicas must answer; omitted = the node's configured R (reads) or W (writes). */
export type Consistency = 'one' | 'quorum' | 'all';

export const consistencyLevels: readonly Consistency[] = ['one', 'quorum', 'all'];

/** The version of a write: hybrid logical clock time plus the issuing node's id (newest wins). */
export interface Version {
  /** Wall-clock part, milliseconds since the epoch. */
  readonly physicalMs: number;
  /** Counter within one physicalMs, 0..65535. */
  readonly logical: number;
  /** Issuing node's 32-bit id. */
  readonly nodeId: number;
}

/** Errors of the HTTP layer itself (the KV layer's codes are `ClientErrorCode`). */
export type HttpErrorCode =
  | 'HTTP_ERR_NOT_FOUND'
  | 'HTTP_ERR_METHOD'
  | 'HTTP_ERR_BODY_TOO_LARGE'
  | 'HTTP_ERR_BAD_REQUEST'
  | 'HTTP_ERR_UNAUTHORIZED'
  | 'HTTP_ERR_INTERNAL';

export const httpErrorCodes: readonly HttpErrorCode[] = [
  'HTTP_ERR_NOT_FOUND',
  'HTTP_ERR_METHOD',
  'HTTP_ERR_BODY_TOO_LARGE',
  'HTTP_ERR_BAD_REQUEST',
  'HTTP_ERR_UNAUTHORIZED',
  'HTTP_ERR_INTERNAL',
];

export const kvClientErrorCodes: readonly ClientErrorCode[] = [
  'KV_ERR_NOT_FOUND',
  'KV_ERR_EXISTS',
  'KV_ERR_QUORUM_UNAVAILABLE',
  'KV_ERR_OVERLOADED',
  'KV_ERR_NOT_READY',
  'KV_ERR_BAD_REQUEST',
];

/** Every code a server may put in an error body. */
export type ServerErrorCode = ClientErrorCode | HttpErrorCode;

/** Body of every error response. `acks`/`required` accompany KV_ERR_QUORUM_UNAVAILABLE. */
export interface ErrorBody {
  readonly error: {
    readonly code: ServerErrorCode;
    readonly message: string;
    readonly acks?: number;
    readonly required?: number;
  };
}

/** JSON answer of GET /v1/kv/{key}: `value` is the UTF-8 text of the bytes, or base64 when they are not valid UTF-8. */
export interface EntryBody {
  readonly key: string;
  readonly value: string;
  readonly encoding: 'utf8' | 'base64';
  readonly version: Version;
}

/** Answer of a successful PUT, POST, PATCH or DELETE. */
export interface WriteBody {
  readonly ok: true;
  readonly version: Version;
}

export interface NodeEndpoints {
  /** "host:port" of the HTTP API, if enabled. */
  readonly http?: string;
  /** "host:port" of the RESP (Redis protocol) server, if enabled. */
  readonly resp?: string;
}

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

export interface MemberView {
  readonly name: string;
  /** Gossip address. */
  readonly addr: string;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly endpoints: NodeEndpoints;
  /** True for the node that answered. */
  readonly self: boolean;
}

export interface MembersBody {
  readonly members: readonly MemberView[];
}

/** Keys whose ring position p satisfies start < p <= end (wrapping when start >= end). */
export interface RangeView {
  readonly start: number;
  readonly end: number;
  /** Preference list: primary first. */
  readonly replicas: readonly string[];
}

export interface RingView {
  readonly tokensPerNode: number;
  readonly replicationFactor: number;
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly tokens: number; readonly primaryShare: number }>;
  /** Omitted when requested with `?ranges=0`. */
  readonly ranges?: readonly RangeView[];
}

export interface HealthView {
  /** 'ok': joined and serving (HTTP 200); otherwise HTTP 503. */
  readonly status: 'ok' | 'joining' | 'leaving';
  readonly name: string;
  readonly members: { readonly alive: number; readonly suspect: number; readonly dead: number; readonly left: number };
  readonly uptimeMs: number;
}

export interface NodeInfo {
  readonly name: string;
  readonly addr: string;
  readonly version: string;
  readonly uptimeMs: number;
  readonly incarnation: number;
  readonly keys: number;
  readonly tombstones: number;
  readonly bytes: number;
  readonly inflightRequests: number;
  readonly hintsHeld: number;
  readonly endpoints: NodeEndpoints;
}

/** `X-Ringkv-Version` value: "physicalMs.logical.nodeId" in decimal, e.g. "1718000000000.0.42". */
export function formatVersionHeader(v: Version): string {
  return `${v.physicalMs}.${v.logical}.${v.nodeId}`;
}

/** Inverse of formatVersionHeader; null when malformed. */
export function parseVersionHeader(text: string): Version | null {
  const m = /^(\d{1,16})\.(\d{1,5})\.(\d{1,10})$/.exec(text.trim());
  if (m === null) return null;
  const v = { physicalMs: Number(m[1]), logical: Number(m[2]), nodeId: Number(m[3]) };
  return isVersion(v) ? v : null;
}

/** Shape check of a version received as JSON. */
export function isVersion(v: unknown): v is Version {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return isUint(r['physicalMs'], 2 ** 48 - 1) && isUint(r['logical'], 0xffff) && isUint(r['nodeId'], 0xffffffff);
}

function isUint(x: unknown, max: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
}

/** True when `code` is one the server may send. */
export function isServerErrorCode(code: unknown): code is ServerErrorCode {
  return (
    typeof code === 'string' &&
    ((httpErrorCodes as readonly string[]).includes(code) || (kvClientErrorCodes as readonly string[]).includes(code))
  );
}
