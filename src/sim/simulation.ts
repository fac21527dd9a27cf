/**
 * The deterministic simulator (architecture §6; TigerBeetle's VOPR, FoundationDB's simulation):
 * many protocol cores, one process, virtual time, an emulated network, scripted faults.
 *
 * Determinism: one root seed. Node i's core gets `Rng.child(seed, i)`; the network (loss,
 * duplication, latency) and the scenario's fault choices each have their own child stream, so
 * adding a trace, a listener or a checker never changes a run. Events at equal times run in the
 * order they were scheduled.
 *
 * Honesty: every send goes through the real codec (`encodePacket` at send, bytes in flight,
 * `decodePacket` at delivery), so byte counts are what a real network would carry.
 *
 * Usage:
 *   const sim = new Simulation({ seed: 42 });
 *   const a = sim.addNode({ factory, startAtMs: 0 });
 *   sim.addNode({ factory, startAtMs: 100, seeds: [a.addr] });
 *   sim.setLossAt(5_000, 0.1);
 *   sim.crashAt(10_000, 'n1');
 *   sim.onEvent((node, event, t) => log.push(`${t} ${node} ${event.type}`));
 *   sim.runUntil(60_000);
 */
import { assert } from '../lib/assert.js';
import { Rng, mix32 } from '../lib/rng.js';
import { NameRegistry } from '../membership/registry.js';
import { encodePacket, decodePacket, type DecodeOptions, type EncodeOptions } from '../wire/codec.js';
import type { Address, NodeName, NodeRef } from '../wire/types.js';
import type { ActorFactory, ActorInput, ActorOutput, EventOutput, Kinded, ScheduleOutput, SendOutput, SimActor, StartInput, Tagged } from './actor.js';
import { EventQueue, eventQueueEventsMaxDefault } from './event-queue.js';
import { sampleLatencyMs } from './latency.js';
import { NetworkModel, simNodesMax, type LinkModel } from './network.js';
import { SimNode } from './sim-node.js';
import { SimStats, TrafficCounters, type DropCounts } from './stats.js';
import { FaultTimeline } from './timeline.js';
import { traceBytes, traceFault, traceMsgs, type TraceSink } from './trace.js';

/** Child-stream index of the network's Rng (node indices stay below simNodesMax, so no clash). */
const networkStreamIndex = 0x7fff_0001;
/** Child-stream index of the scenario's fault-choice Rng. */
const faultStreamIndex = 0x7fff_0002;

/** Default bound on packets a paused node buffers (a socket receive buffer); more are dropped. */
export const pauseBacklogPacketsMaxDefault = 100_000;
/** Default extra delay per lost stream segment (TCP's minimum retransmission timeout). */
export const streamRetransmitDelayMsDefault = 200;
/** Default retransmissions before a stream frame's connection is reset (the frame is dropped). */
export const streamRetransmitsMaxDefault = 8;

// Event kinds (slot `kind` codes).
const evDeliverPacket = 1;
const evDeliverStream = 2;
const evTimer = 3;
const evStart = 4;
const evInput = 5;
const evAction = 6;
const evResume = 7;

/** Simulation settings; only the seed is required. */
export interface SimulationOptions {
  /** Root seed: the whole run is a function of it. */
  readonly seed: number;
  /** Default link model (fields not given keep `linkModelDefault`). */
  readonly link?: Partial<LinkModel>;
  /** Cluster label written into every packet (empty: none). */
  readonly label?: string;
  /** Bound on pending events; at the bound packets are dropped (counted) and timers assert. */
  readonly eventQueueEventsMax?: number;
  /** Bound on packets a paused node buffers; more are dropped (counted). Timers are always kept. */
  readonly pauseBacklogPacketsMax?: number;
  /** Extra delay per lost stream segment, in ms. */
  readonly streamRetransmitDelayMs?: number;
  /** Lost segments a stream frame survives before its connection resets. */
  readonly streamRetransmitsMax?: number;
  /**
   * Debug mode: 0 (default) = off. n > 0: the actor that handled an input checks its invariants
   * after every step, and every actor is checked every n steps.
   */
  readonly checkInvariantsEvery?: number;
  /** Receives one line per message delivered or dropped, and per fault. */
  readonly trace?: TraceSink;
  /** Carries out output kinds the engine does not know (e.g. a KV core's 'persist'); default: assert. */
  readonly onUnknownOutput?: (node: NodeName, output: Kinded, nowMs: number) => void;
}

