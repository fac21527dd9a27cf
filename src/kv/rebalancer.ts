/**
 * The Rebalancer: keeps every key on exactly its N owners (Dynamo §4.3, §4.9; Cassandra
 * bootstrap/removenode streaming and cleanup) and runs Merkle anti-entropy (anti-entropy.ts).
 *
 * Who pushes what, when. A *sweep* walks the local store in ring order, `rebalanceKeysPerStep`
 * keys per step, with a cursor so steps resume. For each key, owners = the preference list under
 * the current ring:
 *  - this node is an owner: during a sweep started by a ring change, if it was also an owner under
 *    the *baseline* ring (the ring before the change; the oldest one if changes pile up mid-sweep)
 *    it pushes the key to every owner that was not an owner under the baseline. Only surviving
 *    owners push, and only to new owners: no storm, at most N - 1 copies of one record in flight
 *    to one new owner (each surviving owner sends one; the receiver's LWW makes the extras no-ops).
 *    Periodic sweeps (no ring change) do not push between owners: that is anti-entropy's job.
 *  - this node is not an owner (a node joined in front of it, or it holds a stale copy): it sends
 *    the key to every current owner and drops it only once every current owner has acknowledged a
 *    batch carrying a version at least as new as the one it holds now (so a write that lands here
 *    meanwhile is sent again first). Drops happen in runs (rebalance-drop.ts).
 * Ring changes start a sweep at once and chain its steps; otherwise one step runs per
 * `rebalanceIntervalMs` tick, which also retries transfers whose acks were lost, and purges expired
 * tombstones (bounded). Transfers are deduplicated per (target, key) and bounded (transfer-queue.ts,
 * rebalance-limits.ts); at the bound the sweep pauses and resumes when acks free room.
 *
 * Acks: kind 'transfer' and 'repair' batches are the Rebalancer's; their stream ids are at or
 * above `rebalancerStreamIdMin` (rebalance-types.ts), so NodeCore can route kv-range-ack by id.
 */
import { assert, unreachable } from '../lib/assert.js';
import type { Rng } from '../lib/rng.js';
import type { TimerBase } from '../membership/types.js';
import type { Ring } from '../ring/ring.js';
import type { KvCursor, KvMsg, KvRangeAckMsg, KvRangeBatchMsg, KvStatus } from '../wire/kv-types.js';
import type { Address, NodeName } from '../wire/types.js';
import { AntiEntropy, antiEntropyTickTimer, antiEntropyTimeoutTimer } from './anti-entropy.js';
import type { AntiEntropyTimer } from './anti-entropy.js';
import type { KvErrorCode } from './errors.js';
import { OwnerIndex } from './ownership.js';
import { removeKeys } from './rebalance-drop.js';
import type { DropKey } from './rebalance-drop.js';
import { rebalanceLimitsDefault } from './rebalance-limits.js';
import type { RebalanceLimits } from './rebalance-limits.js';
import { isRebalancerStreamId, rebalancerStreamIdMin, rebalancerStreamIdSpan } from './rebalance-types.js';
import type { Rebalancer, RebalancerHost, RebalancerMsgType } from './rebalance-types.js';
import { recordFrom } from './record.js';
import type { StoredRecord } from './record.js';
import type { RingRange } from './ring-range.js';
import type { RangeEntry } from './storage.js';
import { TransferQueue, wireEntry } from './transfer-queue.js';
import type { InflightBatch } from './transfer-queue.js';
import { compareLww } from './version.js';

/** Timer: the periodic tick (retries, one sweep step, tombstone purge). */
export const rebalanceTickTimer = 'rebalance-tick';
/** Timer: the next chained step of sweep `sweepId` (stale once a newer sweep started). */
export const rebalanceStepTimer = 'rebalance-step';
/** Timer: transfer batch `streamId`'s ack deadline. */
export const rebalanceBatchTimeoutTimer = 'rebalance-batch-timeout';

type RebalanceTimer =
  | { readonly type: typeof rebalanceTickTimer }
  | { readonly type: typeof rebalanceStepTimer; readonly sweepId: number }
  | { readonly type: typeof rebalanceBatchTimeoutTimer; readonly streamId: number }
  | AntiEntropyTimer;

