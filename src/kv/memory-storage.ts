import { assert } from '../lib/assert.js';
import type { Result } from '../lib/result.js';
import { err, ok } from '../lib/result.js';
import { keyPosition } from '../ring/ring.js';
import type { KvCursor } from '../wire/kv-types.js';
import type { KvError } from './errors.js';
import { kvError } from './errors.js';
import { isHlcTimestamp } from './hlc.js';
import { PurgeQueue } from './purge-queue.js';
import type { PurgeEntry } from './purge-queue.js';
import type { StoredRecord } from './record.js';
import { recordBytes, validateKey, validateValue } from './record.js';
import { rangeContains } from './ring-range.js';
import type { RingRange } from './ring-range.js';
import type { ApplyOutcome, RangeEntry, Storage, StorageStats } from './storage.js';
import { compareLww } from './version.js';

/** Default byte budget of a memory store: 1 GiB (keys + values + per-record overhead). */
export const memoryStorageBytesMaxDefault = 1024 * 1024 * 1024;

/** Memory engine configuration. */
export interface MemoryStorageConfig {
  /** Writes that would grow the store beyond this many bytes fail with KV_ERR_STORAGE_FULL. */
  readonly bytesMax: number;
}

/** Tombstone-heap entries left stale before a compaction, beyond one per live tombstone. */
const purgeQueueSlackEntries = 1024;

/** Index entries added since the last rebuild, beyond the key count, before a forced rebuild. */
const pendingSlackEntries = 1024;

interface Slot {
  record: StoredRecord;
  readonly position: number;
  bytes: number;
  /** True once the key is in the sorted position index. */
  indexed: boolean;
}

/**
 * The in-memory engine (simulator, tests). A Map holds the records; a position index (keys sorted
 * by ring position, then key) serves range scans. The index is maintained lazily: writes of new
 * keys and removals only mark it dirty, and the next scan merges the new keys in (sort the k new
 * ones, merge with the n old ones: O(n + k log k)), so bulk loads stay O(n log n) overall and a
 * scan after a few writes costs one linear merge. Values are held by reference: callers hand over
 * ownership and must not mutate them afterwards (the wire decoder already copies).
 */
export class MemoryStorage implements Storage {
  private readonly slots = new Map<string, Slot>();
  private readonly bytesMax: number;
  private indexKeys: string[] = [];
  private indexPositions: number[] = [];
  /** New keys not yet merged into the index (may repeat a key removed and re-added). */
  private pending: string[] = [];
  /** Keys removed since the last rebuild (their index entries are stale). */
  private removedSinceRebuild = 0;
  private tombstoneCount = 0;
  private byteCount = 0;
  private readonly purgeQueue = new PurgeQueue();

  constructor(config: MemoryStorageConfig = { bytesMax: memoryStorageBytesMaxDefault }) {
    assert(Number.isFinite(config.bytesMax) && config.bytesMax > 0, 'bytesMax must be positive');
    this.bytesMax = config.bytesMax;
  }

  /** Keys stored (tombstones included). */
  get size(): number {
    return this.slots.size;
  }

  get(key: string): StoredRecord | undefined {
    return this.slots.get(key)?.record;
  }

  apply(key: string, record: StoredRecord): Result<ApplyOutcome, KvError> {
    assert(isHlcTimestamp(record.version), 'a stored record needs a valid version');
    const keyCheck = validateKey(key);
    if (!keyCheck.ok) return keyCheck;
    const valueCheck = validateValue(record.value);
    if (!valueCheck.ok) return valueCheck;

    const slot = this.slots.get(key);
    if (slot !== undefined && compareLww(record, slot.record) <= 0) return ok({ won: false, current: slot.record });

    const bytes = recordBytes(keyCheck.value, record);
    const growth = bytes - (slot?.bytes ?? 0);
    if (growth > 0 && this.byteCount + growth > this.bytesMax) {
      return err(kvError('KV_ERR_STORAGE_FULL', `store holds ${this.byteCount} bytes, this write adds ${growth}, limit ${this.bytesMax}`));
    }
    this.byteCount += growth;
    if (record.value === null) this.tombstoneCount++;
    if (slot === undefined) {
      this.slots.set(key, { record, position: keyPosition(key), bytes, indexed: false });
      this.pending.push(key);
      if (this.pending.length > this.slots.size + pendingSlackEntries) this.rebuildIndex();
    } else {
      if (slot.record.value === null) this.tombstoneCount--;
      slot.record = record;
      slot.bytes = bytes;
    }
    if (record.value === null) this.trackTombstone({ purgeAfterMs: record.purgeAfterMs, key });
    return ok({ won: true, current: record });
  }

  purgeTombstones(nowMs: number, maxCount: number): number {
    assert(Number.isInteger(maxCount) && maxCount >= 0, 'maxCount must be a non-negative integer');
    let purged = 0;
    // Stale heap entries cost a pop each; the pop budget keeps the call bounded even so. Compaction
    // keeps stale entries near one per live tombstone plus the slack, so the slack term lets one
    // call step over a burst of overwrites of the same few keys.
    let pops = 4 * maxCount + purgeQueueSlackEntries + 64;
    while (purged < maxCount && pops-- > 0) {
      const top = this.purgeQueue.peek();
      if (top === undefined || top.purgeAfterMs > nowMs) break;
      this.purgeQueue.pop();
      if (this.isLiveTombstoneEntry(top)) {
        this.removeKey(top.key);
        purged++;
      }
    }
    return purged;
  }

