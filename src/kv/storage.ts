import type { Result } from '../lib/result.js';
import type { KvCursor } from '../wire/kv-types.js';
import type { KvError } from './errors.js';
import type { StoredRecord } from './record.js';
import type { RingRange } from './ring-range.js';

/**
 * The replica's local store, behind one small synchronous interface: the memory engine
 * (memory-storage.ts) for the simulator and tests, and later an LMDB engine for real nodes, whose
 * reads and write transactions are synchronous too. Every method is bounded (a `limit` or
 * `maxCount`), so a core can interleave storage work with message handling and a call never takes
 * time proportional to the whole store.
 *
 * Contract shared by every engine (test/kv/storage.test.ts runs against it):
 *  - `apply` never replaces a record with one that loses LWW (version.ts): a newer version is
 *    never lost, whatever order records arrive in;
 *  - range scans visit keys whose ring position (`keyPosition`, src/ring/ring.ts) lies in the
 *    range, in range order: by offset from the range start, then by key (UTF-16 code-unit order)
 *    for the rare equal positions;
 *  - a durable engine makes `apply`, `purgeTombstones` and `removeRange` durable before returning.
 */

/** Whether `apply` stored the record, and what the key holds afterwards. */
export interface ApplyOutcome {
  /** True when the record won LWW and is now stored. */
  readonly won: boolean;
  /** The key's record after the call: the applied one, or the newer one that beat it. */
  readonly current: StoredRecord;
}

/** One key found by a range scan. */
export interface RangeEntry {
  readonly key: string;
  /** The key's ring position, `keyPosition(key)`. */
  readonly position: number;
  readonly record: StoredRecord;
}

/** Size figures for metrics and `nodetool status`-like views. */
export interface StorageStats {
  /** Keys stored, tombstones included. */
  readonly keys: number;
  /** How many of them are tombstones. */
  readonly tombstones: number;
  /** Approximate bytes held: keys + values + a fixed per-record overhead. */
  readonly bytes: number;
}

/** A replica's local key-value store. */
export interface Storage {
  /** The key's record (value or tombstone), or undefined if the store holds nothing for it. */
  get(key: string): StoredRecord | undefined;

  /**
   * Stores `record` under `key` if it wins LWW against what the key holds; otherwise keeps the
   * current record (`won: false`). Fails with KV_ERR_KEY_TOO_LARGE / KV_ERR_KEY_INVALID /
   * KV_ERR_VALUE_TOO_LARGE on bad input and KV_ERR_STORAGE_FULL when the store's byte budget
   * would be exceeded.
   */
  apply(key: string, record: StoredRecord): Result<ApplyOutcome, KvError>;

  /** Purges up to `maxCount` tombstones whose `purgeAfterMs` is at or before `nowMs`; returns how many. */
  purgeTombstones(nowMs: number, maxCount: number): number;

  /**
   * Up to `limit` keys of `range` in range order, starting strictly after `after` (null: from the
   * start). A caller streams a range by passing the last entry of each batch as the next cursor;
   * fewer than `limit` entries means the range is exhausted.
   */
  scanRange(range: RingRange, after: KvCursor | null, limit: number): RangeEntry[];

  /** Removes up to `maxCount` keys of `range` (a range this node no longer owns); returns how many. */
  removeRange(range: RingRange, maxCount: number): number;

  /** Current size figures. */
  stats(): StorageStats;
}
