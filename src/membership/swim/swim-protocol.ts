/**
 * SWIM + Lifeguard as a pure state machine (architecture §1, §3): the failure detector (shuffled
 * round-robin probing, ping → ack, ping-req through k helpers with nacks, suspicion), the gossip
 * tick, push-pull anti-entropy, join, leave, and packet assembly with piggybacked broadcasts.
 * The member view and its precedence rules live in view.ts.
 *
 * Scale: per-member state is typed arrays; nothing here does O(N) work per message or per probe
 * (only per probe-order wrap-around, per push-pull, and in deep invariant checks).
 */
import { assert, unreachable } from '../../lib/assert.js';
import type { Rng } from '../../lib/rng.js';
import { envelopeBytes, messageBytes } from '../../wire/codec.js';
import { messagesPerPacketMax } from '../../wire/limits.js';
import type { Address, AckMsg, AliveMsg, Channel, DeadMsg, IndirectPingMsg, Msg, NackMsg, NodeName, NodeRef, PingMsg, PushPullMsg } from '../../wire/types.js';
import { NameRegistry } from '../registry.js';
import { emptyStats } from '../types.js';
import type { MemberInfo, MembershipInput, MembershipOutput, MembershipProtocol, MembershipStats } from '../types.js';
import { resolveSwimConfig } from './config.js';
import type { SwimConfig } from './config.js';
import { stAlive, stDead, stLeft, stReaped, stSuspect, stateName } from './member-table.js';
import type { SwimTimer } from './timers.js';
import { pushPullIntervalScaledMs, retransmitLimit } from './timing.js';
import { GossipWalk } from './gossip-walk.js';
import { View } from './view.js';

/** Most refutations sent back for one packet of stale rumours (they always fit one packet). */
const staleRumourCorrectionsMax = 8;

type Out = MembershipOutput<SwimTimer>[];

/** Constructor options. */
export interface SwimOptions {
  /** This node's unique name and listening address. */
  readonly self: NodeRef;
  /** Overrides of defaultSwimConfig; the result must pass validateSwimConfig (asserted). */
  readonly config?: Partial<SwimConfig>;
  /** The only source of randomness (the simulator derives one per node from its root seed). */
  readonly rng: Rng;
  /** Shared name interning; the simulator passes one registry to all nodes. Default: a new one. */
  readonly registry?: NameRegistry;
  /** Incarnation to start at; a restarted node passes one above its previous life's. Default 0. */
  readonly initialIncarnation?: number;
  /** This node's metadata (at most metaBytesMax bytes), e.g. its KV endpoint. Default empty. */
  readonly meta?: Uint8Array;
  /** Cluster label carried in every envelope (counts towards the packet size). Default ''. */
  readonly label?: string;
}

/**
 * Views larger than this get only the cheap invariant checks from checkInvariants(), because the
 * simulator calls it often on every node; checkInvariantsDeep() always checks everything.
 */
export const invariantsDeepCheckMembersMax = 2048;

/** A relayed indirect probe: who asked, under which sequence number. */
interface Relay {
  readonly origSeq: number;
  readonly origin: Address;
  readonly wantNack: boolean;
}

/** SWIM + Lifeguard membership (see the module comment). */
export class SwimProtocol implements MembershipProtocol<SwimTimer> {
  readonly protocol = 'swim' as const;
  readonly self: NodeRef;
  readonly stats: MembershipStats = emptyStats();
  /** The validated configuration in force. */
  readonly config: SwimConfig;
  /** The name registry this node's tables are indexed by. */
  readonly registry: NameRegistry;
  private readonly view: View;
  private readonly rng: Rng;
  private readonly envelopeSize: number;
  private started = false;
  private quiet = false;
  private nextSeq = 1;

  // The probe in flight (at most one per protocol period); plain fields, no allocation per probe.
  private probeToken = 0;
  private probeActive = false;
  private probeSeq = 0;
  private probeTarget = -1;
  private probeTargetInc = 0;
  private probeAcked = false;
  private nacksExpected = 0;
  private nacksReceived = 0;

