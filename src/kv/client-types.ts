/**
 * What a client asks of the store and what it gets back. Any node coordinates (Dynamo §4.5): the
 * runtime's APIs and the simulator's workloads hand a `ClientOp` to a node's core and receive a
 * `ClientResult` with a stable error code.
 */
import type { KvVersion } from '../wire/types.js';

/** The seed project's four operations plus an upsert. */
export type ClientOpType = 'create' | 'read' | 'update' | 'delete' | 'put';

/**
 * How many home replicas must answer: ONE = 1, QUORUM = floor(N/2)+1 (for writes W, for reads R
 * from config when the level is omitted), ALL = N.
 */
export type ConsistencyLevel = 'one' | 'quorum' | 'all';

export interface ClientOp {
  readonly type: ClientOpType;
  readonly key: string;
  /** Required for create, update and put; ignored otherwise. */
  readonly value?: Uint8Array;
  /** Default: the configured R (reads) or W (writes). */
  readonly consistency?: ConsistencyLevel;
}

/**
 * Stable codes of failed client operations (docs/errors.md, section "KV client").
 * - NOT_FOUND: read/update/delete of a key that the answering replicas do not hold (or hold deleted);
 * - EXISTS: create of a key that a replica already holds;
 * - QUORUM_UNAVAILABLE: fewer home replicas answered successfully than the level requires before
 *   the deadline, or too many said no (the write may still be applied on the ones that answered:
 *   failed writes are not rolled back, docs/consistency.md);
 * - OVERLOADED: the node has inflightRequestsMax operations in flight;
 * - NOT_READY: the node has not joined a cluster (its ring is empty);
 * - BAD_REQUEST: missing value, key or value too large, invalid key.
 */
export type ClientErrorCode =
  | 'KV_ERR_NOT_FOUND'
  | 'KV_ERR_EXISTS'
  | 'KV_ERR_QUORUM_UNAVAILABLE'
  | 'KV_ERR_OVERLOADED'
  | 'KV_ERR_NOT_READY'
  | 'KV_ERR_BAD_REQUEST';

export interface ClientError {
  readonly code: ClientErrorCode;
  readonly message: string;
  /** Successful replica answers received, and how many were required (quorum failures). */
  readonly acks?: number;
  readonly required?: number;
}

export type ClientResult =
  | { readonly ok: true; readonly value?: Uint8Array; readonly version?: KvVersion }
  | { readonly ok: false; readonly error: ClientError };
