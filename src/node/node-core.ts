/**
 * NodeCore: one ringkv node as a pure state machine (architecture §1): SWIM membership, the ring
 * built from the live members, and the KV layer (coordinator, replica, hinted handoff, rebalancer)
 * behind one `handle(input, nowMs, out)`. The simulator and the runtime drive it exactly like a
 * membership protocol, plus client operations in and replies out (src/node/types.ts).
 *
 * Routing (docs/architecture.md, "NodeCore"):
 *  - inputs start/leave/join/update-meta and membership messages go to SWIM; its timers come back
 *    wrapped as `{ type: 'membership', timer }`, its events pass through as NodeOutput events;
 *  - membership events that change the live set (alive + suspect) rebuild the ring, emit
 *    `kv-ring-changed` and call `rebalancer.onRingChange(previousRing)`;
 *  - `client` inputs go to the coordinator (exactly one 'reply' output each);
 *  - `kv-req` goes to the replica (its answer goes back to the sender), `kv-rep` to the coordinator;
 *  - `kv-range-batch` of kind 'hint', and `kv-range-ack`s whose streamId lies outside the
 *    rebalancer's id space (`isRebalancerStreamId`, rebalance-types.ts: hint streams use ids below
 *    2^31), go to hint replay; every other rebalancer message type (RebalancerMsgType) goes to the
 *    rebalancer. Hint routing is checked first on purpose: the rebalancer shares the two message
 *    types for its transfers;
 *  - KV timers come back as `{ type: 'kv', timer }` and are dispatched by their type (kv-timers.ts).
 * All KV traffic goes on the 'stream' channel (reliable, ordered: TCP in the runtime).
 *
 * One hybrid logical clock per node: physical time is `nowMs`; every version received is observed;
 * at construction the clock is seeded from the newest version in storage, so a node restarted
 * with its disk never issues a version below one it already stored.
 */
import { assert, unreachable } from '../lib/assert.js';
import type { Result } from '../lib/result.js';
import { Rng } from '../lib/rng.js';
import type { NameRegistry } from '../membership/registry.js';
import { SwimProtocol } from '../membership/swim/index.js';
import type { SwimConfig, SwimOptions, SwimTimer } from '../membership/swim/index.js';
import type { MembershipInput, MembershipOutput } from '../membership/types.js';
import { Ring } from '../ring/ring.js';
import type { Address, KvMsg, KvVersion, Msg, NodeName, NodeRef } from '../wire/types.js';
import type { ClientResult } from '../kv/client-types.js';
import { resolveKvConfig } from '../kv/config.js';
import type { KvConfig } from '../kv/config.js';
import { Coordinator } from '../kv/coordinator.js';
import type { CoordinatorStats } from '../kv/coordinator-types.js';
import type { KvError } from '../kv/errors.js';
import type { KvEvent } from '../kv/events.js';
import { HintReplay } from '../kv/hint-replay.js';
import type { HintReplayStats } from '../kv/hint-replay.js';
import { Hlc, hlcMaxDriftMsDefault, hlcNodeId } from '../kv/hlc.js';
import type { Rebalancer } from '../kv/rebalance-types.js';
import { createRebalancer } from '../kv/rebalancer.js';
import { Replica } from '../kv/replica.js';
import type { ReplicaStats } from '../kv/replica.js';
import type { Storage } from '../kv/storage.js';
import type { KvTimer } from './kv-timers.js';
import { LiveMembers } from './live-members.js';
import { newestStoredVersion } from './storage-clock.js';
import type { NodeEvent, NodeInput, NodeOutput } from './types.js';