/** How to add a node. */
export interface AddNodeOptions<TActor extends SimActor> {
  /** Builds the node's actor (now, and again at every restart). */
  readonly factory: ActorFactory<TActor>;
  /** Default `n<index>`. */
  readonly name?: NodeName;
  /** Default `simAddress(index)`. */
  readonly addr?: Address;
  /** When the start input is fed; default now. */
  readonly startAtMs?: number;
  /** Join through these addresses; default none (a new cluster). */
  readonly seeds?: readonly Address[];
  /** Pre-load this converged view (shared, not copied: pass the same array to every node). */
  readonly knownMembers?: readonly NodeRef[];
}

/** How to restart a node. */
export interface RestartOptions {
  /** Keep the node's disk (passed to the factory; meaningful to a future KV core). Default false. */
  readonly keepDisk?: boolean;
  /** Seeds to rejoin through; default the node's original seeds, else the first other running node. */
  readonly seeds?: readonly Address[];
}

/** Hears every event every actor emits. */
export type SimEventListener = (node: NodeName, event: Tagged, nowMs: number) => void;

/** The synthetic address of node `index`: `10.x.y.z:7946`, unique below simNodesMax. */
export function simAddress(index: number): Address {
  return `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}:7946`;
}

/** A deterministic simulation of many actors over an emulated network. */
export class Simulation<TActor extends SimActor = SimActor> {
  /** The root seed. */
  readonly seed: number;
  /** The registry every node's core shares. */
  readonly registry = new NameRegistry();
  /** The network model (read it freely; change it through the simulation so the timeline records it). */
  readonly network = new NetworkModel();
  /** Ground truth of every fault, for checkers. */
  readonly timeline = new FaultTimeline();
  /** Whole-run counters. */
  readonly stats = new SimStats();
  /** Per-node, per-channel packet and byte counters. */
  readonly traffic = new TrafficCounters();
  /** Randomness for scenario choices (which nodes fail, who is partitioned), apart from the network's. */
  readonly faultRng: Rng;

  private readonly label: string;
  /** Codec options per channel, built once (one fewer allocation per packet sent and delivered). */
  private readonly encodeOptions: { readonly packet: EncodeOptions; readonly stream: EncodeOptions };
  private readonly decodeOptions: { readonly packet: DecodeOptions; readonly stream: DecodeOptions };
  private readonly queue: EventQueue;
  private readonly nodes: SimNode<TActor>[] = [];
  private readonly indexByAddr = new Map<Address, number>();
  private readonly indexByName = new Map<NodeName, number>();
  private readonly netRng: Rng;
  private readonly out: ActorOutput[] = [];
  private readonly listeners: SimEventListener[] = [];
  private readonly tracer: TraceSink | null;
  private readonly pauseBacklogPacketsMax: number;
  private readonly streamRetransmitDelayMs: number;
  private readonly streamRetransmitsMax: number;
  private readonly checkEvery: number;
  private readonly onUnknownOutput: ((node: NodeName, output: Kinded, nowMs: number) => void) | null;
  private now = 0;
  private running = false;

  constructor(options: SimulationOptions) {
    assert(Number.isSafeInteger(options.seed), `seed must be a safe integer, got ${options.seed}`);
    this.seed = options.seed;
    this.label = options.label ?? '';
    this.encodeOptions = { packet: { channel: 'packet', label: this.label }, stream: { channel: 'stream', label: this.label } };
    this.decodeOptions = { packet: { channel: 'packet', expectedLabel: this.label }, stream: { channel: 'stream', expectedLabel: this.label } };
    this.queue = new EventQueue(options.eventQueueEventsMax ?? eventQueueEventsMaxDefault);
    this.netRng = Rng.child(options.seed, networkStreamIndex);
    this.faultRng = Rng.child(options.seed, faultStreamIndex);
    this.tracer = options.trace ?? null;
    this.pauseBacklogPacketsMax = options.pauseBacklogPacketsMax ?? pauseBacklogPacketsMaxDefault;
    this.streamRetransmitDelayMs = options.streamRetransmitDelayMs ?? streamRetransmitDelayMsDefault;
    this.streamRetransmitsMax = options.streamRetransmitsMax ?? streamRetransmitsMaxDefault;
    this.checkEvery = options.checkInvariantsEvery ?? 0;
    this.onUnknownOutput = options.onUnknownOutput ?? null;
    assert(Number.isInteger(this.checkEvery) && this.checkEvery >= 0, 'checkInvariantsEvery must be an integer >= 0');
    assert(Number.isInteger(this.pauseBacklogPacketsMax) && this.pauseBacklogPacketsMax >= 0, 'pauseBacklogPacketsMax must be an integer >= 0');
    if (options.link !== undefined) this.network.setDefault(options.link);
  }

