/**
 * A small deterministic world for Rebalancer tests, independent of NodeCore: a few hosts, each a
 * RebalancerHost over a MemoryStorage with its own ring view, a shared message pump with virtual
 * time (per-pair FIFO, like the stream channel), optional message loss, and checkers:
 *  - `placement()`: every key on exactly its N owners (under the reference ring) with one version;
 *  - a drop-safety check on every removal: the dropped version (or newer) is held by every owner
 *    under the dropping node's ring view (strict) or at least by another live node (weak, for
 *    runs with skewed ring views).
 */
import { Rng } from '../../src/lib/rng.js';
import type { TimerBase } from '../../src/membership/types.js';
import { resolveKvConfig } from '../../src/kv/config.js';
import type { KvConfig } from '../../src/kv/config.js';
import type { KvEvent } from '../../src/kv/events.js';
import { hlcNodeId } from '../../src/kv/hlc.js';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { rebalanceLimitsDefault } from '../../src/kv/rebalance-limits.js';
import type { RebalanceLimits } from '../../src/kv/rebalance-limits.js';
import type { RebalancerHost, RebalancerMsgType } from '../../src/kv/rebalance-types.js';
import { createRebalancer } from '../../src/kv/rebalancer.js';
import type { RingRebalancer } from '../../src/kv/rebalancer.js';
import { tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import type { StoredRecord } from '../../src/kv/record.js';
import type { RingRange } from '../../src/kv/ring-range.js';
import type { RangeEntry } from '../../src/kv/storage.js';
import { compareLww } from '../../src/kv/version.js';
import { Ring } from '../../src/ring/ring.js';
import { kvCodecFor } from '../../src/wire/kv-codecs.js';
import type { KvMsg } from '../../src/wire/kv-types.js';
import type { Address, NodeName } from '../../src/wire/types.js';
import { TimedHeap } from '../helpers/timed-heap.js';

/** A store that reports every removal to a checker before doing it. */
export class CheckedStorage extends MemoryStorage {
  onRemove: (victims: RangeEntry[]) => void = () => undefined;

  override removeRange(range: RingRange, maxCount: number): number {
    this.onRemove(this.scanRange(range, null, maxCount));
    return super.removeRange(range, maxCount);
  }
}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}



/** Options of a test world. */
export interface WorldOptions {
  readonly seed: number;
  readonly config?: Partial<KvConfig>;
  readonly limits?: Partial<RebalanceLimits>;
  /** One-way message latency, ms: base plus uniform jitter in [0, jitterMs]. */
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  /** Drop-safety check: 'strict' (all owners in the dropper's view) or 'weak' (another live node). */
  readonly dropCheck?: 'strict' | 'weak';
}

/** One simulated node. */
export class TestHost implements RebalancerHost {
  readonly self: NodeName;
  readonly storage = new CheckedStorage();
  readonly config: KvConfig;
  readonly events: KvEvent[] = [];
  view: Ring;
  /** Which membership change `view` reflects: views only move forward, like a real membership's. */
  viewEpoch = 0;
  alive = true;
  rebalancer!: RingRebalancer;
  private readonly world: World;

  constructor(world: World, name: NodeName, config: KvConfig, view: Ring) {
    this.world = world;
    this.self = name;
    this.config = config;
    this.view = view;
  }
  ring(): Ring {
    return this.view;
  }
  addressOf(node: NodeName): Address | undefined {
    return this.world.hosts.has(node) ? `addr:${node}` : undefined;
  }
  nameAt(addr: Address): NodeName | undefined {
    const name = addr.slice('addr:'.length);
    return this.world.hosts.has(name) ? name : undefined;
  }
  send(node: NodeName, msgs: readonly KvMsg[]): void {
    for (const m of msgs) this.world.deliver(this.self, node, m);
  }
  schedule(afterMs: number, timer: TimerBase): void {
    this.world.at(this.world.now + afterMs, () => {
      if (this.alive) this.rebalancer.handleTimer(timer, this.world.now);
    });
  }
  emit(event: KvEvent): void {
    this.events.push(event);
  }
}

/** Message statistics. */
export interface Traffic {
  messages: number;
  bytes: number;
  readonly byType: Map<string, { count: number; bytes: number }>;
}

/** The world: hosts, virtual time, the message pump and the checkers. */
export class World {
  readonly hosts = new Map<NodeName, TestHost>();
  readonly config: KvConfig;
  readonly limits: RebalanceLimits;
  readonly rng: Rng;
  readonly traffic: Traffic = { messages: 0, bytes: 0, byType: new Map() };
  now = 0;
  /** Return true to lose a message (tests of lost acks). */
  lose: (from: NodeName, to: NodeName, msg: KvMsg) => boolean = () => false;
  /** Every message delivered, for tests that look at the conversation. */
  readonly log: Array<{ at: number; from: NodeName; to: NodeName; msg: KvMsg }> = [];
  /** Drop-safety violations seen (empty in a correct run). */
  readonly violations: string[] = [];
  private readonly heap = new TimedHeap<Event>();
  private seq = 0;
  private readonly latencyMs: number;
  private readonly jitterMs: number;
  private readonly dropCheck: 'strict' | 'weak';
  /** Per (from, to): the last delivery time, so a pair's messages stay in order (stream channel). */
  private readonly lastDelivery = new Map<string, number>();
  /** Membership changes so far. */
  private epoch = 0;
  /** The reference ring: the membership every view converges to. */
  reference: Ring;

