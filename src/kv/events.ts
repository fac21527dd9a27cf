/**
 * What the KV layer tells its observers (the simulator's checkers, the course's MP2 log, metrics).
 * Internal traffic (re-replication, hints, read repair, anti-entropy) never appears as a
 * `kv-served` or `kv-coordinated` event: those are only for client operations, exactly one
 * `kv-coordinated` per client request and one `kv-served` per replica that handled its message.
 */
import type { NodeName } from '../wire/types.js';
import type { ClientErrorCode, ClientOpType } from './client-types.js';

export type KvEvent =
  /** A replica handled a client operation sent by `coordinator` under the coordinator's `reqId`. */
  | {
      readonly type: 'kv-served';
      readonly op: ClientOpType;
      readonly key: string;
      /** The value written (create/update/put) or read; null for delete or a failed read. */
      readonly value: Uint8Array | null;
      readonly success: boolean;
      readonly coordinator: NodeName;
      readonly reqId: number;
    }
  /** A coordinator settled a client operation (once per request). */
  | {
      readonly type: 'kv-coordinated';
      readonly op: ClientOpType;
      readonly key: string;
      /** The value written, or the value read on success; null otherwise. */
      readonly value: Uint8Array | null;
      readonly success: boolean;
      /** The client's request id (NodeInput 'client'), and the reqId replicas saw. */
      readonly requestId: number;
      readonly reqId: number;
      readonly error?: ClientErrorCode;
    }
  /** The ring changed (a member joined or left the live set). */
  | { readonly type: 'kv-ring-changed'; readonly nodes: number }
  /** Read repair pushed the newest version of `key` to a stale replica. */
  | { readonly type: 'kv-read-repair'; readonly key: string; readonly replica: NodeName }
  /** A hint was stored for a replica that did not acknowledge a write, or hints were replayed to it. */
  | { readonly type: 'kv-hint-stored'; readonly target: NodeName; readonly key: string }
  | { readonly type: 'kv-hints-replayed'; readonly target: NodeName; readonly count: number }
  /** Records were transferred to a new owner (re-replication or handoff). */
  | { readonly type: 'kv-transferred'; readonly target: NodeName; readonly count: number }
  /** This node dropped keys it no longer owns, after their owners acknowledged them. */
  | { readonly type: 'kv-dropped'; readonly count: number }
  /** Anti-entropy repaired `count` keys of a range with `peer`. */
  | { readonly type: 'kv-anti-entropy'; readonly peer: NodeName; readonly repaired: number };