/** The whole ring, as the informational range of transfer batches (their keys come from anywhere). */
const wholeRing: RingRange = { start: 0, end: 0 };

/** A key this node does not own and will drop once every owner holds it. */
interface DropCandidate {
  readonly position: number;
  /** The version the owners must acknowledge (at least). */
  record: StoredRecord;
  /** Owners that acknowledged `record` (or newer). */
  readonly acked: Set<NodeName>;
}

/** Counters for tests and metrics. */
export interface RebalancerStats {
  readonly pendingTransfers: number;
  readonly inflightBatches: number;
  readonly dropCandidates: number;
  readonly recordsTransferred: number;
  readonly keysDropped: number;
  readonly sweepsCompleted: number;
  readonly sweepBlocked: boolean;
  readonly sweepMode: 'change' | 'periodic';
  readonly antiEntropyBusy: boolean;
  readonly antiEntropyExchanges: number;
}

const statusOfError: Readonly<Record<KvErrorCode, KvStatus>> = {
  KV_ERR_KEY_TOO_LARGE: 'key-too-large',
  KV_ERR_KEY_INVALID: 'key-invalid',
  KV_ERR_VALUE_TOO_LARGE: 'value-too-large',
  KV_ERR_CLOCK_DRIFT: 'clock-drift',
  KV_ERR_STORAGE_FULL: 'storage-full',
};

/** Builds the Rebalancer of one node. `limits` defaults to `rebalanceLimitsDefault` (tests shrink it). */
export function createRebalancer(host: RebalancerHost, rng: Rng, limits: RebalanceLimits = rebalanceLimitsDefault): Rebalancer {
  return new RingRebalancer(host, rng, limits);
}

/** The Rebalancer implementation (exported for tests that read its stats). */
export class RingRebalancer implements Rebalancer {
  private readonly host: RebalancerHost;
  private readonly limits: RebalanceLimits;
  private readonly n: number;
  private readonly queue: TransferQueue;
  private readonly drops = new Map<string, DropCandidate>();
  /** Keys whose owners all acked, to drop at the next flush. */
  private readonly ready = new Set<string>();
  private readonly ae: AntiEntropy;
  private current: OwnerIndex;
  private streamCounter = 0;
  private started = false;

  // Sweep state.
  private sweepId = 0;
  private cursor: KvCursor | null = null;
  /** Owners before the ring change being swept; null during periodic sweeps. */
  private baseline: OwnerIndex | null = null;
  /** 'change': steps chain until the pass completes; 'periodic': one step per tick. */
  private mode: 'change' | 'periodic' = 'periodic';
  private stepPending = false;
  private blocked = false;

  private recordsTransferred = 0;
  private keysDropped = 0;
  private sweepsCompleted = 0;

  constructor(host: RebalancerHost, rng: Rng, limits: RebalanceLimits) {
    this.host = host;
    this.limits = limits;
    this.n = host.config.replicationFactor;
    const batchBytesMax = Math.min(host.config.transferBatchBytesMax, limits.batchFrameBytesMax);
    this.queue = new TransferQueue({
      pendingMax: limits.pendingTransfersMax,
      inflightPerTargetMax: limits.inflightBatchesPerTargetMax,
      inflightMax: limits.inflightBatchesMax,
      batchBytesMax,
    });
    this.current = new OwnerIndex(host.ring(), this.n);
    this.ae = new AntiEntropy({
      host,
      rng,
      limits,
      owners: () => this.owners(),
      nextStreamId: () => this.nextStreamId(),
      batchBytesMax,
      rebalancing: () => this.mode === 'change',
    });
  }

  start(_nowMs: number): void {
    assert(!this.started, 'Rebalancer.start called twice');
    this.started = true;
    this.host.schedule(this.host.config.rebalanceIntervalMs, { type: rebalanceTickTimer });
    this.ae.start();
    // A node restarting on durable storage may hold keys it no longer owns: one full pass at once.
    this.beginSweep(null);
  }