/** How to build a NodeCore. */
export interface NodeCoreOptions {
  /** This node's unique name and listening address. */
  readonly self: NodeRef;
  /** The only source of randomness (the simulator derives one per node from its root seed). */
  readonly rng: Rng;
  /** This node's local store (kept across restarts when the disk is kept). */
  readonly storage: Storage;
  /** Shared name interning (the simulator passes one registry to all nodes). */
  readonly registry?: NameRegistry;
  /** Overrides of the SWIM defaults (validated by SwimProtocol, asserted). */
  readonly membership?: Partial<SwimConfig>;
  /** Overrides of the KV defaults (validated by resolveKvConfig, asserted). */
  readonly kv?: Partial<KvConfig>;
  /** Incarnation to start at; a restarted node passes one above its previous life's. */
  readonly initialIncarnation?: number;
  /** Membership metadata (e.g. the KV endpoint). */
  readonly meta?: Uint8Array;
  /** Cluster label carried in every envelope. */
  readonly label?: string;
  /** A received version more than this many ms ahead of local time is refused. Default hlcMaxDriftMsDefault (500). */
  readonly hlcMaxDriftMs?: number;
}

/** Counters of one node's KV layer (membership keeps its own: `membership.stats`). */
export interface NodeStats {
  readonly coordinator: CoordinatorStats;
  readonly replica: ReplicaStats;
  readonly hints: HintReplayStats;
  /** Ring rebuilds after the live set changed. */
  ringChanges: number;
  /** KV messages dropped: received before start, or answers from an address no member has. */
  kvMessagesIgnored: number;
  /** Received versions the HLC refused as too far ahead (KV_ERR_CLOCK_DRIFT). */
  clockDriftRejections: number;
}

/** Child-stream index of the rebalancer's Rng, so its draws never shift SWIM's. */
const rebalancerRngStream = 0x4b56_0001;

/** One ringkv node (see the module comment). */
export class NodeCore {
  readonly self: NodeRef;
  /** The membership protocol (SWIM + Lifeguard). */
  readonly membership: SwimProtocol;
  /** This node's local store. */
  readonly storage: Storage;
  /** The validated KV configuration in force. */
  readonly config: KvConfig;
  readonly stats: NodeStats;
  private currentRing: Ring;
  private readonly live = new LiveMembers();
  private readonly hlc: Hlc;
  private readonly replica: Replica;
  private readonly coordinator: Coordinator;
  private readonly hints: HintReplay;
  private readonly rebalancer: Rebalancer;
  /** The caller's output array during handle(); components append to it through their hosts. */
  private out: NodeOutput[];
  /** Where `out` points between handle() calls: outputs produced there would be a bug (asserted empty). */
  private readonly detachedOut: NodeOutput[] = [];
  private readonly membershipOut: MembershipOutput<SwimTimer>[] = [];
  private started = false;
  /** Started with seeds and no seed has answered yet. */
  private joining = false;
  private leaving = false;
  private hintTimerArmed = false;
  /** While true (during start), ring rebuilds wait for the full member list. */
  private deferRing = false;

