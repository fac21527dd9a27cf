/** Public option and result types of the client (the view types are in http-protocol.ts). */
import type { Consistency, Version } from './http-protocol.js';

export interface ClientOptions {
  /** HTTP API addresses: "host:port", "[::1]:port" or "http(s)://host[:port]". At least one. */
  readonly nodes: readonly string[];
  /** Bearer token, when the nodes were started with one. */
  readonly token?: string;
  /** Deadline of one attempt (connect, send, whole answer), in ms. Default 2000. */
  readonly timeoutMs?: number;
  /** Extra attempts after the first, rotating across nodes. Default 2. */
  readonly retries?: number;
  /** Bound on the total time of one call across all attempts and backoffs, in ms. Default 5000. */
  readonly retryBudgetMs?: number;
}

/** A stored value. `value` is the raw bytes; `getText` / `new TextDecoder().decode(value)` for text. */
export interface Entry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly version: Version;
}

export interface ReadOptions {
  /** How many replicas must answer; default: the node's configured R. */
  readonly consistency?: Consistency;
}

export interface WriteOptions {
  /** How many replicas must acknowledge; default: the node's configured W. */
  readonly consistency?: Consistency;
}

export interface WriteResult {
  /** The version the write was stored with. */
  readonly version: Version;
}

/** Views of one node: by default the next node in rotation (with retries); `node` pins one address. */
export interface NodeOptions {
  readonly node?: string;
}

export interface RingOptions extends NodeOptions {
  /** Include every token range (default true); false keeps only the per-node summary. */
  readonly ranges?: boolean;
}

/** A value to write: bytes as they are, strings as UTF-8. */
export type ValueInput = string | Uint8Array;