  onRingChange(previous: Ring, nowMs: number): void {
    const cur = this.owners();
    // Keep the oldest baseline while a change sweep is unfinished: keys not yet swept still need
    // the pushes of the earlier change.
    const baseline = this.mode === 'change' && this.baseline !== null ? this.baseline : new OwnerIndex(previous, this.n);
    this.prune(cur);
    this.beginSweep(baseline);
    // Transfers pruned or re-targeted: send what is ready without waiting for the step.
    this.pump(nowMs);
  }

  handleMessage(from: Address, msg: Extract<KvMsg, { type: RebalancerMsgType }>, nowMs: number): void {
    const sender = this.host.nameAt(from);
    if (sender === undefined) return; // Unknown sender: no way to answer; it retries once membership knows it.
    switch (msg.type) {
      case 'kv-range-batch':
        return this.onBatch(sender, msg);
      case 'kv-range-ack':
        return this.onAck(sender, msg, nowMs);
      case 'kv-merkle-req':
      case 'kv-merkle-rep':
      case 'kv-keys-req':
      case 'kv-keys-rep':
      case 'kv-fetch-req':
      case 'kv-fetch-rep':
        return this.ae.handle(sender, msg, nowMs);
      default:
        return unreachable(msg, 'message type not routed to the Rebalancer');
    }
  }

  handleTimer(timer: TimerBase, nowMs: number): void {
    const t = timer as RebalanceTimer;
    switch (t.type) {
      case rebalanceTickTimer:
        return this.onTick(nowMs);
      case rebalanceStepTimer:
        if (t.sweepId !== this.sweepId) return;
        this.stepPending = false;
        return this.step(nowMs);
      case rebalanceBatchTimeoutTimer:
        // Presumed lost: the records wait again and go out with the next tick's pump.
        this.queue.onFailure(t.streamId);
        return;
      case antiEntropyTickTimer:
        return this.ae.onTick();
      case antiEntropyTimeoutTimer:
        return this.ae.onTimeout(t.exchangeId, t.step);
      default:
        return undefined;
    }
  }

  checkInvariants(): void {
    this.queue.checkInvariants();
    this.ae.checkInvariants();
    assert(this.drops.size <= this.limits.dropCandidatesMax, 'drop candidates bound');
    for (const key of this.ready) assert(this.drops.has(key), 'a key ready to drop is a drop candidate');
    assert(this.mode === 'change' || this.baseline === null, 'a baseline exists only during a change sweep');
  }

  /** Counters for tests and metrics. */
  stats(): RebalancerStats {
    return {
      pendingTransfers: this.queue.pending,
      inflightBatches: this.queue.inflightBatches,
      dropCandidates: this.drops.size,
      recordsTransferred: this.recordsTransferred,
      keysDropped: this.keysDropped,
      sweepsCompleted: this.sweepsCompleted,
      sweepBlocked: this.blocked,
      sweepMode: this.mode,
      antiEntropyBusy: this.ae.busy,
      antiEntropyExchanges: this.ae.exchangesFinished,
    };
  }

  // --- sweep ---------------------------------------------------------------------------------------

  /** The owner index of the host's current ring (rebuilt when the ring object changes). */
  private owners(): OwnerIndex {
    const ring = this.host.ring();
    if (this.current.ring !== ring) this.current = new OwnerIndex(ring, this.n);
    return this.current;
  }

  private beginSweep(baseline: OwnerIndex | null): void {
    this.sweepId++;
    this.cursor = null;
    this.baseline = baseline;
    this.mode = 'change';
    this.blocked = false;
    this.scheduleStep();
  }

  private scheduleStep(): void {
    this.stepPending = true;
    const timer: RebalanceTimer = { type: rebalanceStepTimer, sweepId: this.sweepId };
    this.host.schedule(this.limits.sweepStepGapMs, timer);
  }

  private onTick(nowMs: number): void {
    this.host.schedule(this.host.config.rebalanceIntervalMs, { type: rebalanceTickTimer });
    this.host.storage.purgeTombstones(nowMs, this.limits.tombstonesPurgedPerTickMax);
    this.pump(nowMs);
    this.flushDrops();
    if (!this.stepPending) this.step(nowMs);
  }

