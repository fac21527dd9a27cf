/**
 * Pending transfers of records to other nodes (re-replication, handoff to a joining node, the
 * copies a node sends before dropping keys it no longer owns), deduplicated per (target, key) and
 * packed into kv-range-batch messages of kind 'transfer'. Every batch is its own stream (seq 0,
 * last) so its kv-range-ack names it unambiguously; a batch stays in flight until acked, failed
 * (non-ok ack) or timed out, and then its records are done or queued again.
 *
 * The queue holds keys and the version it must deliver at least; the record itself is re-read
 * from storage when a batch is built, so a newer local write travels instead of a stale copy and a
 * key purged or dropped meanwhile is not sent at all.
 */
import { assert } from '../lib/assert.js';
import { kvRecordEntryBytes } from '../wire/kv-fields.js';
import { kvBatchEntriesMax } from '../wire/kv-limits.js';
import type { KvRecordEntry } from '../wire/kv-types.js';
import type { NodeName } from '../wire/types.js';
import type { StoredRecord } from './record.js';
import type { Storage } from './storage.js';
import { compareLww } from './version.js';

/** One record queued for one target. */
interface Waiting {
  readonly position: number;
  /** The version the target must end up holding (at least). */
  record: StoredRecord;
}

/** What a batch carried for one key: the record sent. */
export interface SentEntry {
  readonly key: string;
  readonly position: number;
  readonly record: StoredRecord;
}

/** A batch awaiting its ack. */
export interface InflightBatch {
  readonly streamId: number;
  readonly target: NodeName;
  readonly entries: readonly SentEntry[];
  readonly sentAtMs: number;
}

interface TargetQueue {
  /** Keys to send, in arrival order (FIFO, so sweeps stream in ring order). */
  readonly waiting: Map<string, Waiting>;
  /** Keys in flight, with the stream carrying them and the record sent. */
  readonly sending: Map<string, { readonly streamId: number; readonly record: StoredRecord }>;
  inflight: number;
}

/** Outcome of `enqueue`. */
export type EnqueueOutcome = 'queued' | 'updated' | 'present' | 'full';

/** Bounds of a transfer queue. */
export interface TransferQueueBounds {
  readonly pendingMax: number;
  readonly inflightPerTargetMax: number;
  readonly inflightMax: number;
  readonly batchBytesMax: number;
}

/** Pending and in-flight transfers, per target node. */
export class TransferQueue {
  private readonly targets = new Map<NodeName, TargetQueue>();
  private readonly inflight = new Map<number, InflightBatch>();
  /** Waiting + sending entries over all targets. */
  private pendingCount = 0;
  private readonly bounds: TransferQueueBounds;

  constructor(bounds: TransferQueueBounds) {
    assert(bounds.pendingMax >= 1 && bounds.inflightPerTargetMax >= 1 && bounds.inflightMax >= 1, 'transfer bounds must be positive');
    this.bounds = bounds;
  }

  /** Entries waiting or in flight. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Batches awaiting an ack. */
  get inflightBatches(): number {
    return this.inflight.size;
  }

  /** Room for `k` more entries. */
  hasRoom(k: number): boolean {
    return this.pendingCount + k <= this.bounds.pendingMax;
  }

  /** True when `target` has nothing waiting or in flight for `key`. */
  isIdle(target: NodeName, key: string): boolean {
    const q = this.targets.get(target);
    return q === undefined || (!q.waiting.has(key) && !q.sending.has(key));
  }

  /**
   * Queues `record` of `key` for `target`, deduplicated: a key already waiting keeps one entry
   * (raised to the newer record); a key in flight is queued again only for a newer record.
   */
  enqueue(target: NodeName, key: string, position: number, record: StoredRecord): EnqueueOutcome {
    let q = this.targets.get(target);
    const w = q?.waiting.get(key);
    if (w !== undefined) {
      if (compareLww(record, w.record) <= 0) return 'present';
      w.record = record;
      return 'updated';
    }
    const s = q?.sending.get(key);
    if (s !== undefined && compareLww(record, s.record) <= 0) return 'present';
    if (this.pendingCount >= this.bounds.pendingMax) return 'full';
    if (q === undefined) {
      q = { waiting: new Map(), sending: new Map(), inflight: 0 };
      this.targets.set(target, q);
    }
    q.waiting.set(key, { position, record });
    this.pendingCount++;
    return 'queued';
  }

  /**
   * Builds the batches the bounds allow now, reading records from `storage`. Targets `canSend`
   * refuses (address unknown) keep their entries. `nextStreamId` names each batch.
   */
  takeBatches(storage: Storage, canSend: (target: NodeName) => boolean, nextStreamId: () => number, nowMs: number): InflightBatch[] {
    const out: InflightBatch[] = [];
    for (const [target, q] of this.targets) {
      if (this.inflight.size >= this.bounds.inflightMax) break;
      if (q.waiting.size === 0 || q.inflight >= this.bounds.inflightPerTargetMax || !canSend(target)) continue;
      while (q.waiting.size > 0 && q.inflight < this.bounds.inflightPerTargetMax && this.inflight.size < this.bounds.inflightMax) {
        const entries = this.pack(q, storage);
        if (entries.length === 0) break;
        const batch: InflightBatch = { streamId: nextStreamId(), target, entries, sentAtMs: nowMs };
        for (const e of entries) q.sending.set(e.key, { streamId: batch.streamId, record: e.record });
        q.inflight++;
        this.inflight.set(batch.streamId, batch);
        out.push(batch);
      }
    }
    this.gc();
    return out;
  }