  // -------------------------------------------------------------------------------------------
  // Nodes
  // -------------------------------------------------------------------------------------------

  /** Adds a node; its actor is built now and started at `startAtMs`. */
  addNode(options: AddNodeOptions<TActor>): SimNode<TActor> {
    const index = this.nodes.length;
    assert(index < simNodesMax, `at most ${simNodesMax} nodes`);
    const name = options.name ?? `n${index}`;
    const addr = options.addr ?? simAddress(index);
    assert(!this.indexByName.has(name), `node name ${name} is taken`);
    assert(!this.indexByAddr.has(addr), `address ${addr} is taken`);
    const startAtMs = options.startAtMs ?? this.now;
    assert(Number.isFinite(startAtMs) && startAtMs >= this.now, `startAtMs ${startAtMs} is in the past (now ${this.now})`);
    this.registry.intern(name, addr);
    const core = this.build(options.factory, name, addr, 0, 0, false);
    const node = new SimNode<TActor>(index, name, addr, core, options.factory, options.seeds ?? [], options.knownMembers);
    this.nodes.push(node);
    this.indexByName.set(name, index);
    this.indexByAddr.set(addr, index);
    this.traffic.ensure(this.nodes.length);
    const input: StartInput = options.knownMembers === undefined ? { kind: 'start', seeds: node.seeds } : { kind: 'start', seeds: node.seeds, knownMembers: options.knownMembers };
    this.mustPush(startAtMs, evStart, index, 0, node.generation, 0, input);
    return node;
  }

  /** The node called `name` (asserts it exists). `.core` is its current actor. */
  node(name: NodeName): SimNode<TActor> {
    const index = this.indexByName.get(name);
    assert(index !== undefined, `no simulated node named ${name}`);
    return this.nodes[index]!;
  }

  /** The node with simulation index `index`. */
  nodeAt(index: number): SimNode<TActor> {
    const node = this.nodes[index];
    assert(node !== undefined, `no simulated node at index ${index}`);
    return node;
  }

  /** Every node, in index order (do not mutate). */
  get allNodes(): readonly SimNode<TActor>[] {
    return this.nodes;
  }

  /** How many nodes were added. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Index of the node called `name`, or undefined. */
  indexOf(name: NodeName): number | undefined {
    return this.indexByName.get(name);
  }

  /** Index of the node at `addr`, or undefined. */
  indexOfAddr(addr: Address): number | undefined {
    return this.indexByAddr.get(addr);
  }

  /** The current virtual time, in ms. */
  get nowMs(): number {
    return this.now;
  }

  /** Events waiting in the queue. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Most events ever waiting at once. */
  get pendingEventsPeak(): number {
    return this.queue.peakSize;
  }

  /** Subscribes to every event every actor emits. */
  onEvent(listener: SimEventListener): void {
    this.listeners.push(listener);
  }

  // -------------------------------------------------------------------------------------------
  // Scripting: immediate changes, and the same scheduled with *At(ms, ...)
  // -------------------------------------------------------------------------------------------

  /** Runs `fn(sim)` at virtual time `atMs` (after everything already scheduled for that time). */
  at(atMs: number, fn: (sim: this) => void): void {
    assert(Number.isFinite(atMs) && atMs >= this.now, `at(${atMs}) is in the past (now ${this.now})`);
    this.mustPush(atMs, evAction, -1, 0, 0, 0, fn);
  }