  /** One bounded step of the sweep: examine up to rebalanceKeysPerStep keys from the cursor. */
  private step(nowMs: number): void {
    const cur = this.owners();
    const limit = this.host.config.rebalanceKeysPerStep;
    const entries = cur.empty ? [] : this.host.storage.scanRange(wholeRing, this.cursor, limit);
    this.blocked = false;
    for (const e of entries) {
      if (!this.consider(e, cur)) {
        // Out of room: keep the cursor here; acks (or the next tick) resume the sweep.
        this.blocked = true;
        break;
      }
      this.cursor = { position: e.position, key: e.key };
    }
    this.pump(nowMs);
    this.flushDrops();
    if (this.blocked) return;
    if (entries.length < limit) {
      // Pass complete: the change (if any) is fully handled; periodic passes follow.
      this.cursor = null;
      this.baseline = null;
      this.mode = 'periodic';
      this.sweepsCompleted++;
      return;
    }
    if (this.mode === 'change') this.scheduleStep();
  }

  /** Handles one stored key; false when out of room (nothing was half-done that matters). */
  private consider(e: RangeEntry, cur: OwnerIndex): boolean {
    const owners = cur.ownersAt(e.position);
    if (owners.length === 0) return true;
    const self = this.host.self;
    if (!owners.includes(self)) return this.noteUnowned(e.key, e.position, e.record, owners);
    this.drops.delete(e.key);
    this.ready.delete(e.key);
    const base = this.baseline;
    if (base === null || base.empty) return true;
    const before = base.ownersAt(e.position);
    if (!before.includes(self)) return true; // Only surviving owners push: a new owner waits to receive.
    const targets = owners.filter((o) => o !== self && !before.includes(o));
    if (!this.queue.hasRoom(targets.length)) return false;
    for (const t of targets) this.queue.enqueue(t, e.key, e.position, e.record);
    return true;
  }

  /** Registers a key this node holds but does not own: send it to every owner that has not acked it. */
  private noteUnowned(key: string, position: number, record: StoredRecord, owners: readonly NodeName[]): boolean {
    let c = this.drops.get(key);
    if (c === undefined) {
      if (this.drops.size >= this.limits.dropCandidatesMax) return false;
      c = { position, record, acked: new Set() };
      this.drops.set(key, c);
    } else if (compareLww(record, c.record) > 0) {
      // A newer write landed here: the owners must acknowledge that one before the drop.
      c.record = record;
      c.acked.clear();
    }
    const missing = owners.filter((o) => !c.acked.has(o));
    if (missing.length === 0) {
      this.ready.add(key);
      return true;
    }
    if (!this.queue.hasRoom(missing.length)) return false;
    for (const o of missing) this.queue.enqueue(o, key, position, c.record);
    return true;
  }

  /** After a ring change: forget transfers to nodes that left or no longer own the key, and drops of keys owned again. */
  private prune(cur: OwnerIndex): void {
    const members = new Set(cur.ring.nodes);
    this.queue.prune(
      (target) => !members.has(target),
      (target, _key, position) => !cur.owns(target, position),
    );
    for (const [key, c] of this.drops) {
      if (cur.owns(this.host.self, c.position)) {
        this.drops.delete(key);
        this.ready.delete(key);
      }
    }
  }

  // --- transfers -----------------------------------------------------------------------------------

  private nextStreamId(): number {
    const id = rebalancerStreamIdMin + (this.streamCounter % rebalancerStreamIdSpan);
    this.streamCounter++;
    return id;
  }

  /** Sends every batch the bounds allow now. */
  private pump(nowMs: number): void {
    const batches = this.queue.takeBatches(
      this.host.storage,
      (t) => this.host.addressOf(t) !== undefined,
      () => this.nextStreamId(),
      nowMs,
    );
    for (const b of batches) {
      const msg: KvRangeBatchMsg = { type: 'kv-range-batch', streamId: b.streamId, seq: 0, kind: 'transfer', range: wholeRing, entries: b.entries.map(wireEntry), last: true };
      this.host.send(b.target, [msg]);
      const timeout: RebalanceTimer = { type: rebalanceBatchTimeoutTimer, streamId: b.streamId };
      this.host.schedule(this.limits.transferAckTimeoutMs, timeout);
    }
  }

