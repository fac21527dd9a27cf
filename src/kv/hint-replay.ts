/**
 * Hinted handoff, the moving parts around the HintStore (Dynamo §4.6; Cassandra hints): storing a
 * hint for a home replica that did not acknowledge a write, replaying hints to targets that are
 * alive again, and applying replayed hints on the receiving side.
 *
 * Unlike Dynamo's sloppy quorum the hint stays on the coordinator (Cassandra's design), because
 * our quorum is strict: a hint never counts toward W, it only shortens the time until the
 * replica catches up. Anti-entropy, not hints, guarantees convergence (docs/consistency.md).
 *
 * Replay travels as `kv-range-batch` messages of kind 'hint' (one batch per stream, `last` set),
 * answered by a `kv-range-ack` under the same streamId. The rebalancer uses the same two message
 * types for its transfers, so NodeCore routes by kind and by streamId: a batch of kind 'hint' comes
 * here, and an ack comes here when `ownsAck` says so, i.e. when its streamId lies outside the
 * rebalancer's id space (rebalance-types.ts: the rebalancer uses [2^31, 2^32), hint streams
 * [1, 2^31)); everything else goes to the rebalancer.
 */
import { assert } from '../lib/assert.js';
import type { Result } from '../lib/result.js';
import { kvBatchEntriesMax } from '../wire/kv-limits.js';
import type { KvRangeAckMsg, KvRangeBatchMsg, KvRecordEntry, KvVersion, NodeName } from '../wire/types.js';
import type { KvConfig } from './config.js';
import { isRebalancerStreamId, rebalancerStreamIdMin } from './rebalance-types.js';
import type { KvError } from './errors.js';
import type { KvEvent } from './events.js';
import { HintStore, hintBytesTotalMaxDefault, hintsTotalMaxDefault } from './hints.js';
import { recordFrom } from './record.js';
import type { StoredRecord } from './record.js';
import { statusOfKvError } from './replica.js';
import type { Storage } from './storage.js';

/** First streamId of hint replay streams; they stay below the rebalancer's (`rebalancerStreamIdMin`). */
export const hintStreamIdBase = 1;

/** Last streamId of hint replay streams, after which ids are reused (a stream lives seconds). */
export const hintStreamIdMax = rebalancerStreamIdMin - 1;

/** Most expired hints dropped per replay tick (bounds the work of one timer). */
export const hintExpirePerTickMax = 4096;

/** The range a hint batch names: hints are per key, not per range, so the whole ring (start === end). */
const wholeRing = { start: 0, end: 0 } as const;

/** What hint replay needs from its node. */
export interface HintReplayHost {
  readonly self: NodeName;
  readonly config: KvConfig;
  readonly storage: Storage;
  /** True when membership holds `node` alive (not suspect, dead or left): worth replaying to. */
  isAlive(node: NodeName): boolean;
  /** Sends a batch to `node` on the stream channel; false when its address is unknown. */
  send(node: NodeName, msg: KvRangeBatchMsg): boolean;
  /** Merges a received version into the node's HLC (errors are ignored: LWW still orders it). */
  observe(version: KvVersion, nowMs: number): Result<unknown, KvError>;
  emit(event: KvEvent): void;
}

/** Counters of hint replay (the store keeps its own, HintStore.stats()). */
export interface HintReplayStats {
  batchesSent: number;
  batchesAcked: number;
  /** Replay streams given up on (no ack within requestTimeoutMs, or a non-ok ack); retried later. */
  batchesLost: number;
  /** Acks in the hint id space matching no stream in flight (late, after a retry or a dropped target). */
  acksIgnored: number;
  hintsReplayed: number;
  /** Batches of kind 'hint' received and applied, and their entries that won LWW. */
  batchesReceived: number;
  entriesApplied: number;
}

/** One replay batch awaiting its ack. */
interface Stream {
  readonly streamId: number;
  readonly target: NodeName;
  readonly entries: ReadonlyArray<{ readonly key: string; readonly version: KvVersion }>;
  readonly sentAtMs: number;
}

/** Stores, replays and receives hints (see the module comment). */
export class HintReplay {
  readonly stats: HintReplayStats = { batchesSent: 0, batchesAcked: 0, batchesLost: 0, acksIgnored: 0, hintsReplayed: 0, batchesReceived: 0, entriesApplied: 0 };
  /** Null when hints are disabled (hintWindowMs or hintsPerNodeMax is 0). */
  readonly store: HintStore | null;
  private readonly host: HintReplayHost;
  /** At most one stream in flight per target (its flow control), so bounded by the store's targets. */
  private readonly inflight = new Map<NodeName, Stream>();
  private nextStreamId = hintStreamIdBase;

  constructor(host: HintReplayHost) {
    this.host = host;
    const c = host.config;
    this.store =
      c.hintWindowMs > 0 && c.hintsPerNodeMax > 0
        ? new HintStore({
            hintWindowMs: c.hintWindowMs,
            hintsPerNodeMax: c.hintsPerNodeMax,
            hintsTotalMax: Math.max(hintsTotalMaxDefault, c.hintsPerNodeMax),
            hintBytesTotalMax: hintBytesTotalMaxDefault,
          })
        : null;
  }

  /** Hints held. */
  get size(): number {
    return this.store?.size ?? 0;
  }

