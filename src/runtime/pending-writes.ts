import type { StoredRecord } from '../kv/record.js';
import { rangeContains, rangeWraps } from '../kv/ring-range.js';
import type { RingRange } from '../kv/ring-range.js';
import type { KvCursor } from '../wire/kv-types.js';

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
 */

/**
 * Default bound on queued writes (distinct keys) before the store reports itself backlogged: well
 * under lmdb-js's own backpressure (it blocks the writing thread past 300,000 queued operations).
 */
export const pendingWritesMaxDefault = 50_000;

/** One queued write: the record the key now holds, or null once it is removed. */
export interface PendingWrite {
  readonly key: string;
  readonly record: StoredRecord | null;
  readonly position: number;
  /** The key's binary `records` key (lmdb-keys.ts), for removal. */
  readonly recordKey: Uint8Array;
  readonly group: number;
}

export class PendingWrites {
  private readonly byKey = new Map<string, PendingWrite>();
  private readonly keysByGroup = new Map<number, string[]>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): PendingWrite | undefined {
    return this.byKey.get(key);
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

  /** The writes whose key lies in `range` strictly after `after`, in the range's order. */
  inRange(range: RingRange, after: KvCursor | null): PendingWrite[] {
    const out: PendingWrite[] = [];
    for (const w of this.byKey.values()) {
      if (!rangeContains(range, w.position)) continue;
      if (after !== null && compareInRange(range, w, after) <= 0) continue;
      out.push(w);
    }
    return out.sort((a, b) => compareInRange(range, a, b));
  }

  /** Queued tombstones due at `endMs` (purgeAfterMs < endMs). */
  tombstonesDueBefore(endMs: number): PendingWrite[] {
    const out: PendingWrite[] = [];
    for (const w of this.byKey.values()) {
      if (w.record !== null && w.record.value === null && w.record.purgeAfterMs < endMs) out.push(w);
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