  /** The batch `streamId`, if in flight. */
  batch(streamId: number): InflightBatch | undefined {
    return this.inflight.get(streamId);
  }

  /** Batch acked ok: its entries are delivered. Returns the batch, or undefined if unknown (stale ack). */
  onAck(streamId: number): InflightBatch | undefined {
    const batch = this.inflight.get(streamId);
    if (batch === undefined) return undefined;
    this.finish(batch, false);
    return batch;
  }

  /** Batch failed or timed out: its entries wait again (unless a newer record already waits). */
  onFailure(streamId: number): InflightBatch | undefined {
    const batch = this.inflight.get(streamId);
    if (batch === undefined) return undefined;
    this.finish(batch, true);
    return batch;
  }

  /** Removes every entry `drop(target, key)` selects, and forgets in-flight batches of targets `dropTarget` selects. */
  prune(dropTarget: (target: NodeName) => boolean, drop: (target: NodeName, key: string, position: number) => boolean): void {
    for (const [target, q] of this.targets) {
      if (dropTarget(target)) {
        for (const [id, b] of this.inflight) if (b.target === target) this.inflight.delete(id);
        this.pendingCount -= q.waiting.size + q.sending.size;
        this.targets.delete(target);
        continue;
      }
      for (const [key, w] of q.waiting) {
        if (drop(target, key, w.position)) {
          q.waiting.delete(key);
          this.pendingCount--;
        }
      }
    }
  }

  /** Throws if the counters disagree with the maps or a bound is exceeded. O(targets × batches in flight). */
  checkInvariants(): void {
    let n = 0;
    let inflight = 0;
    for (const [target, q] of this.targets) {
      n += q.waiting.size + q.sending.size;
      let mine = 0;
      for (const b of this.inflight.values()) if (b.target === target) mine++;
      assert(mine === q.inflight, 'per-target in-flight count matches the in-flight batches');
      assert(q.inflight <= this.bounds.inflightPerTargetMax, 'per-target in-flight bound');
      inflight += q.inflight;
    }
    assert(inflight === this.inflight.size, 'in-flight batches all belong to a known target');
    assert(n === this.pendingCount, 'pending count matches the queues');
    assert(this.pendingCount <= this.bounds.pendingMax, 'pending transfers bound');
    assert(this.inflight.size <= this.bounds.inflightMax, 'in-flight batches bound');
  }

  // --- internals ----------------------------------------------------------------------------------

  /** Takes waiting entries into one batch, bounded by entries and bytes (one oversized record goes alone). */
  private pack(q: TargetQueue, storage: Storage): SentEntry[] {
    const entries: SentEntry[] = [];
    let bytes = 0;
    for (const [key, w] of q.waiting) {
      if (entries.length >= kvBatchEntriesMax) break;
      const record = storage.get(key);
      if (record === undefined) {
        // Purged or dropped meanwhile: nothing left to deliver.
        q.waiting.delete(key);
        this.pendingCount--;
        continue;
      }
      const size = kvRecordEntryBytes({ key, value: record.value, version: record.version });
      if (entries.length > 0 && bytes + size > this.bounds.batchBytesMax) break;
      q.waiting.delete(key);
      // A key in flight on an older batch moves to this one (pendingCount unchanged: it was counted twice).
      if (q.sending.has(key)) this.pendingCount--;
      // Send what storage holds now: it is LWW-monotone, so at least the queued version (or newer).
      entries.push({ key, position: w.position, record });
      bytes += size;
    }
    return entries;
  }

  private finish(batch: InflightBatch, requeue: boolean): void {
    this.inflight.delete(batch.streamId);
    const q = this.targets.get(batch.target);
    assert(q !== undefined, 'an in-flight batch has a target queue');
    q.inflight--;
    for (const e of batch.entries) {
      if (q.sending.get(e.key)?.streamId !== batch.streamId) continue;
      q.sending.delete(e.key);
      if (requeue && !q.waiting.has(e.key)) q.waiting.set(e.key, { position: e.position, record: e.record });
      else this.pendingCount--;
    }
    if (q.inflight === 0 && q.waiting.size === 0 && q.sending.size === 0) this.targets.delete(batch.target);
  }

  private gc(): void {
    for (const [target, q] of this.targets) if (q.inflight === 0 && q.waiting.size === 0 && q.sending.size === 0) this.targets.delete(target);
  }
}

/** The wire entry of a sent record. */
export function wireEntry(e: SentEntry): KvRecordEntry {
  return { key: e.key, value: e.record.value, version: e.record.version };
}