  /** Keeps `record` for `target` (a home replica that did not acknowledge it). */
  add(target: NodeName, key: string, record: StoredRecord, nowMs: number): void {
    if (this.store === null || target === this.host.self) return;
    const outcome = this.store.add(target, key, record, nowMs);
    if (outcome === 'stored' || outcome === 'replaced') this.host.emit({ type: 'kv-hint-stored', target, key });
  }

  /** `target` acknowledged the write after all: drop its hint of that version. */
  acknowledged(target: NodeName, key: string, version: KvVersion): void {
    this.store?.ack(target, key, version);
  }

  /** `target` was declared dead or left: its hints go (the rebalancer re-replicates its ranges instead). */
  dropTarget(target: NodeName): void {
    this.store?.dropTarget(target);
    this.inflight.delete(target);
  }

  /**
   * The periodic replay tick: expire old hints, then send one batch to every hinted target that is
   * alive and has no batch in flight (or whose batch went unanswered for requestTimeoutMs).
   */
  tick(nowMs: number): void {
    const store = this.store;
    if (store === null) return;
    store.expire(nowMs, hintExpirePerTickMax);
    for (const target of store.targets()) {
      const open = this.inflight.get(target);
      if (open !== undefined) {
        if (nowMs - open.sentAtMs < this.host.config.requestTimeoutMs) continue;
        this.inflight.delete(target);
        this.stats.batchesLost++;
      }
      if (!this.host.isAlive(target)) continue;
      this.sendBatch(store, target, nowMs);
    }
  }

  /** True when `ack` belongs to hint replay's streamId space (NodeCore routes it here, not to the rebalancer). */
  ownsAck(ack: KvRangeAckMsg): boolean {
    return !isRebalancerStreamId(ack.streamId);
  }

  /** An ack in our id space from `from` (undefined: an unknown address): drop the hints it applied. */
  onAck(from: NodeName | undefined, ack: KvRangeAckMsg): void {
    const stream = from === undefined ? undefined : this.inflight.get(from);
    if (from === undefined || stream === undefined || stream.streamId !== ack.streamId) {
      this.stats.acksIgnored++;
      return;
    }
    this.inflight.delete(from);
    if (ack.status !== 'ok') {
      this.stats.batchesLost++;
      return;
    }
    this.stats.batchesAcked++;
    let count = 0;
    for (const e of stream.entries) if (this.store?.ack(from, e.key, e.version) === true) count++;
    this.stats.hintsReplayed += count;
    if (count > 0) this.host.emit({ type: 'kv-hints-replayed', target: from, count });
  }

  /** The receiving side: applies a batch of kind 'hint' with LWW and returns the ack to send back. */
  receive(batch: KvRangeBatchMsg, nowMs: number): KvRangeAckMsg {
    assert(batch.kind === 'hint', 'only hint batches are applied here');
    this.stats.batchesReceived++;
    let applied = 0;
    let status: KvRangeAckMsg['status'] = 'ok';
    for (const e of batch.entries) {
      this.host.observe(e.version, nowMs);
      const r = this.host.storage.apply(e.key, recordFrom(e.value, e.version, this.host.config.tombstoneGraceMs));
      if (!r.ok) {
        // Keep going (LWW apply is idempotent), but report the failure so the sender keeps its hints.
        status = statusOfKvError(r.error.code);
        continue;
      }
      if (r.value.won) applied++;
    }
    this.stats.entriesApplied += applied;
    return { type: 'kv-range-ack', streamId: batch.streamId, seq: batch.seq, status, applied };
  }

  /** Throws an AssertionError if an internal invariant is broken. */
  checkInvariants(): void {
    // One stream per target, and only targets that held hints get one: bounded like the store.
    assert(this.inflight.size <= Math.max(hintsTotalMaxDefault, this.host.config.hintsPerNodeMax), 'more hint streams than the hint bound');
    for (const [target, s] of this.inflight) {
      assert(s.target === target && s.streamId >= hintStreamIdBase && s.streamId <= hintStreamIdMax, 'hint stream indexed wrongly');
      assert(s.entries.length > 0 && s.entries.length <= kvBatchEntriesMax, 'hint batch size out of bounds');
    }
  }

  private sendBatch(store: HintStore, target: NodeName, nowMs: number): void {
    const hints = store.batch(target, kvBatchEntriesMax, nowMs);
    const entries: KvRecordEntry[] = [];
    let bytes = 0;
    for (const h of hints) {
      // At least one entry per batch, however large (a value fits a stream frame by the wire limits).
      if (entries.length > 0 && bytes + h.bytes > this.host.config.transferBatchBytesMax) break;
      bytes += h.bytes;
      entries.push({ key: h.key, value: h.record.value, version: h.record.version });
    }
    if (entries.length === 0) return;
    const streamId = this.takeStreamId();
    const msg: KvRangeBatchMsg = { type: 'kv-range-batch', streamId, seq: 0, kind: 'hint', range: wholeRing, entries, last: true };
    if (!this.host.send(target, msg)) return;
    this.stats.batchesSent++;
    this.inflight.set(target, { streamId, target, entries: entries.map((e) => ({ key: e.key, version: e.version })), sentAtMs: nowMs });
  }

  private takeStreamId(): number {
    const id = this.nextStreamId;
    this.nextStreamId = this.nextStreamId >= hintStreamIdMax ? hintStreamIdBase : this.nextStreamId + 1;
    return id;
  }
}