  scanRange(range: RingRange, after: KvCursor | null, limit: number): RangeEntry[] {
    assert(Number.isInteger(limit) && limit >= 0, 'limit must be a non-negative integer');
    const out: RangeEntry[] = [];
    if (limit === 0) return out;
    if (after !== null && !rangeContains(range, after.position)) return out;
    this.ensureIndex();
    const n = this.indexKeys.length;
    const { start, end } = range;
    // Range order is one or two runs of the sorted index: (start, end], or (start, max] then [0, end].
    const runs: Array<[number, number]> =
      start < end ? [[this.firstAbove(start), this.firstAbove(end)]] : [[this.firstAbove(start), n], [0, this.firstAbove(end)]];
    let runIndex = 0;
    if (after !== null) {
      // The cursor lies in exactly one run: the second one of a wrapping range holds positions <= end.
      if (start >= end && after.position <= end) runIndex = 1;
      const run = runs[runIndex]!;
      run[0] = Math.max(run[0], this.firstAfter(after.position, after.key));
    }
    for (; runIndex < runs.length; runIndex++) {
      const [from, to] = runs[runIndex]!;
      for (let i = from; i < to && out.length < limit; i++) {
        const key = this.indexKeys[i]!;
        out.push({ key, position: this.indexPositions[i]!, record: this.slots.get(key)!.record });
      }
    }
    return out;
  }

  removeRange(range: RingRange, maxCount: number): number {
    const victims = this.scanRange(range, null, maxCount);
    for (const e of victims) this.removeKey(e.key);
    return victims.length;
  }

  stats(): StorageStats {
    return { keys: this.slots.size, tombstones: this.tombstoneCount, bytes: this.byteCount };
  }

  // --- internals ------------------------------------------------------------------------------------

  private removeKey(key: string): void {
    const slot = this.slots.get(key);
    assert(slot !== undefined, 'removeKey of a key the store does not hold');
    this.slots.delete(key);
    this.byteCount -= slot.bytes;
    if (slot.record.value === null) this.tombstoneCount--;
    if (slot.indexed) this.removedSinceRebuild++;
  }

  private trackTombstone(entry: PurgeEntry): void {
    this.purgeQueue.push(entry);
    if (this.purgeQueue.size > 2 * this.tombstoneCount + purgeQueueSlackEntries) {
      this.purgeQueue.compact((e) => this.isLiveTombstoneEntry(e));
    }
  }

  private isLiveTombstoneEntry(e: PurgeEntry): boolean {
    const record = this.slots.get(e.key)?.record;
    return record !== undefined && record.value === null && record.purgeAfterMs === e.purgeAfterMs;
  }

  private ensureIndex(): void {
    if (this.pending.length > 0 || this.removedSinceRebuild > 0) this.rebuildIndex();
  }

  /** Drops stale index entries and merges the pending keys in. */
  private rebuildIndex(): void {
    const oldKeys = this.indexKeys;
    const oldPositions = this.indexPositions;
    // Old entries first: an entry whose slot is not `indexed` belongs to a removed (maybe re-added) key.
    const keptKeys: string[] = [];
    const keptPositions: number[] = [];
    for (let i = 0; i < oldKeys.length; i++) {
      const slot = this.slots.get(oldKeys[i]!);
      if (slot !== undefined && slot.indexed) {
        keptKeys.push(oldKeys[i]!);
        keptPositions.push(oldPositions[i]!);
      }
    }
    const fresh: Array<{ key: string; position: number }> = [];
    for (const key of this.pending) {
      const slot = this.slots.get(key);
      if (slot === undefined || slot.indexed) continue;
      slot.indexed = true;
      fresh.push({ key, position: slot.position });
    }
    fresh.sort((a, b) => comparePositionKey(a.position, a.key, b.position, b.key));

    const keys: string[] = new Array<string>(keptKeys.length + fresh.length);
    const positions: number[] = new Array<number>(keys.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < keptKeys.length || j < fresh.length) {
      const takeOld = j >= fresh.length || (i < keptKeys.length && comparePositionKey(keptPositions[i]!, keptKeys[i]!, fresh[j]!.position, fresh[j]!.key) < 0);
      if (takeOld) {
        keys[k] = keptKeys[i]!;
        positions[k++] = keptPositions[i++]!;
      } else {
        keys[k] = fresh[j]!.key;
        positions[k++] = fresh[j++]!.position;
      }
    }
    this.indexKeys = keys;
    this.indexPositions = positions;
    this.pending = [];
    this.removedSinceRebuild = 0;
    assert(keys.length === this.slots.size, 'position index covers every stored key exactly once');
  }

  /** Index of the first entry with position > `p`. */
  private firstAbove(p: number): number {
    const pos = this.indexPositions;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid]! <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry strictly after (p, key) in (position, key) order. */
  private firstAfter(p: number, key: string): number {
    const pos = this.indexPositions;
    const keys = this.indexKeys;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositionKey(pos[mid]!, keys[mid]!, p, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function comparePositionKey(pa: number, ka: string, pb: number, kb: string): number {
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (ka === kb) return 0;
  return ka < kb ? -1 : 1;
}
