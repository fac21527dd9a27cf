/**
 * Tiny deterministic actors for the simulator's own tests (the real protocols are tested in
 * test/membership). EchoActor does only what a script tells it; FakeProbeProtocol is a crude
 * membership protocol (one ping per second, no indirect probes, dead verdicts gossiped once)
 * with SWIM's traffic shape, used to exercise the runner, the checkers and the engine's speed
 * before the real cores exist.
 */
import { assert } from '../../src/lib/assert.js';
import type { Rng } from '../../src/lib/rng.js';
import type { NameRegistry } from '../../src/membership/registry.js';
import { emptyStats, type MemberInfo, type MembershipInput, type MembershipOutput, type MembershipProtocol, type MembershipStats } from '../../src/membership/types.js';
import type { ActorContext, ActorInput, ActorOutput, Tagged } from '../../src/sim/actor.js';
import type { Address, MemberState, Msg, NodeName, NodeRef } from '../../src/wire/types.js';

/** Scripted inputs EchoActor understands. */
export type EchoScript =
  | { readonly kind: 'send'; readonly to: Address; readonly seq: number; readonly channel?: 'packet' | 'stream' }
  | { readonly kind: 'set-timer'; readonly afterMs: number; readonly tag: string };

/** One thing EchoActor saw, for assertions. */
export interface EchoSeen {
  readonly atMs: number;
  readonly what: string;
}

/**
 * Sends a ping when scripted; answers every ping with an ack; records what it receives and which
 * timers fire; emits `{type:'recv'}` / `{type:'timer'}` events.
 */
export class EchoActor {
  readonly self: NodeRef;
  readonly seen: EchoSeen[] = [];
  readonly startedWith: ActorContext;
  invariantChecks = 0;

  constructor(ctx: ActorContext) {
    this.self = { name: ctx.name, addr: ctx.addr };
    this.startedWith = ctx;
  }

  incarnation(): number {
    return this.startedWith.incarnation;
  }

  handle(input: ActorInput, nowMs: number, out: ActorOutput[]): void {
    const i = input as { kind: string } & Partial<Record<string, unknown>>;
    switch (i.kind) {
      case 'start':
        this.seen.push({ atMs: nowMs, what: 'start' });
        return;
      case 'send': {
        const s = input as EchoScript & { kind: 'send' };
        out.push({ kind: 'send', to: s.to, channel: s.channel ?? 'packet', msgs: [{ type: 'ping', seq: s.seq, target: 'x', source: this.self }] });
        return;
      }
      case 'set-timer': {
        const s = input as EchoScript & { kind: 'set-timer' };
        out.push({ kind: 'schedule', afterMs: s.afterMs, timer: { type: 'echo', tag: s.tag } as Tagged });
        return;
      }
      case 'timer': {
        const tag = (input as unknown as { timer: { tag: string } }).timer.tag;
        this.seen.push({ atMs: nowMs, what: `timer ${tag}` });
        out.push({ kind: 'event', event: { type: 'timer', tag } as Tagged });
        return;
      }
      case 'packet': {
        const p = input as { from: Address; channel: 'packet' | 'stream'; msgs: readonly Msg[] };
        for (const m of p.msgs) {
          const seq = (m as { seq?: number }).seq ?? -1;
          this.seen.push({ atMs: nowMs, what: `${p.channel} ${m.type} ${seq} from ${p.from}` });
          out.push({ kind: 'event', event: { type: 'recv', msg: m.type, seq } as Tagged });
          if (m.type === 'ping') out.push({ kind: 'send', to: p.from, channel: p.channel, msgs: [{ type: 'ack', seq: m.seq }] });
        }
        return;
      }
      default:
        this.seen.push({ atMs: nowMs, what: `input ${i.kind}` });
    }
  }

  checkInvariants(): void {
    this.invariantChecks++;
  }
}

/** Builds EchoActors. */
export function echoFactory(ctx: ActorContext): EchoActor {
  return new EchoActor(ctx);
}

type ProbeTimer = { readonly type: 'probe' } | { readonly type: 'probe-timeout'; readonly seq: number; readonly target: number };

const probeIntervalMs = 1000;
const probeTimeoutMs = 500;
const gossipFanout = 3;
/** Up to this many members a dead verdict is sent to every live member. */
const gossipAllMembersMax = 64;
const stateAlive = 1;
const stateDead = 2;

/**
 * A crude membership protocol with SWIM's traffic shape: every second, ping one random member;
 * no ack within 500 ms means dead, which is sent to every member (small clusters) or gossiped to
 * 3 random members once (large ones). Joining is not
 * supported (start from knownMembers). Member state is one byte per registry index, so 10,000
 * of these fit in memory like the real cores do.
 */
export class FakeProbeProtocol implements MembershipProtocol<ProbeTimer> {
  readonly protocol = 'swim' as const;
  readonly self: NodeRef;
  readonly stats: MembershipStats = emptyStats();
  private readonly rng: Rng;
  private readonly inc: number;
  private readonly registry: NameRegistry;
  private readonly selfIndex: number;
  private state = new Uint8Array(0);
  private live = 0;
  private seq = 0;
  private pending = -1;