  /** Feeds `input` (leave, join, update-meta, a client operation…) to `name`'s core at `atMs`. */
  injectAt<TInput extends Kinded>(atMs: number, name: NodeName, input: TInput): void {
    assert(Number.isFinite(atMs) && atMs >= this.now, `injectAt(${atMs}) is in the past (now ${this.now})`);
    this.mustPush(atMs, evInput, this.node(name).index, 0, 0, 0, input);
  }

  /** Crashes `name` now: its core stops, its timers and backlog are dropped, inbound is dropped. */
  crash(name: NodeName): void {
    const node = this.node(name);
    if (node.status === 'crashed') return;
    node.status = 'crashed';
    node.generation = (node.generation + 1) >>> 0;
    for (const slot of node.backlog) {
      if (this.isPacketSlot(slot)) this.stats.drops.nodeDown++;
      this.queue.release(slot);
    }
    node.backlog.length = 0;
    node.backlogPackets = 0;
    this.timeline.recordCrash(node.index, this.now);
    if (this.tracer !== null) traceFault(this.tracer, this.now, name, 'crash');
  }

  /** Crashes `name` at `atMs`. */
  crashAt(atMs: number, name: NodeName): void {
    this.node(name);
    this.at(atMs, (sim) => sim.crash(name));
  }

  /**
   * Stalls `name` for `durationMs` (a GC pause or a blocked event loop): packets and timers that
   * come due wait, in order, and are processed when it resumes. Pausing a paused node extends it.
   */
  pause(name: NodeName, durationMs: number): void {
    assert(Number.isFinite(durationMs) && durationMs >= 0, `pause duration must be >= 0 ms, got ${durationMs}`);
    const node = this.node(name);
    if (node.status !== 'up' && node.status !== 'paused') return;
    const untilMs = this.now + durationMs;
    node.pausedUntilMs = node.status === 'paused' ? Math.max(node.pausedUntilMs, untilMs) : untilMs;
    node.status = 'paused';
    this.timeline.recordPause(node.index, this.now, untilMs);
    this.mustPush(untilMs, evResume, node.index, 0, node.generation, 0, undefined);
    if (this.tracer !== null) traceFault(this.tracer, this.now, name, `pause ${durationMs}ms`);
  }

  /** Pauses `name` at `atMs` for `durationMs`. */
  pauseAt(atMs: number, name: NodeName, durationMs: number): void {
    this.node(name);
    this.at(atMs, (sim) => sim.pause(name, durationMs));
  }

  /**
   * Restarts `name` now (crashing it first if it runs): a new actor from its factory, one
   * incarnation above the old one, fed a start input through `options.seeds`.
   */
  restart(name: NodeName, options: RestartOptions = {}): void {
    const node = this.node(name);
    if (node.status !== 'crashed') this.crash(name);
    const previous = node.core.incarnation?.() ?? node.restartCount;
    node.restartCount++;
    node.core = this.build(node.factory, node.name, node.addr, previous + 1, node.restartCount, options.keepDisk ?? false);
    node.status = 'pending';
    this.timeline.recordRestart(node.index, this.now);
    const seeds = options.seeds ?? this.restartSeeds(node);
    this.mustPush(this.now, evStart, node.index, 0, node.generation, 0, { kind: 'start', seeds } satisfies StartInput);
    if (this.tracer !== null) traceFault(this.tracer, this.now, name, `restart inc=${previous + 1}${options.keepDisk === true ? ' keep-disk' : ''}`);
  }

  /** Restarts `name` at `atMs`. */
  restartAt(atMs: number, name: NodeName, options: RestartOptions = {}): void {
    this.node(name);
    this.at(atMs, (sim) => sim.restart(name, options));
  }

  /** Records that `name` leaves gracefully now (for the checkers) and feeds it a `leave` input. */
  leave(name: NodeName): void {
    const node = this.node(name);
    this.timeline.recordLeave(node.index, this.now);
    this.mustPush(this.now, evInput, node.index, 0, 0, 0, { kind: 'leave' });
    if (this.tracer !== null) traceFault(this.tracer, this.now, name, 'leave');
  }

  /** `name` leaves gracefully at `atMs`. */
  leaveAt(atMs: number, name: NodeName): void {
    this.node(name);
    this.at(atMs, (sim) => sim.leave(name));
  }

