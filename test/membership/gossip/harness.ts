/**
 * A tiny message pump with virtual time for gossip-protocol tests: a handful of GossipProtocol
 * instances, a priority queue of deliveries and timer firings, uniform latency and independent
 * loss. Every packet goes through the real codec, so packet-size bounds are checked honestly.
 * Deliberately minimal; the real simulator lives in src/sim/.
 */
import assert from 'node:assert/strict';
import { Rng } from '../../../src/lib/rng.js';
import type { GossipConfig, GossipTimer } from '../../../src/membership/gossip/index.js';
import { GossipProtocol } from '../../../src/membership/gossip/index.js';
import { NameRegistry } from '../../../src/membership/registry.js';
import type { MembershipEvent, MembershipInput, MembershipOutput } from '../../../src/membership/types.js';
import { decodePacket, encodePacket } from '../../../src/wire/codec.js';
import { udpPacketBytesMax } from '../../../src/wire/limits.js';
import type { Address, Msg, NodeRef } from '../../../src/wire/types.js';

export interface PumpOptions {
  readonly seed: number;
  /** Probability that a packet is lost. */
  readonly loss?: number;
  /** Latency bounds in ms (uniform). */
  readonly latencyMinMs?: number;
  readonly latencyMaxMs?: number;
  readonly config?: Partial<GossipConfig>;
}

/** One event as a node saw it, with the virtual time it was emitted. */
export interface SeenEvent {
  readonly atMs: number;
  readonly event: MembershipEvent;
}

interface Item {
  readonly atMs: number;
  readonly seq: number;
  readonly addr: Address;
  /** The instance the item belongs to: a crashed or restarted node's old items are dropped. */
  readonly generation: number;
  readonly input: MembershipInput<GossipTimer>;
}

interface Slot {
  proto: GossipProtocol;
  generation: number;
  up: boolean;
  readonly events: SeenEvent[];
}

export function nodeName(i: number): string {
  return `n${i}`;
}

export function nodeAddr(i: number): Address {
  return `10.0.0.${i + 1}:7946`;
}

export class Pump {
  nowMs = 0;
  packetsSent = 0;
  packetsLost = 0;
  maxPacketBytes = 0;
  private readonly net: Rng;
  private readonly queue: Item[] = [];
  private seq = 0;
  private readonly slots = new Map<Address, Slot>();
  private readonly registry = new NameRegistry();

  constructor(readonly options: PumpOptions) {
    this.net = new Rng(options.seed);
  }

  /** Creates node i (not started). */
  add(i: number, initialIncarnation = 0): GossipProtocol {
    const self: NodeRef = { name: nodeName(i), addr: nodeAddr(i) };
    const proto = new GossipProtocol({
      self,
      rng: Rng.child(this.options.seed, i * 1000 + initialIncarnation),
      registry: this.registry,
      initialIncarnation,
      ...(this.options.config === undefined ? {} : { config: this.options.config }),
    });
    const old = this.slots.get(self.addr);
    this.slots.set(self.addr, { proto, generation: (old?.generation ?? 0) + 1, up: true, events: old?.events ?? [] });
    return proto;
  }

  node(i: number): GossipProtocol {
    return this.slot(nodeAddr(i)).proto;
  }

  events(i: number): SeenEvent[] {
    return this.slot(nodeAddr(i)).events;
  }

  isUp(i: number): boolean {
    return this.slot(nodeAddr(i)).up;
  }

  /** Feeds an input to node i now. */
  input(i: number, input: MembershipInput<GossipTimer>): void {
    this.feed(nodeAddr(i), input);
  }

  start(i: number, seeds: readonly number[]): void {
    this.input(i, { kind: 'start', seeds: seeds.map(nodeAddr) });
  }

  /** Stops node i dead: its pending timers and packets addressed to it are dropped. */
  crash(i: number): void {
    const slot = this.slot(nodeAddr(i));
    slot.up = false;
    slot.generation++;
  }

