/**
 * The client history of a KV simulation run: one record per client request, filled in as replies
 * arrive. The KV checkers (src/sim/checkers/kv-*.ts) read only this plain data (plus storage
 * snapshots), so they can be tested on hand-made histories.
 *
 * Values written are unique per write (the workload writes `v<requestId>`), so any value read or
 * found in storage names exactly one write.
 */
import type { ClientErrorCode, ClientOpType } from '../kv/client-types.js';
import type { KvVersion, NodeName } from '../wire/types.js';

/**
 * What became of a request: `pending` (no reply yet), `ok`, `failed` (an error reply), or
 * `orphaned` (its coordinator crashed before replying: a real client would time out, and the
 * write, if any, may or may not have been applied).
 */
export type KvOpOutcome = 'pending' | 'ok' | 'failed' | 'orphaned';

/** One client request and what came of it. */
export interface KvOpRecord {
  /** Unique in the run (the workload numbers requests 1, 2, 3, ... in issue order). */
  readonly requestId: number;
  readonly key: string;
  readonly op: ClientOpType;
  readonly coordinator: NodeName;
  /** The value written (create/update/put) as text; null for read and delete. */
  readonly written: string | null;
  /** Virtual time the request was handed to the coordinator. */
  readonly issuedAtMs: number;
  outcome: KvOpOutcome;
  /** Virtual time of the first reply; null while none came. */
  repliedAtMs: number | null;
  /** The error code of a failed reply; null otherwise. */
  errorCode: ClientErrorCode | null;
  /** The version the reply carried: the version written (writes) or read (reads). */
  version: KvVersion | null;
  /** The value a successful read returned, as text. */
  readValue: string | null;
  /** Replies received for this request (exactly one is correct, none if orphaned). */
  replies: number;
}

/** True for operations that write (a delete writes a tombstone). */
export function isWriteOp(op: ClientOpType): boolean {
  return op !== 'read';
}

/**
 * What a finished read observed: a value, 'absent' (KV_ERR_NOT_FOUND: no replica of the read
 * quorum held a live value), or null when the read told nothing (it failed otherwise, or is
 * pending/orphaned).
 */
export function readObservation(r: KvOpRecord): string | 'absent' | null {
  if (r.op !== 'read') return null;
  if (r.outcome === 'ok') return r.readValue;
  if (r.outcome === 'failed' && r.errorCode === 'KV_ERR_NOT_FOUND') return 'absent';
  return null;
}

/** A fresh record for a request just issued. */
export function newOpRecord(requestId: number, key: string, op: ClientOpType, coordinator: NodeName, written: string | null, issuedAtMs: number): KvOpRecord {
  return { requestId, key, op, coordinator, written, issuedAtMs, outcome: 'pending', repliedAtMs: null, errorCode: null, version: null, readValue: null, replies: 0 };
}

/** Writes per key, in issue order (requestId order, which is issue order). */
export function writesByKey(history: readonly KvOpRecord[]): Map<string, KvOpRecord[]> {
  const byKey = new Map<string, KvOpRecord[]>();
  for (const r of history) {
    if (!isWriteOp(r.op)) continue;
    let list = byKey.get(r.key);
    if (list === undefined) {
      list = [];
      byKey.set(r.key, list);
    }
    list.push(r);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.issuedAtMs - b.issuedAtMs || a.requestId - b.requestId);
  return byKey;
}

/** Index of the write of `list` that wrote `value`, or -1. Values are unique per write. */
export function writeIndexOfValue(list: readonly KvOpRecord[], value: string): number {
  for (let i = 0; i < list.length; i++) if (list[i]!.written === value) return i;
  return -1;
}