  /** Sets the default datagram loss probability now. */
  setLoss(probability: number): void {
    this.network.setDefault({ lossProbability: probability });
    if (this.tracer !== null) traceFault(this.tracer, this.now, '*', `loss ${probability}`);
  }

  /** Sets the default loss probability at `atMs` (e.g. 0.1 at tick 51, 0 again at tick 301). */
  setLossAt(atMs: number, probability: number): void {
    this.at(atMs, (sim) => sim.setLoss(probability));
  }

  /** Changes the default link model now. */
  setDefaultLink(change: Partial<LinkModel>): void {
    this.network.setDefault(change);
  }

  /** Changes the default link model at `atMs`. */
  setDefaultLinkAt(atMs: number, change: Partial<LinkModel>): void {
    this.at(atMs, (sim) => sim.setDefaultLink(change));
  }

  /** Overrides the link from → to now (one direction); `null` removes the override. */
  setLink(from: NodeName, to: NodeName, change: Partial<LinkModel> | null): void {
    this.network.setLink(this.node(from).index, this.node(to).index, change);
  }

  /** Overrides the link from → to at `atMs`. */
  setLinkAt(atMs: number, from: NodeName, to: NodeName, change: Partial<LinkModel> | null): void {
    this.at(atMs, (sim) => sim.setLink(from, to, change));
  }

  /**
   * Partitions the network now: each listed side can talk only within itself; nodes not listed
   * form one more side together. Replaces any current partition.
   */
  partition(sides: readonly (readonly NodeName[])[]): void {
    const groups = new Int32Array(this.nodes.length);
    sides.forEach((side, k) => {
      for (const name of side) groups[this.node(name).index] = k + 1;
    });
    this.network.partition(groups);
    this.timeline.recordPartition(groups, this.now);
    if (this.tracer !== null) traceFault(this.tracer, this.now, '*', `partition ${sides.map((s) => `{${s.join(',')}}`).join(' ')}`);
  }

  /** Partitions at `atMs`. */
  partitionAt(atMs: number, sides: readonly (readonly NodeName[])[]): void {
    this.at(atMs, (sim) => sim.partition(sides));
  }

  /** Ends the partition now (one-way blocks stay). */
  heal(): void {
    this.network.heal();
    this.timeline.recordHeal(this.now);
    if (this.tracer !== null) traceFault(this.tracer, this.now, '*', 'heal');
  }

  /** Ends the partition at `atMs`. */
  healAt(atMs: number): void {
    this.at(atMs, (sim) => sim.heal());
  }

  /** Blocks from → to only (an asymmetric failure) now. */
  block(from: NodeName, to: NodeName): void {
    const f = this.node(from).index;
    const t = this.node(to).index;
    this.network.block(f, t);
    this.timeline.recordBlock(f, t, this.now);
    if (this.tracer !== null) traceFault(this.tracer, this.now, from, `block ->${to}`);
  }

  /** Blocks from → to at `atMs`. */
  blockAt(atMs: number, from: NodeName, to: NodeName): void {
    this.at(atMs, (sim) => sim.block(from, to));
  }

  /** Lifts the block from → to now. */
  unblock(from: NodeName, to: NodeName): void {
    const f = this.node(from).index;
    const t = this.node(to).index;
    this.network.unblock(f, t);
    this.timeline.recordUnblock(f, t, this.now);
    if (this.tracer !== null) traceFault(this.tracer, this.now, from, `unblock ->${to}`);
  }

  /** Lifts the block from → to at `atMs`. */
  unblockAt(atMs: number, from: NodeName, to: NodeName): void {
    this.at(atMs, (sim) => sim.unblock(from, to));
  }

  // -------------------------------------------------------------------------------------------
  // Running
  // -------------------------------------------------------------------------------------------

  /** Processes every event due at or before `untilMs`, then sets the clock to `untilMs`. */
  runUntil(untilMs: number): void {
    assert(!this.running, 'runUntil called from inside the simulation (a listener or action)');
    assert(untilMs >= this.now, `runUntil(${untilMs}) is in the past (now ${this.now})`);
    this.running = true;
    try {
      const q = this.queue;
      while (q.size > 0 && q.peekTimeMs() <= untilMs) this.step();
      this.now = untilMs;
    } finally {
      this.running = false;
    }
  }