  constructor(options: NodeCoreOptions) {
    const kv = resolveKvConfig(options.kv);
    assert(kv.ok, kv.ok ? '' : kv.error.message);
    this.config = kv.value;
    this.self = { name: options.self.name, addr: options.self.addr };
    this.out = this.detachedOut;
    this.storage = options.storage;
    const swim: SwimOptions = {
      self: this.self,
      rng: options.rng,
      ...(options.membership !== undefined && { config: options.membership }),
      ...(options.registry !== undefined && { registry: options.registry }),
      ...(options.initialIncarnation !== undefined && { initialIncarnation: options.initialIncarnation }),
      ...(options.meta !== undefined && { meta: options.meta }),
      ...(options.label !== undefined && { label: options.label }),
    };
    this.membership = new SwimProtocol(swim);
    this.hlc = new Hlc(hlcNodeId(this.self.name), { hlcMaxDriftMs: options.hlcMaxDriftMs ?? hlcMaxDriftMsDefault }, newestStoredVersion(this.storage));
    this.currentRing = Ring.build([], this.config.tokensPerNode);
    this.replica = new Replica({ storage: this.storage, config: this.config, observe: (v, now) => this.observe(v, now), emit: (e) => this.emit(e) });
    this.hints = new HintReplay({
      self: this.self.name,
      config: this.config,
      storage: this.storage,
      isAlive: (node) => this.membership.member(node)?.state === 'alive',
      send: (node, msg) => this.sendKv(node, [msg]),
      observe: (v, now) => this.observe(v, now),
      emit: (e) => this.emit(e),
    });
    this.coordinator = new Coordinator({
      self: this.self.name,
      config: this.config,
      ring: () => this.routingRing(),
      isSuspect: (node) => this.membership.member(node)?.state === 'suspect',
      send: (node, msg) => this.sendKv(node, [msg]),
      serveLocally: (msg, now) => this.replica.serve(this.self.name, msg, now, true),
      newVersion: (now) => this.hlc.now(now),
      schedule: (afterMs, timer) => this.scheduleKv(afterMs, timer),
      emit: (e) => this.emit(e),
      reply: (requestId, result) => this.reply(requestId, result),
      storeHint: (target, key, record, now) => {
        this.hints.add(target, key, record, now);
        this.armHintTimer();
      },
      hintAcknowledged: (target, key, version) => this.hints.acknowledged(target, key, version),
    });
    this.rebalancer = createRebalancer(
      {
        self: this.self.name,
        storage: this.storage,
        config: this.config,
        ring: () => this.currentRing,
        addressOf: (node) => this.live.addressOf(node),
        nameAt: (addr) => this.live.nameAt(addr),
        send: (node, msgs) => void this.sendKv(node, msgs),
        schedule: (afterMs, timer) => this.scheduleKv(afterMs, { type: 'rebalancer', timer }),
        emit: (e) => this.emit(e),
      },
      Rng.child(options.rng.nextU32(), rebalancerRngStream),
    );
    this.stats = { coordinator: this.coordinator.stats, replica: this.replica.stats, hints: this.hints.stats, ringChanges: 0, kvMessagesIgnored: 0, clockDriftRejections: 0 };
  }

  /** Feeds one input at `nowMs` and appends the resulting outputs to `out`. */
  handle(input: NodeInput, nowMs: number, out: NodeOutput[]): void {
    this.out = out;
    try {
      switch (input.kind) {
        case 'start':
          this.onStart(input, nowMs);
          break;
        case 'packet':
          this.onPacket(input.from, input.channel, input.msgs, nowMs);
          break;
        case 'timer':
          if (input.timer.type === 'membership') this.runMembership({ kind: 'timer', timer: input.timer.timer as SwimTimer }, nowMs);
          else this.onKvTimer(input.timer.timer as KvTimer, nowMs);
          break;
        case 'leave':
          if (this.started) this.leaving = true;
          this.runMembership(input, nowMs);
          break;
        case 'update-meta':
        case 'join':
          this.runMembership(input, nowMs);
          break;
        case 'client':
          this.coordinator.submit(input.requestId, input.op, nowMs);
          break;
        default:
          unreachable(input, 'unknown node input');
      }
    } finally {
      this.out = this.detachedOut;
    }
  }

  /** The current ring (live members: alive and suspect); empty before start. */
  ring(): Ring {
    return this.currentRing;
  }

  /** This node's membership incarnation (the simulator restarts a node one above it). */
  incarnation(): number {
    return this.membership.incarnation();
  }

  /** The last version this node's hybrid logical clock issued or observed (or restored from storage). */
  clock(): KvVersion {
    return this.hlc.peek();
  }

  /** Client requests in flight on this node as coordinator. */
  get inflightRequests(): number {
    return this.coordinator.inflight;
  }

  /** Hints this node holds for other replicas. */
  get hintsHeld(): number {
    return this.hints.size;
  }

  /** Throws an AssertionError if an internal invariant is broken. */
  checkInvariants(): void {
    assert(this.detachedOut.length === 0, 'a component produced output outside handle()');
    this.membership.checkInvariants();
    this.coordinator.checkInvariants();
    this.hints.checkInvariants();
    this.rebalancer.checkInvariants();
    assert(this.currentRing.size === this.live.size, `ring has ${this.currentRing.size} nodes, live set ${this.live.size}`);
    for (const n of this.currentRing.nodes) assert(this.live.has(n), `ring node ${n} is not live`);
    if (this.started && !this.leaving) assert(this.live.has(this.self.name), 'a running node is on its own ring');
  }

