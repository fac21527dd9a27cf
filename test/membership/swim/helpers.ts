/**
 * Test helpers for the SWIM core: building nodes, stepping one instance, picking outputs apart,
 * and a tiny message pump with virtual time that wires a handful of instances together. Every
 * packet the pump carries goes through the real codec, so "fits in a packet" is checked on bytes.
 * (This is deliberately not a simulator: no network model beyond drop rules and fixed latency.)
 */
import assert from 'node:assert/strict';
import { Rng } from '../../../src/lib/rng.js';
import { NameRegistry } from '../../../src/membership/registry.js';
import { SwimProtocol } from '../../../src/membership/swim/index.js';
import type { SwimConfig, SwimTimer } from '../../../src/membership/swim/index.js';
import type { MembershipEvent, MembershipInput, MembershipOutput } from '../../../src/membership/types.js';
import { decodePacket, encodePacket } from '../../../src/wire/codec.js';
import type { Address, Channel, Msg, NodeRef } from '../../../src/wire/types.js';
import { TimedHeap } from '../../helpers/timed-heap.js';

export type Out = MembershipOutput<SwimTimer>;
export type Input = MembershipInput<SwimTimer>;

/** Address of test node i. */
export function addrOf(i: number): Address {
  return `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:7946`;
}

/** NodeRef of test node i (named n<i>). */
export function refOf(i: number): NodeRef {
  return { name: `n${i}`, addr: addrOf(i) };
}

/** Refs of nodes 0..count-1. */
export function refs(count: number): NodeRef[] {
  return Array.from({ length: count }, (_, i) => refOf(i));
}

export interface NodeOpts {
  readonly seed?: number;
  readonly config?: Partial<SwimConfig>;
  readonly registry?: NameRegistry;
  readonly initialIncarnation?: number;
  readonly meta?: Uint8Array;
  readonly label?: string;
}

/** Node i. */
export function node(i: number, o: NodeOpts = {}): SwimProtocol {
  return new SwimProtocol({
    self: refOf(i),
    rng: new Rng(o.seed ?? 1000 + i),
    registry: o.registry ?? new NameRegistry(),
    ...(o.config !== undefined ? { config: o.config } : {}),
    ...(o.initialIncarnation !== undefined ? { initialIncarnation: o.initialIncarnation } : {}),
    ...(o.meta !== undefined ? { meta: o.meta } : {}),
    ...(o.label !== undefined ? { label: o.label } : {}),
  });
}

/** Feeds one input and returns the outputs. */
export function step(p: SwimProtocol, input: Input, nowMs: number): Out[] {
  const out: Out[] = [];
  p.handle(input, nowMs, out);
  return out;
}

/** A packet input. */
export function packet(from: Address, msgs: Msg[], channel: Channel = 'packet'): Input {
  return { kind: 'packet', from, channel, msgs };
}

/** A timer input. */
export function timer(t: SwimTimer): Input {
  return { kind: 'timer', timer: t };
}

export type Send = Extract<Out, { kind: 'send' }>;
export type Schedule = Extract<Out, { kind: 'schedule' }>;

export function sends(out: readonly Out[]): Send[] {
  return out.filter((o): o is Send => o.kind === 'send');
}

export function events(out: readonly Out[]): MembershipEvent[] {
  return out.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
}

export function schedules<T extends SwimTimer['type']>(out: readonly Out[], type: T): { afterMs: number; timer: Extract<SwimTimer, { type: T }> }[] {
  return out.flatMap((o) => (o.kind === 'schedule' && o.timer.type === type ? [{ afterMs: o.afterMs, timer: o.timer as Extract<SwimTimer, { type: T }> }] : []));
}

/** The single scheduled timer of `type`; fails otherwise. */
export function oneSchedule<T extends SwimTimer['type']>(out: readonly Out[], type: T): { afterMs: number; timer: Extract<SwimTimer, { type: T }> } {
  const found = schedules(out, type);
  assert.equal(found.length, 1, `expected one ${type} timer, got ${found.length}`);
  return found[0]!;
}

/** All messages of `type` sent in `out`, with their destination. */
export function sentMsgs<T extends Msg['type']>(out: readonly Out[], type: T): { to: Address; msg: Extract<Msg, { type: T }> }[] {
  return sends(out).flatMap((s) => s.msgs.filter((m): m is Extract<Msg, { type: T }> => m.type === type).map((msg) => ({ to: s.to, msg })));
}

/** Starts `p` at time 0 with a converged view of `all` and returns the probe-tick timer. */
export function startConverged(p: SwimProtocol, all: readonly NodeRef[], nowMs = 0): { out: Out[]; tick: { afterMs: number; timer: Extract<SwimTimer, { type: 'probe-tick' }> } } {
  const out = step(p, { kind: 'start', seeds: [], knownMembers: all }, nowMs);
  return { out, tick: oneSchedule(out, 'probe-tick') };
}