  constructor(nodes: readonly NodeName[], options: WorldOptions) {
    const config = resolveKvConfig({ tokensPerNode: 32, antiEntropyIntervalMs: 0, ...options.config });
    if (!config.ok) throw new Error(config.error.message);
    this.config = config.value;
    this.limits = { ...rebalanceLimitsDefault, ...options.limits };
    this.rng = new Rng(options.seed);
    this.latencyMs = options.latencyMs ?? 1;
    this.jitterMs = options.jitterMs ?? 0;
    this.dropCheck = options.dropCheck ?? 'strict';
    this.reference = Ring.build(nodes, this.config.tokensPerNode);
    for (const n of nodes) this.addHost(n, this.reference);
    for (const n of nodes) this.hosts.get(n)!.rebalancer.start(this.now);
  }

  private addHost(name: NodeName, view: Ring): TestHost {
    const host = new TestHost(this, name, this.config, view);
    host.rebalancer = createRebalancer(host, Rng.child(this.rng.nextU32(), this.hosts.size), this.limits) as RingRebalancer;
    host.storage.onRemove = (victims) => this.checkDrop(host, victims);
    this.hosts.set(name, host);
    return host;
  }

  /** Live hosts. */
  live(): TestHost[] {
    return [...this.hosts.values()].filter((h) => h.alive);
  }

  at(time: number, run: () => void): void {
    this.heap.push({ at: time, seq: this.seq++, run });
  }

  deliver(from: NodeName, to: NodeName, msg: KvMsg): void {
    const bytes = 1 + kvCodecFor(msg).bodyBytes(msg); // asserts the message is valid and within wire limits
    this.traffic.messages++;
    this.traffic.bytes += bytes;
    const t = this.traffic.byType.get(msg.type) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += bytes;
    this.traffic.byType.set(msg.type, t);
    if (this.lose(from, to, msg)) return;
    const pair = `${from}>${to}`;
    const jitter = this.jitterMs > 0 ? this.rng.intBelow(this.jitterMs + 1) : 0;
    const at = Math.max(this.now + this.latencyMs + jitter, this.lastDelivery.get(pair) ?? 0);
    this.lastDelivery.set(pair, at);
    this.at(at, () => {
      const target = this.hosts.get(to);
      if (target === undefined || !target.alive || !this.hosts.get(from)!.alive) return;
      this.log.push({ at: this.now, from, to, msg });
      target.rebalancer.handleMessage(`addr:${from}`, msg as Extract<KvMsg, { type: RebalancerMsgType }>, this.now);
    });
  }

  /** Runs events up to and including time `until`, checking every live node's invariants after each. */
  runUntil(until: number): void {
    for (let e = this.heap.peek(); e !== undefined && e.at <= until; e = this.heap.peek()) {
      this.heap.pop();
      this.now = e.at;
      e.run();
      for (const h of this.hosts.values()) if (h.alive) h.rebalancer.checkInvariants();
    }
    this.now = until;
  }

  /** Runs for `ms` more. */
  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** Runs in `stepMs` slices until `done()` holds; returns the time it first held, or undefined by `until`. */
  runUntilTrue(done: () => boolean, until: number, stepMs = 5): number | undefined {
    while (this.now < until) {
      if (done()) return this.now;
      this.runFor(stepMs);
    }
    return done() ? this.now : undefined;
  }

  /** Sets `node`'s ring view to the one of membership change `epoch` (telling its Rebalancer), unless it already saw a later one. */
  setView(node: NodeName, ring: Ring, epoch: number): void {
    const h = this.hosts.get(node)!;
    if (!h.alive || epoch <= h.viewEpoch) return;
    const previous = h.view;
    h.view = ring;
    h.viewEpoch = epoch;
    h.rebalancer.onRingChange(previous, this.now);
  }

  /** Changes the reference membership to `members` and every live view, each after `skew(node)` ms (0: now). */
  changeMembership(members: readonly NodeName[], skew: (node: NodeName) => number = () => 0): void {
    const ring = Ring.build(members, this.config.tokensPerNode);
    this.reference = ring;
    const epoch = ++this.epoch;
    for (const h of this.live()) {
      const d = skew(h.self);
      if (d === 0) this.setView(h.self, ring, epoch);
      else this.at(this.now + d, () => this.setView(h.self, ring, epoch));
    }
  }