  // --- inputs ---------------------------------------------------------------------------------------

  private onStart(input: Extract<NodeInput, { kind: 'start' }>, nowMs: number): void {
    if (this.started) {
      this.runMembership(input, nowMs); // SWIM counts the duplicate start as ignored
      return;
    }
    this.started = true;
    this.joining = input.seeds.some((a) => a !== this.self.addr);
    this.deferRing = true;
    try {
      this.runMembership(input, nowMs);
    } finally {
      this.deferRing = false;
    }
    this.rebalancer.start(nowMs);
    // A pre-loaded view arrives without events: take the live set from the member list.
    if (this.live.resetFrom(this.membership.members())) this.rebuildRing(nowMs);
  }

  private onPacket(from: Address, channel: 'packet' | 'stream', msgs: readonly Msg[], nowMs: number): void {
    let kvCount = 0;
    for (const m of msgs) if (isKvMsg(m)) kvCount++;
    if (kvCount === 0) {
      this.runMembership({ kind: 'packet', from, channel, msgs }, nowMs);
      return;
    }
    if (kvCount < msgs.length) this.runMembership({ kind: 'packet', from, channel, msgs: msgs.filter((m) => !isKvMsg(m)) }, nowMs);
    for (const m of msgs) {
      if (!isKvMsg(m)) continue;
      if (!this.started) this.stats.kvMessagesIgnored++;
      else this.routeKv(from, m, nowMs);
    }
  }

  /** Routes one KV message (see the module comment for the table). */
  private routeKv(from: Address, m: KvMsg, nowMs: number): void {
    switch (m.type) {
      case 'kv-req': {
        // The course's log pairs a replica's line with its coordinator's by (name, reqId).
        const rep = this.replica.serve(this.live.nameAt(from) ?? from, m, nowMs);
        this.out.push({ kind: 'send', to: from, channel: 'stream', msgs: [rep] });
        return;
      }
      case 'kv-rep': {
        const name = this.live.nameAt(from);
        if (name === undefined) {
          this.stats.kvMessagesIgnored++;
          return;
        }
        if (m.version !== null) this.observe(m.version, nowMs);
        this.coordinator.onResponse(name, m, nowMs);
        return;
      }
      case 'kv-range-batch':
        // Hint replay shares this message type with the rebalancer's transfers: kind 'hint' is ours.
        if (m.kind === 'hint') {
          this.out.push({ kind: 'send', to: from, channel: 'stream', msgs: [this.hints.receive(m, nowMs)] });
          return;
        }
        for (const e of m.entries) this.observe(e.version, nowMs);
        this.rebalancer.handleMessage(from, m, nowMs);
        return;
      case 'kv-range-ack':
        // Acks carry no kind: the streamId's range says whose stream it answers.
        if (this.hints.ownsAck(m)) this.hints.onAck(this.live.nameAt(from), m);
        else this.rebalancer.handleMessage(from, m, nowMs);
        return;
      case 'kv-fetch-rep':
        for (const e of m.entries) this.observe(e.version, nowMs);
        this.rebalancer.handleMessage(from, m, nowMs);
        return;
      case 'kv-keys-rep':
        for (const e of m.entries) this.observe(e.version, nowMs);
        this.rebalancer.handleMessage(from, m, nowMs);
        return;
      case 'kv-merkle-req':
      case 'kv-merkle-rep':
      case 'kv-keys-req':
      case 'kv-fetch-req':
        this.rebalancer.handleMessage(from, m, nowMs);
        return;
      default:
        unreachable(m, 'unknown kv message');
    }
  }