  constructor(ctx: ActorContext) {
    this.self = { name: ctx.name, addr: ctx.addr };
    this.rng = ctx.rng;
    this.inc = ctx.incarnation;
    this.registry = ctx.registry;
    this.selfIndex = ctx.registry.intern(ctx.name, ctx.addr);
  }

  handle(input: MembershipInput<ProbeTimer>, nowMs: number, out: MembershipOutput<ProbeTimer>[]): void {
    void nowMs;
    if (input.kind === 'start') {
      const known = input.knownMembers ?? [this.self];
      this.state = new Uint8Array(this.registry.size);
      for (const m of known) this.state[this.registry.intern(m.name, m.addr)] = stateAlive;
      this.state[this.selfIndex] = stateAlive;
      this.live = this.state.reduce((a, s) => a + (s === stateAlive ? 1 : 0), 0);
      out.push({ kind: 'schedule', afterMs: this.rng.intBelow(probeIntervalMs), timer: { type: 'probe' } });
    } else if (input.kind === 'timer') {
      this.onTimer(input.timer, out);
    } else if (input.kind === 'packet') {
      for (const m of input.msgs) this.onMsg(input.from, m, out);
    }
  }

  private onTimer(timer: ProbeTimer, out: MembershipOutput<ProbeTimer>[]): void {
    if (timer.type === 'probe') {
      out.push({ kind: 'schedule', afterMs: probeIntervalMs, timer: { type: 'probe' } });
      const target = this.randomLive();
      if (target < 0) return;
      const seq = ++this.seq;
      this.pending = seq;
      this.stats.probesSent++;
      const msg: Msg = { type: 'ping', seq, target: this.registry.nameAt(target), source: this.self };
      out.push({ kind: 'send', to: this.registry.addrAt(target), channel: 'packet', msgs: [msg] });
      out.push({ kind: 'schedule', afterMs: probeTimeoutMs, timer: { type: 'probe-timeout', seq, target } });
    } else if (timer.seq === this.pending) {
      this.stats.probesFailed++;
      this.declareDead(timer.target, this.self.name, out);
    }
  }

  private onMsg(from: Address, m: Msg, out: MembershipOutput<ProbeTimer>[]): void {
    if (m.type === 'ping') out.push({ kind: 'send', to: from, channel: 'packet', msgs: [{ type: 'ack', seq: m.seq }] });
    else if (m.type === 'ack' && m.seq === this.pending) this.pending = -1;
    else if (m.type === 'dead' && m.node !== this.self.name) {
      const index = this.registry.indexOf(m.node);
      if (index !== undefined) this.declareDead(index, m.from, out);
    }
  }

  private declareDead(member: number, from: NodeName, out: MembershipOutput<ProbeTimer>[]): void {
    if (this.state[member] !== stateAlive) return;
    this.state[member] = stateDead;
    this.live--;
    const name = this.registry.nameAt(member);
    out.push({ kind: 'event', event: { type: 'dead', member: name, incarnation: 0, from } });
    const msgs: Msg[] = [{ type: 'dead', node: name, incarnation: 0, from }];
    if (this.state.length <= gossipAllMembersMax) {
      // Small clusters: tell everyone, so detection is complete and tests can rely on it.
      for (let i = 0; i < this.state.length; i++) {
        if (i !== this.selfIndex && this.state[i] === stateAlive) out.push({ kind: 'send', to: this.registry.addrAt(i), channel: 'packet', msgs });
      }
      return;
    }
    for (let k = 0; k < gossipFanout; k++) {
      const to = this.randomLive();
      if (to >= 0) out.push({ kind: 'send', to: this.registry.addrAt(to), channel: 'packet', msgs });
    }
  }

  private randomLive(): number {
    if (this.live <= 1) return -1;
    // Rejection sampling: fine while most members are alive (the fake's use).
    for (let tries = 0; tries < 64; tries++) {
      const index = this.rng.intBelow(this.state.length);
      if (index !== this.selfIndex && this.state[index] === stateAlive) return index;
    }
    return -1;
  }

  member(name: NodeName): MemberInfo | undefined {
    const index = this.registry.indexOf(name);
    const s = index === undefined ? 0 : (this.state[index] ?? 0);
    if (index === undefined || s === 0) return undefined;
    const state: MemberState = s === stateAlive ? 'alive' : 'dead';
    return { name, addr: this.registry.addrAt(index), state, incarnation: 0, meta: new Uint8Array(0), stateChangeMs: 0 };
  }

  members(): MemberInfo[] {
    const result: MemberInfo[] = [];
    for (let i = 0; i < this.state.length; i++) {
      const m = this.member(this.registry.nameAt(i));
      if (m !== undefined) result.push(m);
    }
    return result;
  }

  liveCount(): number {
    return this.live;
  }

  incarnation(): number {
    return this.inc;
  }

  healthScore(): number {
    return 0;
  }

  checkInvariants(): void {
    assert(this.live >= 0 && this.live <= this.state.length, 'live count out of range');
  }
}

/** Builds FakeProbeProtocols (typed as the interface the runner wants). */
export function fakeProbeFactory(ctx: ActorContext): MembershipProtocol {
  return new FakeProbeProtocol(ctx) as MembershipProtocol<ProbeTimer> as unknown as MembershipProtocol;
}
