import type { StoredRecord } from '../kv/record.js';
import { rangeContains, rangeWraps } from '../kv/ring-range.js';
import type { RingRange } from '../kv/ring-range.js';
import type { KvCursor } from '../wire/kv-types.js';
import { readU64 } from './lmdb-keys.js';
import { decodeRecord, isEncodedTombstone } from './record-codec.js';
import { walOpKeyAt, walOpKeyStart, walOpValueAt } from './wal-ops.js';

/**
 * The writes of the LMDB engine's 'background' and 'wal' sync modes (lmdb-storage.ts) that LMDB
 * does not hold yet ('background': queued to lmdb-js's write thread, not yet known committed and
 * flushed; 'wal': in the write-ahead log, waiting for their checkpoint): every read of the store
 * looks here first, so the store reads its own writes at once although LMDB has not committed them.
 *
 * Each write belongs to a group (one event-loop batch of the runtime). When a group's commit is
 * flushed, `settle(group)` forgets its writes, except those a later group has overwritten since
 * (they stay until their own group settles). So the map holds at most the writes of the groups
 * not yet flushed into LMDB: the store reports itself backlogged beyond `pendingWritesMax`.
 *
 * A write is kept as its key and where its operation lies in its group's frame (wal-ops.ts: the
 * `records` key and the encoded record), not as decoded objects: writes stay here for a checkpoint
 * interval, and every object they held was copied and promoted by the garbage collector, which was
 * the largest share of a busy node's collection pauses (docs/benchmarks.md). Records are decoded
 * again when read.
 */

/**
 * Default bound on queued writes (distinct keys) before the store reports itself backlogged: well
 * under lmdb-js's own backpressure (it blocks the writing thread past 300,000 queued operations).
 */
export const pendingWritesMaxDefault = 50_000;

/** One queued write: the offset of its operation in the frame of its group. */
export interface PendingWrite {
  readonly key: string;
  readonly group: number;
  readonly at: number;
}

/** A queued write with its key's ring position (read from the frame; the record is decoded on demand). */
export interface QueuedKey {
  readonly key: string;
  readonly position: number;
  readonly write: PendingWrite;
}

/** A queued tombstone, decoded. */
export interface QueuedTombstone {
  readonly key: string;
  readonly position: number;
  readonly record: StoredRecord;
  /** The key's binary `records` key (lmdb-keys.ts), for removal. */
  readonly recordKey: Uint8Array;
}

export class PendingWrites {
  private readonly byKey = new Map<string, PendingWrite>();
  private readonly keysByGroup = new Map<number, string[]>();

  /** `frameOf(group)`: the operations of a group that has writes here (its frame so far, while it is open). */
  constructor(private readonly frameOf: (group: number) => Uint8Array) {}

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): PendingWrite | undefined {
    return this.byKey.get(key);
  }

  /**
   * The record `write` stores, or null for a removal. Decoded anew, but its value is a view into the
   * group's frame: a caller that keeps it keeps the frame alive, and must not write to it (copy it
   * to hand it out for long, as the store's `get` does).
   */
  record(write: PendingWrite): StoredRecord | null {
    const value = walOpValueAt(this.frameOf(write.group), write.at);
    return value === null ? null : decodeRecord(value);
  }

  /** The `records` key of `write` (a view into its frame). */
  recordKey(write: PendingWrite): Uint8Array {
    return walOpKeyAt(this.frameOf(write.group), write.at);
  }

  set(write: PendingWrite): void {
    this.byKey.set(write.key, write);
    let keys = this.keysByGroup.get(write.group);
    if (keys === undefined) {
      keys = [];
      this.keysByGroup.set(write.group, keys);
    }
    keys.push(write.key);
  }

  /** The writes of `group` are committed and flushed: reads can go to LMDB for them now. */
  settle(group: number): void {
    const keys = this.keysByGroup.get(group);
    if (keys === undefined) return;
    this.keysByGroup.delete(group);
    for (const key of keys) {
      if (this.byKey.get(key)?.group === group) this.byKey.delete(key);
    }
  }

  /**
   * The writes whose key lies in `range` strictly after `after`, in the range's order. Records are
   * not decoded here: a scan takes only as many as its limit (see `record`).
   */
  inRange(range: RingRange, after: KvCursor | null): QueuedKey[] {
    const out: QueuedKey[] = [];
    for (const w of this.byKey.values()) {
      // A `records` key starts with the key's position (u64).
      const position = readU64(this.frameOf(w.group), walOpKeyStart(w.at));
      if (!rangeContains(range, position)) continue;
      const queued = { key: w.key, position, write: w };
      if (after !== null && compareInRange(range, queued, after) <= 0) continue;
      out.push(queued);
    }
    return out.sort((a, b) => compareInRange(range, a, b));
  }

  /** Queued tombstones due at `endMs` (purgeAfterMs < endMs). */
  tombstonesDueBefore(endMs: number): QueuedTombstone[] {
    const out: QueuedTombstone[] = [];
    for (const w of this.byKey.values()) {
      const frame = this.frameOf(w.group);
      const value = walOpValueAt(frame, w.at);
      // Removals and values are skipped without decoding: this runs at every purge tick.
      if (value === null || !isEncodedTombstone(value)) continue;
      const record = decodeRecord(value);
      if (record.value === null && record.purgeAfterMs < endMs) out.push({ key: w.key, position: readU64(frame, walOpKeyStart(w.at)), record, recordKey: walOpKeyAt(frame, w.at) });
    }
    return out;
  }
}

/**
 * Order of two keys in `range`'s scan order: by position from just after `start` (a wrapping range
 * runs up to 2^53 - 1, then from 0), then by key in UTF-16 code-unit order, which is the byte order
 * of the CESU-8 `records` keys (lmdb-keys.ts).
 */
export function compareInRange(range: RingRange, a: { position: number; key: string }, b: { position: number; key: string }): number {
  const lap = (p: number): number => (rangeWraps(range) && p <= range.start ? 1 : 0);
  return lap(a.position) - lap(b.position) || a.position - b.position || compareUtf16(a.key, b.key);
}

/** Order of (position, key) pairs in the tombstone index: purge time, then ring position, then key. */
export function comparePurgeOrder(a: { purgeAfterMs: number; position: number; key: string }, b: { purgeAfterMs: number; position: number; key: string }): number {
  return a.purgeAfterMs - b.purgeAfterMs || a.position - b.position || compareUtf16(a.key, b.key);
}

function compareUtf16(a: string, b: string): number {
  // JavaScript's relational operators compare strings by UTF-16 code units.
  return a < b ? -1 : a > b ? 1 : 0;
}