  /** Runs for `durationMs` more. */
  runFor(durationMs: number): void {
    this.runUntil(this.now + durationMs);
  }

  /** Calls `checkInvariants()` on every running actor (annotating a failure with seed, time and node). */
  checkAllInvariants(): void {
    for (const node of this.nodes) if (node.isRunning) this.checkNode(node);
    this.stats.invariantSweeps++;
  }

  /** Processes the earliest event. */
  private step(): void {
    const q = this.queue;
    const t = q.peekTimeMs();
    const slot = q.pop();
    assert(t >= this.now, 'virtual time went backwards');
    this.now = t;
    const stats = this.stats;
    stats.eventsProcessed++;
    switch (q.kind[slot]) {
      case evDeliverPacket:
      case evDeliverStream:
        this.deliver(slot);
        break;
      case evTimer:
        this.fireTimer(slot);
        break;
      case evStart:
      case evInput:
        this.feedInput(slot);
        break;
      case evAction: {
        const fn = q.ref[slot] as (sim: this) => void;
        q.release(slot);
        fn(this);
        break;
      }
      case evResume:
        this.resume(slot);
        break;
      default:
        assert(false, `unknown event kind ${q.kind[slot]}`);
    }
    if (this.checkEvery > 0 && stats.eventsProcessed % this.checkEvery === 0) this.checkAllInvariants();
  }

  private deliver(slot: number): void {
    const q = this.queue;
    const to = this.nodes[q.node[slot]!]!;
    if (to.status === 'paused') {
      this.defer(to, slot);
      return;
    }
    const from = this.nodes[q.argA[slot]!]!;
    const stream = q.kind[slot] === evDeliverStream;
    const bytes = q.ref[slot] as Uint8Array;
    let drop: keyof DropCounts | null = null;
    if (to.status !== 'up') drop = 'nodeDown';
    else if (stream && (q.argB[slot] !== to.generation || q.argC[slot] !== from.generation)) drop = 'connectionReset';
    else if (this.network.isCut(from.index, to.index)) drop = 'partition';
    q.release(slot);
    const channel = stream ? 'stream' : 'packet';
    if (drop !== null) {
      this.stats.drops[drop]++;
      if (this.tracer !== null) traceBytes(this.tracer, this.now, from.name, to.name, channel, `drop:${drop}`, bytes, this.label);
      return;
    }
    this.stats.bytesDelivered += bytes.length;
    this.traffic.received(to.index, stream, bytes.length);
    const decoded = decodePacket(bytes, this.decodeOptions[channel]);
    if (!decoded.ok) {
      this.stats.drops.decodeError++;
      if (this.tracer !== null) traceBytes(this.tracer, this.now, from.name, to.name, channel, 'drop:decodeError', bytes, this.label);
      return;
    }
    this.stats.packetsDelivered++;
    const msgs = decoded.value.msgs;
    if (this.tracer !== null) traceMsgs(this.tracer, this.now, from.name, to.name, channel, 'recv', msgs);
    this.invoke(to, { kind: 'packet', from: from.addr, channel, msgs });
  }

  private fireTimer(slot: number): void {
    const q = this.queue;
    const node = this.nodes[q.node[slot]!]!;
    if (q.argB[slot] !== node.generation || node.status === 'crashed') {
      this.stats.timersDiscarded++;
      q.release(slot);
      return;
    }
    if (node.status === 'paused') {
      this.defer(node, slot);
      return;
    }
    const timer = q.ref[slot] as Tagged;
    q.release(slot);
    this.stats.timersFired++;
    this.invoke(node, { kind: 'timer', timer });
  }

  /** Start inputs (bound to a generation) and scripted inputs (fed to whichever life is running). */
  private feedInput(slot: number): void {
    const q = this.queue;
    const node = this.nodes[q.node[slot]!]!;
    const isStart = q.kind[slot] === evStart;
    if (isStart && q.argB[slot] !== node.generation) {
      q.release(slot);
      return;
    }
    if (node.status === 'paused') {
      this.defer(node, slot);
      return;
    }
    const input = q.ref[slot] as ActorInput;
    q.release(slot);
    if (isStart) {
      assert(node.status === 'pending', `node ${node.name} started twice`);
      node.status = 'up';
      this.timeline.recordStart(node.index, this.now);
    } else if (node.status !== 'up') {
      return; // A scripted input for a node that is down or not started yet: nobody to feed.
    }
    this.invoke(node, input);
  }