  private readonly relays = new Map<number, Relay>();
  private readonly gossipWalk = new GossipWalk();
  private gossipPending = false;
  private gossipToken = 0;
  private pushPullToken = 0;
  private joinSyncToken = 0;
  private joining = false;
  private joinToken = 0;
  private joinSeeds: Address[] = [];
  private readonly scratch: number[] = [];
  /**
   * Registry index of each message of the packet being handled, as staleRumours looked it up (-1:
   * not looked up, or unknown then), so onSuspect/onDead need not look the name up again. Indices
   * never change once interned, so a found one stays right; -1 makes the view look again.
   */
  private readonly knownIndices: number[] = [];
  private readonly probeable = (m: number): boolean => {
    const st = this.view.table.state(m);
    return st === stAlive || st === stSuspect;
  };

  constructor(options: SwimOptions) {
    const cfg = resolveSwimConfig(options.config);
    assert(cfg.ok, cfg.ok ? '' : cfg.error.message);
    this.config = cfg.value;
    this.self = { name: options.self.name, addr: options.self.addr };
    this.rng = options.rng;
    this.registry = options.registry ?? new NameRegistry();
    const initialIncarnation = options.initialIncarnation ?? 0;
    assert(Number.isInteger(initialIncarnation) && initialIncarnation >= 0 && initialIncarnation <= 0xffff_ffff, 'initialIncarnation must be a uint32');
    this.view = new View({
      self: this.self,
      config: this.config,
      rng: this.rng,
      registry: this.registry,
      stats: this.stats,
      initialIncarnation,
      meta: options.meta ?? new Uint8Array(0),
    });
    this.envelopeSize = envelopeBytes(options.label ?? '');
  }

  handle(input: MembershipInput<SwimTimer>, nowMs: number, out: Out): void {
    if (this.quiet) {
      if (input.kind === 'packet') this.stats.messagesIgnored += input.msgs.length;
      return;
    }
    switch (input.kind) {
      case 'start':
        this.onStart(input.seeds, input.knownMembers, nowMs, out);
        break;
      case 'packet':
        if (!this.started) this.stats.messagesIgnored += input.msgs.length;
        else this.onPacket(input.from, input.channel, input.msgs, nowMs, out);
        break;
      case 'timer':
        if (this.started) this.onTimer(input.timer, nowMs, out);
        break;
      case 'leave':
        this.onLeave(nowMs, out);
        break;
      case 'update-meta':
        if (!this.view.leaving) this.view.updateMeta(input.meta);
        break;
      case 'join':
        if (this.started && !this.view.leaving) this.startJoin(input.seeds, out);
        break;
      default:
        unreachable(input, 'unknown membership input');
    }
    this.maybeScheduleGossip(out);
  }

  member(name: NodeName): MemberInfo | undefined {
    const idx = this.registry.indexOf(name);
    return idx === undefined ? undefined : this.info(idx);
  }

  members(): MemberInfo[] {
    const list: MemberInfo[] = [];
    for (let i = 0; i < this.view.table.capacity; i++) {
      const info = this.info(i);
      if (info !== undefined) list.push(info);
    }
    return list;
  }

  liveCount(): number {
    return this.view.members;
  }

  incarnation(): number {
    return this.view.incarnation;
  }

  healthScore(): number {
    return this.view.awareness.score;
  }

  /** Broadcasts waiting to be piggybacked (for tests and metrics). */
  queuedBroadcasts(): number {
    return this.view.queue.size;
  }

  /** True once a graceful leave finished and the node ignores all input. */
  isQuiet(): boolean {
    return this.quiet;
  }

  checkInvariants(): void {
    this.checkWith(this.view.table.capacity <= invariantsDeepCheckMembersMax);
  }

  /** Every invariant, including the O(N) ones (probe order, live count, queue bookkeeping). */
  checkInvariantsDeep(): void {
    this.checkWith(true);
  }