  /** Starts a new, empty node whose view is the current reference ring plus itself, and adds it everywhere. */
  join(node: NodeName, skew: (node: NodeName) => number = () => 0): TestHost {
    const members = [...this.reference.nodes, node];
    const ring = Ring.build(members, this.config.tokensPerNode);
    const existing = this.hosts.get(node);
    const host = existing ?? this.addHost(node, ring);
    if (existing !== undefined) {
      existing.alive = true;
      existing.view = ring;
    }
    host.viewEpoch = this.epoch;
    if (existing === undefined) host.rebalancer.start(this.now);
    this.changeMembership(members, (n) => (n === node ? 0 : skew(n)));
    return host;
  }

  /** Crashes `node` (no more messages or timers) and removes it from the membership. */
  crash(node: NodeName, skew: (node: NodeName) => number = () => 0): void {
    this.hosts.get(node)!.alive = false;
    this.changeMembership(
      this.reference.nodes.filter((n) => n !== node),
      skew,
    );
  }

  /** Writes `record` of `key` directly into the stores of `nodes` (as a coordinator's write would). */
  write(key: string, record: StoredRecord, nodes: readonly NodeName[]): void {
    for (const n of nodes) {
      const r = this.hosts.get(n)!.storage.apply(key, record);
      if (!r.ok) throw new Error(r.error.detail);
    }
  }

  /** Writes `count` keys, each to its N owners under the reference ring. Returns the keys. */
  populate(count: number, valueBytes = 16, prefix = 'key'): string[] {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = `${prefix}-${i}`;
      const value = new Uint8Array(valueBytes).fill(i & 0xff);
      this.write(key, valueRecord(value, { physicalMs: 1_000 + i, logical: 0, nodeId: 1 }), this.owners(key));
      keys.push(key);
    }
    return keys;
  }

  /** Owners of `key` under the reference ring. */
  owners(key: string): NodeName[] {
    return this.reference.preferenceList(key, this.config.replicationFactor);
  }

  /** Every violation of "each key on exactly its N owners with one version" (live nodes only). */
  placement(): string[] {
    const problems: string[] = [];
    const holders = new Map<string, Array<{ node: NodeName; record: StoredRecord }>>();
    for (const h of this.live()) {
      for (const e of h.storage.scanRange({ start: 0, end: 0 }, null, 1_000_000)) {
        const list = holders.get(e.key) ?? [];
        list.push({ node: h.self, record: e.record });
        holders.set(e.key, list);
      }
    }
    for (const [key, list] of holders) {
      const owners = this.owners(key).sort();
      const nodes = list.map((x) => x.node).sort();
      if (owners.join(',') !== nodes.join(',')) problems.push(`${key}: on [${nodes.join(',')}], owners [${owners.join(',')}]`);
      else if (list.some((x) => compareLww(x.record, list[0]!.record) !== 0)) problems.push(`${key}: versions differ`);
    }
    return problems;
  }

  /** True when no live node has transfers pending or keys waiting to drop. */
  idle(): boolean {
    return this.live().every((h) => {
      const s = h.rebalancer.stats();
      return s.pendingTransfers === 0 && s.dropCandidates === 0 && s.sweepMode === 'periodic';
    });
  }

  private checkDrop(host: TestHost, victims: RangeEntry[]): void {
    for (const v of victims) {
      const holds = (n: NodeName): boolean => {
        const h = this.hosts.get(n);
        const r = h?.alive === true ? h.storage.get(v.key) : undefined;
        return r !== undefined && compareLww(r, v.record) >= 0;
      };
      if (this.dropCheck === 'strict') {
        const owners = host.view.preferenceList(v.key, this.config.replicationFactor);
        if (owners.includes(host.self)) this.violations.push(`t=${this.now} ${host.self} dropped ${v.key} it owns`);
        for (const o of owners) if (!holds(o)) this.violations.push(`t=${this.now} ${host.self} dropped ${v.key} before owner ${o} held it`);
      } else if (![...this.hosts.keys()].some((n) => n !== host.self && holds(n))) {
        this.violations.push(`t=${this.now} ${host.self} dropped the last copy of ${v.key}`);
      }
    }
  }
}

/** A version for test writes. */
export function ver(physicalMs: number, node: NodeName = 'w'): { physicalMs: number; logical: number; nodeId: number } {
  return { physicalMs, logical: 0, nodeId: hlcNodeId(node) };
}

/** A value record from a string. */
export function val(s: string, physicalMs: number): StoredRecord {
  return valueRecord(new TextEncoder().encode(s), ver(physicalMs));
}

/** A tombstone record. */
export function tomb(physicalMs: number): StoredRecord {
  return tombstoneRecord(ver(physicalMs), 24 * 3_600_000);
}

/** Node names n0..n{k-1}. */
export function names(k: number, prefix = 'n'): string[] {
  return Array.from({ length: k }, (_, i) => `${prefix}${i}`);
}