  /** Runs until virtual time `untilMs`, checking every node's invariants after each step. */
  runUntil(untilMs: number): void {
    for (;;) {
      const item = this.pop();
      if (item === undefined) break;
      if (item.atMs > untilMs) {
        this.push(item);
        break;
      }
      this.nowMs = item.atMs;
      const slot = this.slots.get(item.addr);
      if (slot === undefined || !slot.up || slot.generation !== item.generation) continue;
      this.feed(item.addr, item.input);
    }
    this.nowMs = untilMs;
  }

  private feed(addr: Address, input: MembershipInput<GossipTimer>): void {
    const slot = this.slot(addr);
    const out: MembershipOutput<GossipTimer>[] = [];
    slot.proto.handle(input, this.nowMs, out);
    slot.proto.checkInvariants();
    for (const o of out) {
      switch (o.kind) {
        case 'event':
          slot.events.push({ atMs: this.nowMs, event: o.event });
          break;
        case 'schedule':
          assert.ok(o.afterMs >= 0, `seed ${this.options.seed}: negative timer delay`);
          this.push({ atMs: this.nowMs + o.afterMs, seq: this.seq++, addr, generation: slot.generation, input: { kind: 'timer', timer: o.timer } });
          break;
        case 'send':
          this.send(addr, o.to, o.msgs);
          break;
      }
    }
  }

  private send(from: Address, to: Address, msgs: readonly Msg[]): void {
    const bytes = encodePacket(msgs, { channel: 'packet', label: '' });
    assert.ok(bytes.length <= udpPacketBytesMax, `seed ${this.options.seed}: packet of ${bytes.length} bytes`);
    this.maxPacketBytes = Math.max(this.maxPacketBytes, bytes.length);
    this.packetsSent++;
    if (this.net.chance(this.options.loss ?? 0)) {
      this.packetsLost++;
      return;
    }
    const decoded = decodePacket(bytes, { channel: 'packet' });
    assert.ok(decoded.ok, `seed ${this.options.seed}: our own packet did not decode`);
    const target = this.slots.get(to);
    if (target === undefined) return;
    const latency = this.net.intBetween(this.options.latencyMinMs ?? 1, this.options.latencyMaxMs ?? 20);
    this.push({
      atMs: this.nowMs + latency,
      seq: this.seq++,
      addr: to,
      generation: target.generation,
      input: { kind: 'packet', from, channel: 'packet', msgs: decoded.value.msgs },
    });
  }

  private slot(addr: Address): Slot {
    const slot = this.slots.get(addr);
    assert.ok(slot !== undefined, `no node at ${addr}`);
    return slot;
  }

  // A binary min-heap on (atMs, seq): deterministic order for equal times.
  private push(item: Item): void {
    const q = this.queue;
    q.push(item);
    let c = q.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!before(q[c]!, q[p]!)) break;
      [q[c], q[p]] = [q[p]!, q[c]!];
      c = p;
    }
  }

  private pop(): Item | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (q.length === 0 || last === undefined) return top;
    q[0] = last;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < q.length && before(q[l]!, q[m]!)) m = l;
      if (r < q.length && before(q[r]!, q[m]!)) m = r;
      if (m === p) break;
      [q[m], q[p]] = [q[p]!, q[m]!];
      p = m;
    }
    return top;
  }
}

function before(a: Item, b: Item): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/** Starts nodes 0..n-1, all joining through node 0, and runs until `untilMs`. */
export function cluster(options: PumpOptions, n: number, untilMs = 10_000): Pump {
  const pump = new Pump(options);
  for (let i = 0; i < n; i++) pump.add(i);
  pump.start(0, []);
  for (let i = 1; i < n; i++) pump.start(i, [0]);
  pump.runUntil(untilMs);
  return pump;
}

/** Events of `type` about `member` that node i emitted. */
export function eventsAbout(pump: Pump, i: number, type: MembershipEvent['type'], member: string): SeenEvent[] {
  return pump.events(i).filter((e) => e.event.type === type && 'member' in e.event && e.event.member === member);
}