  private checkWith(deep: boolean): void {
    this.view.check(deep);
    assert(this.relays.size <= this.config.indirectRelaysMax, 'relay map over its bound');
    assert(this.view.incarnation === this.view.table.incarnation(this.view.selfIndex), 'self incarnation mismatch');
    if (this.probeActive) assert(this.probeTarget >= 0 && this.probeTarget !== this.view.selfIndex, 'probing an invalid target');
  }

  private info(idx: number): MemberInfo | undefined {
    const t = this.view.table;
    const state = stateName(t.state(idx));
    if (state === undefined) return undefined;
    return { name: this.registry.nameAt(idx), addr: this.registry.addrAt(idx), state, incarnation: t.incarnation(idx), meta: t.meta(idx), stateChangeMs: t.changedMs(idx) };
  }

  // ---------------------------------------------------------------------------------------------
  // start, join, leave
  // ---------------------------------------------------------------------------------------------

  private onStart(seeds: readonly Address[], known: readonly NodeRef[] | undefined, nowMs: number, out: Out): void {
    if (this.started) {
      this.stats.messagesIgnored++;
      return;
    }
    this.started = true;
    this.view.table.touch(this.view.selfIndex, nowMs);
    if (known !== undefined) this.view.preload(known, nowMs);
    // Random first offsets de-synchronise nodes that start together (memberlist randomStagger).
    this.probeToken = this.view.token();
    out.push({ kind: 'schedule', afterMs: this.rng.intBelow(this.config.probeIntervalMs), timer: { type: 'probe-tick', token: this.probeToken } });
    if (this.config.pushPullIntervalMs > 0) {
      this.pushPullToken = this.view.token();
      const interval = pushPullIntervalScaledMs(this.config.pushPullIntervalMs, this.view.members);
      out.push({ kind: 'schedule', afterMs: this.rng.intBelow(interval), timer: { type: 'push-pull', token: this.pushPullToken } });
    }
    this.startJoin(seeds, out);
  }

  /** Push-pull join=true with every seed but ourselves, retried with backoff until one answers. */
  private startJoin(seeds: readonly Address[], out: Out): void {
    const targets = [...new Set(seeds)].filter((a) => a !== this.self.addr);
    if (targets.length === 0) return; // a new cluster of one
    this.joining = true;
    this.joinToken = this.view.token();
    this.joinSeeds = targets;
    // Our alive also spreads by gossip once the reply tells us who to gossip to.
    this.view.broadcast(this.view.selfIndex, this.view.selfAlive());
    this.sendJoin(out);
    out.push({ kind: 'schedule', afterMs: this.config.joinRetryIntervalMs, timer: { type: 'join-retry', attempt: 1, token: this.joinToken } });
  }

  private sendJoin(out: Out): void {
    const msg: PushPullMsg = { type: 'push-pull', join: true, reply: false, source: this.self, members: this.view.fullState() };
    for (const seed of this.joinSeeds) {
      this.stats.pushPullsSent++;
      out.push({ kind: 'send', to: seed, channel: 'stream', msgs: [msg] });
    }
  }

  private onJoinRetry(attempt: number, token: number, out: Out): void {
    if (!this.joining || token !== this.joinToken) return;
    this.sendJoin(out);
    const delay = Math.min(this.config.joinRetryIntervalMs * 2 ** Math.min(attempt, 30), this.config.joinRetryBackoffMaxMs);
    out.push({ kind: 'schedule', afterMs: delay, timer: { type: 'join-retry', attempt: attempt + 1, token } });
  }

  /** Graceful leave: dead about ourselves with from = self (peers record "left"), then quiet. */
  private onLeave(nowMs: number, out: Out): void {
    if (!this.started || this.view.leaving) {
      this.stats.messagesIgnored++;
      return;
    }
    this.view.leaving = true;
    this.joining = false;
    this.view.onDead({ type: 'dead', node: this.self.name, incarnation: this.view.incarnation, from: this.self.name }, nowMs, out);
    this.gossipOnce(nowMs, out); // announce at once, not a gossip interval later
    out.push({ kind: 'schedule', afterMs: this.config.leaveBroadcastMs, timer: { type: 'leave-quiet' } });
  }