  private onKvTimer(timer: KvTimer, nowMs: number): void {
    switch (timer.type) {
      case 'coord-deadline':
      case 'coord-repair':
      case 'coord-spare':
        this.coordinator.handleTimer(timer, nowMs);
        return;
      case 'hint-replay':
        this.hintTimerArmed = false;
        this.hints.tick(nowMs);
        if (this.hints.size > 0) this.armHintTimer();
        return;
      case 'rebalancer':
        this.rebalancer.handleTimer(timer.timer, nowMs);
        return;
      default:
        unreachable(timer, 'unknown kv timer');
    }
  }

  // --- membership and the ring ------------------------------------------------------------------------

  /** Runs SWIM, wraps its timers, passes its events on, and rebuilds the ring when the live set changed. */
  private runMembership(input: MembershipInput<SwimTimer>, nowMs: number): void {
    const mOut = this.membershipOut;
    mOut.length = 0;
    this.membership.handle(input, nowMs, mOut);
    let changed = false;
    for (const o of mOut) {
      if (o.kind === 'schedule') {
        this.out.push({ kind: 'schedule', afterMs: o.afterMs, timer: { type: 'membership', timer: o.timer } });
      } else if (o.kind === 'send') {
        this.out.push(o);
      } else {
        this.out.push(o);
        const e = o.event;
        if (this.live.onEvent(e)) changed = true;
        if (e.type === 'joined') this.joining = false;
        // A dead or departed target gets no hints: the rebalancer re-replicates its ranges instead.
        if (e.type === 'dead' || e.type === 'leave') this.hints.dropTarget(e.member);
      }
    }
    mOut.length = 0;
    if (changed && !this.deferRing) this.rebuildRing(nowMs);
  }

  private rebuildRing(nowMs: number): void {
    const previous = this.currentRing;
    this.currentRing = Ring.build(this.live.names(), this.config.tokensPerNode);
    this.stats.ringChanges++;
    this.emit({ type: 'kv-ring-changed', nodes: this.currentRing.size });
    this.rebalancer.onRingChange(previous, nowMs);
  }

  /** The ring the coordinator routes by, or why this node cannot coordinate yet. */
  private routingRing(): Ring | string {
    if (!this.started) return 'the node has not started';
    if (this.leaving) return 'the node is leaving the cluster';
    if (this.joining && this.live.size <= 1) return 'the node is still joining the cluster';
    if (this.currentRing.size === 0) return 'the ring is empty';
    return this.currentRing;
  }

  // --- outputs ---------------------------------------------------------------------------------------

  private observe(version: KvVersion, nowMs: number): Result<unknown, KvError> {
    const r = this.hlc.observe(version, nowMs);
    if (!r.ok) this.stats.clockDriftRejections++;
    return r;
  }

  /** Sends KV messages to a member on the stream channel; false when its address is unknown. */
  private sendKv(node: NodeName, msgs: readonly KvMsg[]): boolean {
    const addr = node === this.self.name ? this.self.addr : this.live.addressOf(node);
    if (addr === undefined) return false;
    this.out.push({ kind: 'send', to: addr, channel: 'stream', msgs });
    return true;
  }

  private scheduleKv(afterMs: number, timer: KvTimer): void {
    this.out.push({ kind: 'schedule', afterMs, timer: { type: 'kv', timer } });
  }

  private armHintTimer(): void {
    if (this.hintTimerArmed || this.hints.size === 0) return;
    this.hintTimerArmed = true;
    this.scheduleKv(this.config.hintReplayIntervalMs, { type: 'hint-replay' });
  }

  private emit(event: NodeEvent): void {
    this.out.push({ kind: 'event', event });
  }

  private reply(requestId: number, result: ClientResult): void {
    this.out.push({ kind: 'reply', requestId, result });
  }
}

/** True for the KV layer's messages (every KV type is prefixed `kv-`). */
function isKvMsg(m: Msg): m is KvMsg {
  return m.type.startsWith('kv-');
}

// KvEvent is part of NodeEvent; this keeps the two in step at compile time.
const _kvEventIsNodeEvent = (e: KvEvent): NodeEvent => e;
void _kvEventIsNodeEvent;