  private resume(slot: number): void {
    const q = this.queue;
    const node = this.nodes[q.node[slot]!]!;
    const current = q.argB[slot] === node.generation && node.status === 'paused' && this.now >= node.pausedUntilMs;
    q.release(slot);
    if (!current) return; // Crashed meanwhile, or the pause was extended.
    node.status = 'up';
    // Replay what came due during the pause, in its original order, now.
    for (const backlogged of node.backlog) q.schedule(backlogged, this.now);
    node.backlog.length = 0;
    node.backlogPackets = 0;
    if (this.tracer !== null) traceFault(this.tracer, this.now, node.name, 'resume');
  }

  /** Parks an event of a paused node until it resumes; packets beyond the bound are dropped. */
  private defer(node: SimNode<TActor>, slot: number): void {
    if (this.isPacketSlot(slot)) {
      if (node.backlogPackets >= this.pauseBacklogPacketsMax) {
        this.stats.drops.pauseBacklogFull++;
        this.queue.release(slot);
        return;
      }
      node.backlogPackets++;
    }
    node.backlog.push(slot);
  }

  private isPacketSlot(slot: number): boolean {
    const kind = this.queue.kind[slot];
    return kind === evDeliverPacket || kind === evDeliverStream;
  }

  /** Feeds one input to a running core and carries out its outputs. */
  private invoke(node: SimNode<TActor>, input: ActorInput): void {
    const generation = node.generation;
    const out = this.out;
    try {
      node.core.handle(input, this.now, out);
      this.stats.inputsHandled++;
      if (out.length > 0) this.carryOut(node, generation);
    } catch (error) {
      out.length = 0;
      throw this.annotate(error, node.name);
    }
    if (this.checkEvery > 0) this.checkNode(node);
  }

  private carryOut(node: SimNode<TActor>, generation: number): void {
    const out = this.out;
    // Outputs are carried out in order; a listener may script faults but never re-enters handle().
    for (let i = 0; i < out.length; i++) {
      const o = out[i]!;
      const kind = o.kind;
      if (kind === 'send') this.send(node, o as SendOutput);
      else if (kind === 'schedule') this.scheduleTimer(node, generation, o as ScheduleOutput);
      else if (kind === 'event') this.emit(node, (o as EventOutput).event);
      else if (this.onUnknownOutput !== null) this.onUnknownOutput(node.name, o, this.now);
      else assert(false, `node ${node.name} emitted output kind "${kind}" and no onUnknownOutput handler is set`);
    }
    out.length = 0;
  }

  private scheduleTimer(node: SimNode<TActor>, generation: number, o: ScheduleOutput): void {
    assert(o.afterMs >= 0 && Number.isFinite(o.afterMs), `node ${node.name} scheduled a timer ${o.afterMs} ms ahead`);
    this.mustPush(this.now + o.afterMs, evTimer, node.index, 0, generation, 0, o.timer);
  }

  private emit(node: SimNode<TActor>, event: Tagged): void {
    this.stats.eventsEmitted++;
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(node.name, event, this.now);
  }