  /** Applies a transfer or repair batch with LWW and acks it. Hint batches are NodeCore's. */
  private onBatch(sender: NodeName, msg: KvRangeBatchMsg): void {
    if (msg.kind === 'hint') return;
    const { storage, config } = this.host;
    let applied = 0;
    let status: KvStatus = 'ok';
    for (const e of msg.entries) {
      const r = storage.apply(e.key, recordFrom(e.value, e.version, config.tombstoneGraceMs));
      if (!r.ok) {
        // The batch is not acknowledged as held: the sender keeps the records and retries later.
        status = statusOfError[r.error.code];
        continue;
      }
      if (r.value.won) applied++;
    }
    this.host.send(sender, [{ type: 'kv-range-ack', streamId: msg.streamId, seq: msg.seq, status, applied }]);
  }

  private onAck(sender: NodeName, msg: KvRangeAckMsg, nowMs: number): void {
    if (!isRebalancerStreamId(msg.streamId)) return;
    if (this.ae.ownsStream(msg.streamId)) {
      this.ae.handle(sender, msg, nowMs);
      return;
    }
    const batch = this.queue.batch(msg.streamId);
    if (batch === undefined || batch.target !== sender) return;
    if (msg.status !== 'ok') {
      this.queue.onFailure(msg.streamId);
      return;
    }
    this.queue.onAck(msg.streamId);
    this.delivered(batch);
    this.pump(nowMs);
    this.flushDrops();
    this.maybeResume();
  }

  /** The target holds every record of `batch` (or newer): count it toward drops. */
  private delivered(batch: InflightBatch): void {
    this.recordsTransferred += batch.entries.length;
    this.host.emit({ type: 'kv-transferred', target: batch.target, count: batch.entries.length });
    const cur = this.owners();
    for (const e of batch.entries) {
      const c = this.drops.get(e.key);
      if (c === undefined || compareLww(e.record, c.record) < 0) continue;
      c.acked.add(batch.target);
      if (this.allOwnersAcked(c, cur)) this.ready.add(e.key);
    }
  }

  private allOwnersAcked(c: DropCandidate, cur: OwnerIndex): boolean {
    const owners = cur.ownersAt(c.position);
    return owners.length > 0 && !owners.includes(this.host.self) && owners.every((o) => c.acked.has(o));
  }

  /** Drops the ready keys still safe to drop: not owned, unchanged since acked, every owner acked. */
  private flushDrops(): void {
    if (this.ready.size === 0) return;
    const cur = this.owners();
    const { storage } = this.host;
    const victims: DropKey[] = [];
    for (const key of this.ready) {
      const c = this.drops.get(key);
      if (c === undefined) continue;
      const local = storage.get(key);
      if (local === undefined || cur.owns(this.host.self, c.position)) {
        this.drops.delete(key);
        continue;
      }
      if (compareLww(local, c.record) > 0) {
        // Written here after the owners acked: they must get this version first.
        this.noteUnowned(key, c.position, local, cur.ownersAt(c.position));
        continue;
      }
      if (this.allOwnersAcked(c, cur)) victims.push({ key, position: c.position });
    }
    this.ready.clear();
    if (victims.length === 0) return;
    const out = removeKeys(storage, victims, this.limits.dropRunKeysMax);
    // Skipped keys (position collision) are forgotten; a later sweep finds them again.
    for (const key of out.removed) this.drops.delete(key);
    for (const key of out.skipped) this.drops.delete(key);
    if (out.removed.length > 0) {
      this.keysDropped += out.removed.length;
      this.host.emit({ type: 'kv-dropped', count: out.removed.length });
    }
  }

  /** Resumes a sweep paused at the bounds once acks freed half the room. */
  private maybeResume(): void {
    if (!this.blocked || this.stepPending) return;
    if (this.queue.pending * 2 > this.limits.pendingTransfersMax || this.drops.size * 2 > this.limits.dropCandidatesMax) return;
    this.blocked = false;
    this.scheduleStep();
  }
}