/** Encodes `msgs` as the driver would and checks the bytes fit and decode back. */
export function checkPacketFits(msgs: readonly Msg[], channel: Channel, label: string, limitBytes: number, why: string): number {
  const bytes = encodePacket(msgs, { channel, label });
  if (channel === 'packet') assert.ok(bytes.length <= limitBytes, `${why}: packet of ${bytes.length} bytes exceeds ${limitBytes}`);
  const back = decodePacket(bytes, { channel, expectedLabel: label });
  assert.ok(back.ok, `${why}: packet does not decode`);
  return bytes.length;
}

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly to: Address;
  readonly input: Input;
}



/** An event a pump node emitted. */
export interface Logged {
  readonly at: number;
  readonly node: string;
  readonly event: MembershipEvent;
}

/**
 * A tiny virtual-time message pump for a handful of nodes: fixed latency, optional drop rule,
 * crashed nodes receive nothing and fire no timers. Every send is encoded and decoded with the
 * real codec (and packets are checked against the size limit).
 */
export class Pump {
  now = 0;
  readonly nodes = new Map<Address, SwimProtocol>();
  readonly log: Logged[] = [];
  readonly down = new Set<Address>();
  drop: (from: Address, to: Address, msgs: readonly Msg[]) => boolean = () => false;
  packetsSent = 0;
  packetBytesMax = 0;
  private readonly heap = new TimedHeap<Pending>();
  private seq = 0;

  constructor(
    readonly latencyMs = 1,
    readonly label = '',
    readonly checkInvariants = true,
  ) {}

  add(p: SwimProtocol): SwimProtocol {
    this.nodes.set(p.self.addr, p);
    return p;
  }

  /** Feeds `input` to the node at `addr` now and routes its outputs. */
  input(addr: Address, input: Input): void {
    this.deliver(addr, input);
  }

  /** Runs until virtual time `untilMs` (inclusive). */
  runUntil(untilMs: number): void {
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.at > untilMs) break;
      this.heap.pop();
      this.now = next.at;
      if (this.down.has(next.to)) continue;
      this.deliver(next.to, next.input);
    }
    this.now = untilMs;
  }

  /** Events emitted by `name` (or all) of a type. */
  eventsOf(type: MembershipEvent['type'], name?: string): Logged[] {
    return this.log.filter((l) => l.event.type === type && (name === undefined || l.node === name));
  }

  private deliver(addr: Address, input: Input): void {
    const p = this.nodes.get(addr);
    if (p === undefined) return;
    const out: Out[] = [];
    p.handle(input, this.now, out);
    if (this.checkInvariants) p.checkInvariants();
    for (const o of out) {
      switch (o.kind) {
        case 'event':
          this.log.push({ at: this.now, node: p.self.name, event: o.event });
          break;
        case 'schedule':
          assert.ok(o.afterMs >= 0 && Number.isFinite(o.afterMs), `bad timer delay ${o.afterMs}`);
          this.heap.push({ at: this.now + o.afterMs, seq: this.seq++, to: addr, input: { kind: 'timer', timer: o.timer } });
          break;
        case 'send': {
          const bytes = encodePacket(o.msgs, { channel: o.channel, label: this.label });
          if (o.channel === 'packet') {
            this.packetsSent++;
            this.packetBytesMax = Math.max(this.packetBytesMax, bytes.length);
            assert.ok(bytes.length <= p.config.udpPacketBytesMax, `packet of ${bytes.length} bytes from ${addr}`);
          }
          if (this.down.has(addr) || this.drop(addr, o.to, o.msgs)) break;
          const decoded = decodePacket(bytes, { channel: o.channel, expectedLabel: this.label });
          assert.ok(decoded.ok, 'packet must decode');
          this.heap.push({ at: this.now + this.latencyMs, seq: this.seq++, to: o.to, input: { kind: 'packet', from: addr, channel: o.channel, msgs: decoded.value.msgs } });
          break;
        }
      }
    }
  }
}

/** A pump of `count` nodes started with converged views. */
export function convergedPump(count: number, o: { seed?: number; config?: Partial<SwimConfig>; latencyMs?: number } = {}): { pump: Pump; nodes: SwimProtocol[] } {
  const pump = new Pump(o.latencyMs ?? 1);
  const registry = new NameRegistry();
  const all = refs(count);
  const rootSeed = o.seed ?? 42;
  const nodes = all.map((_, i) => pump.add(new SwimProtocol({ self: refOf(i), rng: Rng.child(rootSeed, i), registry, ...(o.config !== undefined ? { config: o.config } : {}) })));
  for (const n of nodes) pump.input(n.self.addr, { kind: 'start', seeds: [], knownMembers: all });
  return { pump, nodes };
}