  /** Encodes, counts and routes one send through the network model. */
  private send(node: SimNode<TActor>, o: SendOutput): void {
    const channel = o.channel;
    const stream = channel === 'stream';
    const bytes = encodePacket(o.msgs, this.encodeOptions[channel]);
    const stats = this.stats;
    stats.packetsSent++;
    stats.bytesSent += bytes.length;
    stats.messagesSent += o.msgs.length;
    this.traffic.sent(node.index, stream, bytes.length);
    const toIndex = this.indexByAddr.get(o.to);
    if (toIndex === undefined) {
      stats.drops.unknownAddress++;
      if (this.tracer !== null) traceMsgs(this.tracer, this.now, node.name, o.to, channel, 'drop:unknownAddress', o.msgs);
      return;
    }
    const to = this.nodes[toIndex]!;
    const net = this.network;
    if (net.isCut(node.index, toIndex)) {
      stats.drops.partition++;
      if (this.tracer !== null) traceMsgs(this.tracer, this.now, node.name, to.name, channel, 'drop:partition', o.msgs);
      return;
    }
    const link = net.linkFor(node.index, toIndex);
    const rng = this.netRng;
    if (stream) {
      // TCP does not lose frames: each lost segment costs a retransmission timeout instead.
      let delayMs = sampleLatencyMs(link.latency, rng);
      let retransmits = 0;
      while (rng.chance(link.lossProbability)) {
        if (++retransmits > this.streamRetransmitsMax) {
          stats.drops.connectionReset++;
          if (this.tracer !== null) traceMsgs(this.tracer, this.now, node.name, to.name, channel, 'drop:connectionReset', o.msgs);
          return;
        }
        delayMs += this.streamRetransmitDelayMs;
      }
      this.enqueueDelivery(evDeliverStream, node, to, bytes, delayMs, o);
      return;
    }
    if (rng.chance(link.lossProbability)) {
      stats.drops.loss++;
      if (this.tracer !== null) traceMsgs(this.tracer, this.now, node.name, to.name, channel, 'drop:loss', o.msgs);
      return;
    }
    const copies = rng.chance(link.duplicateProbability) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      let delayMs = sampleLatencyMs(link.latency, rng);
      if (rng.chance(link.reorderProbability)) delayMs += rng.intBetween(0, link.reorderDelayMsMax);
      this.enqueueDelivery(evDeliverPacket, node, to, bytes, delayMs, o);
    }
    if (copies === 2) stats.duplicates++;
  }

  private enqueueDelivery(kind: number, from: SimNode<TActor>, to: SimNode<TActor>, bytes: Uint8Array, delayMs: number, o: SendOutput): void {
    if (this.queue.push(this.now + delayMs, kind, to.index, from.index, to.generation, from.generation, bytes)) return;
    this.stats.drops.queueFull++;
    if (this.tracer !== null) traceMsgs(this.tracer, this.now, from.name, to.name, o.channel, 'drop:queueFull', o.msgs);
  }

  /** Pushes an event that must not be lost (timers, starts, actions): the queue bound is an assertion. */
  private mustPush(atMs: number, kind: number, node: number, argA: number, argB: number, argC: number, ref: unknown): void {
    const pushed = this.queue.push(atMs, kind, node, argA, argB, argC, ref);
    assert(pushed, `event queue full (${this.queue.eventsMax} events; raise eventQueueEventsMax or find the runaway)`);
  }

  private build(factory: ActorFactory<TActor>, name: NodeName, addr: Address, incarnation: number, restartCount: number, keepDisk: boolean): TActor {
    const index = this.indexByName.get(name) ?? this.nodes.length;
    const core = factory({ name, addr, rng: this.nodeRng(index, restartCount), registry: this.registry, incarnation, restartCount, keepDisk });
    assert(core.self.name === name && core.self.addr === addr, `factory built ${core.self.name}@${core.self.addr} for ${name}@${addr}`);
    return core;
  }

  /** Node i's first life uses Rng.child(seed, i); each restart gets a fresh, equally derived stream. */
  private nodeRng(index: number, restartCount: number): Rng {
    if (restartCount === 0) return Rng.child(this.seed, index);
    return Rng.child(mix32(this.seed ^ mix32(restartCount + 0x3c6ef372)), index);
  }

  private restartSeeds(node: SimNode<TActor>): readonly Address[] {
    const own = node.seeds.filter((a) => a !== node.addr);
    if (own.length > 0) return own;
    const other = this.nodes.find((n) => n !== node && n.isRunning);
    return other === undefined ? [] : [other.addr];
  }

  private checkNode(node: SimNode<TActor>): void {
    try {
      node.core.checkInvariants();
    } catch (error) {
      throw this.annotate(error, node.name);
    }
  }

  /** Adds seed, time and node to an error thrown by a core, so the failure names its replay. */
  private annotate(error: unknown, name: NodeName): unknown {
    if (error instanceof Error && !error.message.includes('[sim seed=')) {
      error.message += ` [sim seed=${this.seed} t=${this.now}ms node=${name}]`;
    }
    return error;
  }
}