  // ---------------------------------------------------------------------------------------------
  // packets
  // ---------------------------------------------------------------------------------------------

  private onPacket(from: Address, channel: Channel, msgs: readonly Msg[], nowMs: number, out: Out): void {
    // State updates first, so that an ack we send below already piggybacks e.g. our refutation
    // of a buddy-system suspect that came with the ping (Lifeguard §IV-C, one round trip sooner).
    // Judged before this packet changes anything: a rumour answered by a refutation in this
    // very packet is not stale (the refutation rides on our reply anyway).
    const stale = this.staleRumours(msgs);
    const known = this.knownIndices;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      if (m.type === 'alive') this.view.onAlive(m, nowMs, out);
      else if (m.type === 'suspect') this.view.onSuspect(m, nowMs, out, true, known[i]!);
      else if (m.type === 'dead') this.view.onDead(m, nowMs, out, true, known[i]!);
    }
    if (stale !== undefined) this.correctStaleRumours(from, channel, stale, out);
    for (const m of msgs) {
      switch (m.type) {
        case 'alive':
        case 'suspect':
        case 'dead':
          break;
        case 'ping':
          this.onPing(from, channel, m, out);
          break;
        case 'indirect-ping':
          this.onIndirectPing(from, m, out);
          break;
        case 'ack':
          this.onAck(m, out);
          break;
        case 'nack':
          this.onNack(m);
          break;
        case 'push-pull':
          this.onPushPull(from, m, nowMs, out);
          break;
        default:
          this.stats.messagesIgnored++;
      }
    }
  }

  /**
   * A peer told us `suspect`/`dead` about a member we hold alive at a higher incarnation (it
   * missed that member's refutation): send it the refutation directly. Dissemination reaches
   * each member with ~retransmitLimit sends; at 20 % loss a few members of a 1,000-node cluster
   * miss a given refutation, and their suspicion timers would then convict a live node. Their own
   * gossip of the stale suspicion reaches members that know better, and this answer stops the
   * conviction. Only stale rumours cost anything (one small packet back per such packet).
   */
  private staleRumours(msgs: readonly Msg[]): number[] | undefined {
    const t = this.view.table;
    // Only the first msgs.length entries are meaningful; the array keeps its largest packet's
    // length (at most messagesPerPacketMax) so it is never reallocated.
    const known = this.knownIndices;
    let stale: number[] | undefined;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      known[i] = -1;
      if (m.type !== 'suspect' && m.type !== 'dead') continue;
      if (m.type === 'dead' && m.from === m.node) continue; // a leave is not a rumour
      const idx = this.registry.indexOf(m.node);
      if (idx !== undefined) known[i] = idx;
      if (idx === undefined || t.state(idx) !== stAlive || m.incarnation >= t.incarnation(idx)) continue;
      stale ??= [];
      if (stale.length < staleRumourCorrectionsMax && !stale.includes(idx)) stale.push(idx);
    }
    return stale;
  }

  /** Sends the current alive of every member in `stale` still alive here back to `from`, as fits one packet. */
  private correctStaleRumours(from: Address, channel: Channel, stale: readonly number[], out: Out): void {
    const t = this.view.table;
    const corrections: Msg[] = [];
    let bytes = this.envelopeSize;
    for (const idx of stale) {
      if (t.state(idx) !== stAlive) continue;
      const alive: AliveMsg =
        idx === this.view.selfIndex
          ? this.view.selfAlive()
          : { type: 'alive', node: { name: this.registry.nameAt(idx), addr: this.registry.addrAt(idx) }, incarnation: t.incarnation(idx), meta: t.meta(idx) };
      const size = messageBytes(alive);
      if (bytes + size > this.config.udpPacketBytesMax) break;
      bytes += size;
      corrections.push(alive);
    }
    // Sent bare: piggybacking could repeat the same alive from the broadcast queue.
    if (corrections.length > 0) out.push({ kind: 'send', to: from, channel, msgs: corrections });
  }

  private onPing(from: Address, channel: Channel, p: PingMsg, out: Out): void {
    if (p.target !== this.self.name) {
      // Meant for a node that used to live at this address.
      this.stats.messagesIgnored++;
      return;
    }
    const reply: Msg[] = [{ type: 'ack', seq: p.seq } satisfies AckMsg];
    // A node we hold dead, left or reaped is talking to us: tell it (with the incarnation we
    // hold), so it refutes above it and the cluster takes it back instead of ignoring its stale
    // alives forever (the restart-with-old-incarnation trap, memberlist#312).
    const srcIdx = this.registry.indexOf(p.source.name);
    if (srcIdx !== undefined && srcIdx !== this.view.selfIndex) {
      const st = this.view.table.state(srcIdx);
      if (st === stDead || st === stLeft || st === stReaped) {
        reply.push({ type: 'dead', node: p.source.name, incarnation: this.view.table.incarnation(srcIdx), from: this.self.name });
      }
    }
    // A fallback ping came over the stream channel: answer on the stream too, the datagram path
    // to the prober is what seems lossy.
    if (channel === 'stream') out.push({ kind: 'send', to: from, channel: 'stream', msgs: reply });
    else this.sendPacket(from, reply, out, srcIdx ?? -1);
  }

  private onIndirectPing(from: Address, ip: IndirectPingMsg, out: Out): void {
    if (this.relays.size >= this.config.indirectRelaysMax || ip.target.name === this.self.name || this.view.leaving) {
      this.stats.messagesIgnored++;
      return;
    }
    const seq = this.takeSeq();
    this.relays.set(seq, { origSeq: ip.seq, origin: from, wantNack: ip.wantNack });
    this.sendPacket(ip.target.addr, [{ type: 'ping', seq, target: ip.target.name, source: this.self } satisfies PingMsg], out);
    out.push({ kind: 'schedule', afterMs: this.config.probeTimeoutMs, timer: { type: 'relay-timeout', seq } });
  }

  private onAck(a: AckMsg, out: Out): void {
    const relay = this.relays.get(a.seq);
    if (relay !== undefined) {
      // SWIM ping-req: forward the target's ack to the prober under the prober's seq.
      this.relays.delete(a.seq);
      this.sendPacket(relay.origin, [{ type: 'ack', seq: relay.origSeq } satisfies AckMsg], out);
      return;
    }
    if (this.probeActive && a.seq === this.probeSeq && !this.probeAcked) {
      this.probeAcked = true;
      this.view.awareness.applyDelta(-1); // Lifeguard LHA-Probe: a successful probe heals
    }
  }

  private onNack(n: NackMsg): void {
    if (this.probeActive && n.seq === this.probeSeq && !this.probeAcked) {
      this.nacksReceived++;
      this.stats.nacksReceived++;
    }
  }

  private onPushPull(from: Address, pp: PushPullMsg, nowMs: number, out: Out): void {
    // A seed's answer to our join is its view, which the cluster already has: merge it without
    // re-gossiping every entry (a 10,000-member reply would otherwise flood our queue).
    const rebroadcast = !(pp.reply && pp.join);
    this.view.mergeRemote(pp.members, nowMs, out, rebroadcast);
    if (!pp.reply) {
      const members = this.view.fullState();
      const hint = this.view.tombstoneHint(pp.source.name);
      if (hint !== undefined) members.push(hint);
      out.push({ kind: 'send', to: from, channel: 'stream', msgs: [{ type: 'push-pull', join: pp.join, reply: true, source: this.self, members }] });
      return;
    }
    if (this.joining) {
      this.joining = false;
      out.push({ kind: 'event', event: { type: 'joined', via: from } });
      const delay = this.config.joinSyncDelayMs;
      if (delay > 0) {
        this.joinSyncToken = this.view.token();
        out.push({ kind: 'schedule', afterMs: Math.floor(delay / 2) + this.rng.intBelow(Math.ceil(delay / 2) + 1), timer: { type: 'join-sync', token: this.joinSyncToken } });
      }
    }
  }

  /**
   * Sends `msgs` as one packet, filled up to udpPacketBytesMax with queued broadcasts. The size is
   * exact (codec's envelopeBytes + messageBytes), so the driver can always encode it.
   */
  private sendPacket(to: Address, msgs: Msg[], out: Out, toMember = -1): void {
    let used = this.envelopeSize;
    for (const m of msgs) used += messageBytes(m);
    if (used > this.config.udpPacketBytesMax || msgs.length > messagesPerPacketMax) assert(false, `protocol message of ${used} bytes does not fit a packet`);
    const limit = retransmitLimit(this.config.retransmitMult, this.view.members);
    this.view.queue.fill(msgs, this.config.udpPacketBytesMax - used, messagesPerPacketMax - msgs.length, limit, toMember);
    out.push({ kind: 'send', to, channel: 'packet', msgs });
  }

  private takeSeq(): number {
    const s = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) >>> 0;
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // timers
  // ---------------------------------------------------------------------------------------------

  private onTimer(t: SwimTimer, nowMs: number, out: Out): void {
    switch (t.type) {
      case 'probe-tick':
        if (t.token === this.probeToken) this.onProbeTick(nowMs, out);
        break;
      case 'probe-timeout':
        if (this.probeActive && t.seq === this.probeSeq && !this.probeAcked) this.goIndirect(out);
        break;
      case 'relay-timeout':
        this.onRelayTimeout(t.seq, out);
        break;
      case 'suspicion':
        this.view.onSuspicionTimer(t, nowMs, out);
        break;
      case 'reap':
        this.view.onReapTimer(t, nowMs);
        break;
      case 'reprobe':
        this.onReprobe(t, out);
        break;
      case 'gossip':
        if (t.token === this.gossipToken && this.gossipPending) {
          this.gossipPending = false;
          this.gossipOnce(nowMs, out);
        }
        break;
      case 'push-pull':
        if (t.token === this.pushPullToken) this.onPushPullTick(out);
        break;
      case 'join-sync':
        if (t.token === this.joinSyncToken && !this.view.leaving) this.pushPullWithRandomMember(out);
        break;
      case 'join-retry':
        this.onJoinRetry(t.attempt, t.token, out);
        break;
      case 'leave-quiet':
        if (this.view.leaving) this.quiet = true;
        break;
      default:
        unreachable(t, 'unknown swim timer');
    }
  }

  /**
   * One protocol period: judge the previous probe, then probe the next member in the shuffled
   * round-robin order. The period is probeIntervalMs × (health score + 1) (Lifeguard LHA-Probe).
   */
  private onProbeTick(nowMs: number, out: Out): void {
    this.finishProbe(nowMs, out);
    if (this.view.leaving) return; // a leaving node stops judging others
    if (this.view.members > 1 || this.view.order.count > 0) {
      const target = this.view.order.next(this.probeable, this.view.keepInOrder, this.rng);
      if (target >= 0) this.startProbe(target, out);
    }
    out.push({ kind: 'schedule', afterMs: this.view.awareness.scaleMs(this.config.probeIntervalMs), timer: { type: 'probe-tick', token: this.probeToken } });
  }

  private startProbe(target: number, out: Out): void {
    const t = this.view.table;
    this.probeActive = true;
    this.probeSeq = this.takeSeq();
    this.probeTarget = target;
    this.probeTargetInc = t.incarnation(target);
    this.probeAcked = false;
    this.nacksExpected = 0;
    this.nacksReceived = 0;
    const name = this.registry.nameAt(target);
    const msgs: Msg[] = [{ type: 'ping', seq: this.probeSeq, target: name, source: this.self } satisfies PingMsg];
    // Lifeguard buddy system: tell a suspect it is suspected, so it can refute at once.
    if (t.state(target) === stSuspect) msgs.push({ type: 'suspect', node: name, incarnation: this.probeTargetInc, from: this.self.name });
    this.stats.probesSent++;
    this.sendPacket(this.registry.addrAt(target), msgs, out, target);
    out.push({ kind: 'schedule', afterMs: this.config.probeTimeoutMs, timer: { type: 'probe-timeout', seq: this.probeSeq } });
  }

  /** SWIM ping-req: ask k random alive members to probe the silent target, with nacks (Lifeguard). */
  private goIndirect(out: Out): void {
    const target = this.probeTarget;
    const t = this.view.table;
    const helpers = this.scratch;
    helpers.length = 0;
    const self = this.view.selfIndex;
    this.view.order.sample(this.config.indirectChecks, (m) => m !== target && m !== self && t.state(m) === stAlive, this.rng, helpers);
    const targetRef: NodeRef = { name: this.registry.nameAt(target), addr: this.registry.addrAt(target) };
    for (const h of helpers) {
      const msg: IndirectPingMsg = { type: 'indirect-ping', seq: this.probeSeq, target: targetRef, source: this.self, wantNack: true };
      this.stats.indirectProbesSent++;
      this.sendPacket(this.registry.addrAt(h), [msg], out);
    }
    this.nacksExpected = helpers.length;
    helpers.length = 0;
    // memberlist's TCP fallback: the same ping, over the reliable channel, in parallel.
    if (this.config.streamPingFallback) {
      const ping: PingMsg = { type: 'ping', seq: this.probeSeq, target: targetRef.name, source: this.self };
      out.push({ kind: 'send', to: targetRef.addr, channel: 'stream', msgs: [ping] });
    }
  }

  /** The probe's period is over: without an ack the target becomes suspect (SWIM §4.2). */
  private finishProbe(nowMs: number, out: Out): void {
    if (!this.probeActive) return;
    this.probeActive = false;
    if (this.probeAcked) return;
    this.stats.probesFailed++;
    // Lifeguard LHA-Probe: missing nacks mean *we* may be the slow one; without helpers any
    // failed probe counts against our health.
    const delta = this.nacksExpected > 0 ? Math.max(0, this.nacksExpected - this.nacksReceived) : 1;
    this.view.awareness.applyDelta(delta);
    const name = this.registry.nameAt(this.probeTarget);
    this.view.onSuspect({ type: 'suspect', node: name, incarnation: this.probeTargetInc, from: this.self.name }, nowMs, out);
  }

  /** Buddy re-probe of a member we accuse (see View.scheduleReprobe); its ack needs no tracking. */
  private onReprobe(t: Extract<SwimTimer, { type: 'reprobe' }>, out: Out): void {
    const s = this.view.reprobeTarget(t);
    if (s === undefined || this.view.leaving) return;
    const name = this.registry.nameAt(t.member);
    const msgs: Msg[] = [
      { type: 'ping', seq: this.takeSeq(), target: name, source: this.self } satisfies PingMsg,
      { type: 'suspect', node: name, incarnation: this.view.table.incarnation(t.member), from: this.self.name },
    ];
    this.sendPacket(this.registry.addrAt(t.member), [...msgs], out, t.member);
    // Also over the stream channel: a re-probe is how a suspect we hold learns it must refute,
    // or answers a stale suspicion with its current alive; that must not hinge on one datagram.
    if (this.config.streamPingFallback) out.push({ kind: 'send', to: this.registry.addrAt(t.member), channel: 'stream', msgs });
    out.push({ kind: 'schedule', afterMs: this.view.reprobeIntervalMs(s), timer: t });
  }

  private onRelayTimeout(seq: number, out: Out): void {
    const relay = this.relays.get(seq);
    if (relay === undefined) return;
    this.relays.delete(seq);
    if (relay.wantNack) this.sendPacket(relay.origin, [{ type: 'nack', seq: relay.origSeq } satisfies NackMsg], out);
  }

  /** Piggyback-only gossip to the next gossipNodes members round-robin (and the recently dead). */
  private gossipOnce(nowMs: number, out: Out): void {
    if (this.view.queue.size === 0 || this.config.gossipNodes === 0) return;
    const t = this.view.table;
    const targets = this.scratch;
    targets.length = 0;
    const deadWindowMs = this.config.gossipToTheDeadMs;
    const self = this.view.selfIndex;
    // Walk member indices in this cycle's order; at most one full cycle per round, so a view
    // with nobody to gossip to costs O(N) once per round, never an endless loop.
    const indices = this.registry.size;
    for (let tries = 0; tries < indices && targets.length < this.config.gossipNodes; tries++) {
      const m = this.gossipWalk.next(indices, this.rng);
      if (m === self || targets.includes(m)) continue;
      const st = t.state(m);
      if (st === stAlive || st === stSuspect || (st === stDead && nowMs - t.changedMs(m) <= deadWindowMs)) targets.push(m);
    }
    for (const target of targets) {
      if (this.view.queue.size === 0) break; // nothing left to say: send nothing
      const msgs: Msg[] = [];
      let used = this.envelopeSize;
      // Gossip to the dead exists so a member declared dead hears it and refutes (memberlist);
      // our own dead broadcast may be spent by now, so say it in every such packet (foca's
      // TurnUndead). A member that restarted above our verdict answers with its current alive
      // (stale-rumour correction); without this a node that missed the rejoin's alive kept the
      // member dead until the next push-pull (found by the KV simulation, seed 57).
      if (t.state(target) === stDead) {
        const verdict: DeadMsg = { type: 'dead', node: this.registry.nameAt(target), incarnation: t.incarnation(target), from: this.self.name };
        msgs.push(verdict);
        used += messageBytes(verdict);
      }
      const limit = retransmitLimit(this.config.retransmitMult, this.view.members);
      this.view.queue.fill(msgs, this.config.udpPacketBytesMax - used, messagesPerPacketMax - msgs.length, limit, target);
      if (msgs.length === 0) break;
      out.push({ kind: 'send', to: this.registry.addrAt(target), channel: 'packet', msgs });
    }
    targets.length = 0;
  }

  /** Arms the gossip tick only while something is queued (idle clusters cost no timers). */
  private maybeScheduleGossip(out: Out): void {
    if (this.gossipPending || this.quiet || !this.started || this.config.gossipNodes === 0) return;
    if (this.view.queue.size === 0 || this.view.order.count === 0) return;
    this.gossipPending = true;
    this.gossipToken = this.view.token();
    out.push({ kind: 'schedule', afterMs: this.config.gossipIntervalMs, timer: { type: 'gossip', token: this.gossipToken } });
  }

  /** Periodic anti-entropy with one random alive member; the period stretches with N. */
  private onPushPullTick(out: Out): void {
    if (this.view.leaving) return;
    this.pushPullWithRandomMember(out);
    const interval = pushPullIntervalScaledMs(this.config.pushPullIntervalMs, this.view.members);
    out.push({ kind: 'schedule', afterMs: interval, timer: { type: 'push-pull', token: this.pushPullToken } });
  }

  /** One full-state exchange with a random alive member (memberlist pushPull). */
  private pushPullWithRandomMember(out: Out): void {
    const peers = this.scratch;
    peers.length = 0;
    const t = this.view.table;
    const self = this.view.selfIndex;
    this.view.order.sample(1, (m) => m !== self && t.state(m) === stAlive, this.rng, peers);
    const peer = peers[0];
    peers.length = 0;
    if (peer !== undefined) {
      this.stats.pushPullsSent++;
      const msg: PushPullMsg = { type: 'push-pull', join: false, reply: false, source: this.self, members: this.view.fullState() };
      out.push({ kind: 'send', to: this.registry.addrAt(peer), channel: 'stream', msgs: [msg] });
    }
  }
}
