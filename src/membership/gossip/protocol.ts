/**
 * Gossip-style heartbeating (the course's MP1 protocol; van Renesse, Minsky and Hayden 1998) as a
 * pure state machine behind the same MembershipProtocol interface as SWIM, so the simulator can run
 * both on the same scenario.
 *
 * Every node counts its own heartbeat up and, every gossip interval, sends the heartbeats of the
 * members it believes alive to a few random members. A higher heartbeat for a member refreshes the
 * local timestamp of that member (remote timestamps are never trusted). A member whose heartbeat
 * has not increased for TFAIL is failed (`suspect`) and no longer gossiped; after TREMOVE more it is
 * removed (`dead`) and its last heartbeat kept as a tombstone, so that stale gossip cannot re-add
 * it. Joining goes through an introducer (any seed), which answers with its table.
 *
 * Limits of the classic protocol, kept on purpose: no metadata on the wire (update-meta stays
 * local; join/update events carry empty meta), no dissemination of failures (every node detects
 * on its own), and a partition that outlasts TFAIL + TREMOVE splits the cluster until someone
 * sends a `join` input again.
 */
import { AssertionError, assert, unreachable } from '../../lib/assert.js';
import type { Rng } from '../../lib/rng.js';
import { metaBytesMax } from '../../wire/limits.js';
import type { Address, DeadMsg, HeartbeatEntry, HeartbeatMsg, JoinReplyMsg, JoinRequestMsg, Msg, NodeName, NodeRef } from '../../wire/types.js';
import { NameRegistry } from '../registry.js';
import type { MemberInfo, MembershipInput, MembershipOutput, MembershipProtocol, MembershipStats } from '../types.js';
import { emptyStats } from '../types.js';
import type { GossipConfig } from './config.js';
import { resolveGossipConfig, validateGossipConfig } from './config.js';
import { LeaveNotices, leaveNoticesMax } from './leave-notices.js';
import { heartbeatStart, incarnationOf, isHeartbeat, lastHeartbeatOf, nextHeartbeat } from './heartbeat.js';
import { messageBudgetBytes, packEntries } from './packing.js';
import type { GossipStats } from './stats.js';
import { emptyGossipStats } from './stats.js';
import { MemberTable, memberStateOf, rowAbsent, rowAlive, rowFailed, rowLeft, rowRemoved } from './table.js';
import type { GossipTimer } from './timers.js';

/** Options of a GossipProtocol; the same shape as the SWIM core's, so a driver can swap them. */
export interface GossipOptions {
  readonly self: NodeRef;
  readonly config?: Partial<GossipConfig>;
  readonly rng: Rng;
  /** Name interning shared with other cores in the process; a private one if omitted. */
  readonly registry?: NameRegistry;
  /** This run's incarnation; a restarted node must pass a higher one than its last run's. */
  readonly initialIncarnation?: number;
  /** This node's metadata. Kept locally only: the heartbeat wire format carries none. */
  readonly meta?: Uint8Array;
  /** Cluster label, counted in the packet size budget. */
  readonly label?: string;
}

/** Most seeds contacted per join attempt. */
export const joinSeedsMax = 64;

/**
 * Most alive entries considered per heartbeat message. A 1,400-byte packet holds at most about a
 * hundred entries, so looking further only costs time.
 */
const gossipCandidatesMax = 256;

type Out = MembershipOutput<GossipTimer>[];

const emptyMeta = new Uint8Array(0);

/** See the file comment. */
export class GossipProtocol implements MembershipProtocol<GossipTimer> {
  readonly protocol = 'gossip' as const;
  readonly self: NodeRef;
  readonly stats: MembershipStats = emptyStats();
  /** Counters only gossip mode has (see stats.ts for how the shared ones are used). */
  readonly gossipStats: GossipStats = emptyGossipStats();
  /** The validated configuration in force. */
  readonly config: GossipConfig;

  private readonly rng: Rng;
  private readonly registry: NameRegistry;
  private readonly table: MemberTable;
  private readonly selfIndex: number;
  private readonly budgetBytes: number;
  private meta: Uint8Array;
  private ownHb: number;
  private started = false;
  private left = false;
  /** Bumped when the node leaves, so that periodic timers still in flight do nothing. */
  private epoch = 0;
  /** True once this node founded a cluster or a seed answered (or a converged view was loaded). */
  private inGroup = false;
  private joinAttempt = 0;
  private joinPending = false;
  private seeds: Address[] = [];
  /** Table position the next heartbeat message continues from when the table exceeds one packet. */
  private rotateCursor = 0;
  private lastNowMs = 0;
  /** Leaves learned recently, piggybacked on every gossip packet for failTimeoutMs. */
  private readonly leaveNotices = new LeaveNotices();
  /** Scratch for random target selection (reused to avoid allocating per round). */
  private readonly scratch: number[] = [];

  constructor(options: GossipOptions) {
    const cfg = resolveGossipConfig(options.config);
    const valid = validateGossipConfig(cfg);
    if (!valid.ok) throw new AssertionError(`invalid gossip config: ${valid.error.detail}`);
    this.config = valid.value;
    const inc = options.initialIncarnation ?? 0;
    assert(Number.isInteger(inc) && inc >= 0, `initialIncarnation must be a non-negative integer, got ${inc}`);
    assert(options.self.name.length > 0, 'self.name must not be empty');
    const meta = options.meta ?? emptyMeta;
    assert(meta.length <= metaBytesMax, `meta is ${meta.length} bytes, limit ${metaBytesMax}`);
    this.self = options.self;
    this.rng = options.rng;
    this.registry = options.registry ?? new NameRegistry();
    this.table = new MemberTable(this.registry);
    this.budgetBytes = messageBudgetBytes(options.label ?? '');
    this.meta = meta.slice();
    this.ownHb = heartbeatStart(inc);
    this.selfIndex = this.registry.intern(options.self.name, options.self.addr);
    this.table.add(this.selfIndex, rowAlive, this.ownHb, 0);
  }

  handle(input: MembershipInput<GossipTimer>, nowMs: number, out: Out): void {
    assert(Number.isFinite(nowMs) && nowMs >= this.lastNowMs, `time went backwards: ${nowMs} < ${this.lastNowMs}`);
    this.lastNowMs = nowMs;
    if (this.left) {
      // Quiet after leaving: nothing is answered, nothing re-armed.
      if (input.kind === 'packet') this.stats.messagesIgnored += input.msgs.length;
      return;
    }
    switch (input.kind) {
      case 'start':
        this.start(input.seeds, input.knownMembers, nowMs, out);
        return;
      case 'packet':
        if (!this.started) {
          this.stats.messagesIgnored += input.msgs.length;
          return;
        }
        for (const msg of input.msgs) this.onMessage(input.from, msg, nowMs, out);
        return;
      case 'timer':
        this.onTimer(input.timer, nowMs, out);
        return;
      case 'leave':
        this.leave(nowMs, out);
        return;
      case 'update-meta':
        // Kept for member(self); gossip heartbeats carry no metadata, so nobody else sees it.
        assert(input.meta.length <= metaBytesMax, `meta is ${input.meta.length} bytes, limit ${metaBytesMax}`);
        this.meta = input.meta.slice();
        return;
      case 'join':
        assert(this.started, 'join before start');
        this.startJoin(input.seeds, out);
        return;
      default:
        unreachable(input, 'unknown membership input');
    }
  }

  member(name: NodeName): MemberInfo | undefined {
    const i = this.registry.indexOf(name);
    if (i === undefined || this.table.stateOf(i) === rowAbsent) return undefined;
    return this.info(i);
  }

  members(): MemberInfo[] {
    const all: MemberInfo[] = [];
    for (let k = 0; k < this.table.size; k++) all.push(this.info(this.table.indexAt(k)));
    return all;
  }

  liveCount(): number {
    return this.table.liveCount;
  }

  /**
   * The incarnation part of this node's heartbeat: the initial incarnation, unless a refute had to
   * lift the heartbeat into a later incarnation's range (see heartbeat.ts).
   */
  incarnation(): number {
    return incarnationOf(this.ownHb);
  }

  healthScore(): number {
    return 0;
  }

  /**
   * The heartbeat this node holds for `name` (for a tombstone: the one a re-add must exceed), or
   * undefined if it has no row. For inspection and tests; MemberInfo has no heartbeat field.
   */
  heartbeatOf(name: NodeName): number | undefined {
    const i = this.registry.indexOf(name);
    return i === undefined || this.table.stateOf(i) === rowAbsent ? undefined : this.table.heartbeatOf(i);
  }

  /** True once this node is part of a cluster (founded one, or a seed answered). */
  joined(): boolean {
    return this.inGroup;
  }

  checkInvariants(): void {
    this.table.check(this.lastNowMs);
    const selfState = this.table.stateOf(this.selfIndex);
    assert(selfState === (this.left ? rowLeft : rowAlive), `self row state ${selfState}, left=${this.left}`);
    assert(this.table.heartbeatOf(this.selfIndex) === this.ownHb, 'self row heartbeat differs from own heartbeat');
    assert(isHeartbeat(this.ownHb), `own heartbeat ${this.ownHb} out of range`);
    assert(this.table.size <= this.config.membersMax, `table has ${this.table.size} rows, limit ${this.config.membersMax}`);
    assert(!this.joinPending || this.started, 'join pending before start');
    assert(this.seeds.length <= joinSeedsMax, `${this.seeds.length} seeds, limit ${joinSeedsMax}`);
    assert(this.leaveNotices.size <= leaveNoticesMax, `${this.leaveNotices.size} leave notices, limit ${leaveNoticesMax}`);
  }

  // --- inputs ------------------------------------------------------------------------------------

  private start(seeds: readonly Address[], known: readonly NodeRef[] | undefined, nowMs: number, out: Out): void {
    assert(!this.started, 'start given twice');
    this.started = true;
    this.table.bump(this.selfIndex, this.ownHb, nowMs);
    this.table.setState(this.selfIndex, rowAlive, nowMs);
    if (known !== undefined && known.length > 0) {
      // A converged view handed in by the simulator: no events, no join round trip.
      for (const ref of known) {
        if (ref.name === this.self.name) continue;
        const i = this.registry.intern(ref.name, ref.addr);
        if (this.table.stateOf(i) !== rowAbsent || !this.makeRoom()) continue;
        this.table.add(i, rowAlive, heartbeatStart(0), nowMs);
      }
      this.inGroup = true;
    }
    out.push({ kind: 'schedule', afterMs: this.config.heartbeatIntervalMs, timer: { type: 'gossip-heartbeat', epoch: this.epoch } });
    // A random first round spreads nodes started together over the interval.
    out.push({ kind: 'schedule', afterMs: this.rng.intBelow(this.config.gossipIntervalMs), timer: { type: 'gossip-round', epoch: this.epoch } });
    if (!this.inGroup) this.startJoin(seeds, out);
  }

  private startJoin(seeds: readonly Address[], out: Out): void {
    const unique: Address[] = [];
    for (const s of seeds) {
      if (s !== this.self.addr && !unique.includes(s) && unique.length < joinSeedsMax) unique.push(s);
    }
    if (unique.length === 0) {
      // No one else to ask: this node founds the cluster (the course's introducer 1:0).
      this.inGroup = true;
      return;
    }
    this.seeds = unique;
    this.joinAttempt++;
    this.joinPending = true;
    this.sendJoinRequests(out);
  }

  private sendJoinRequests(out: Out): void {
    const msg: JoinRequestMsg = { type: 'join-req', node: this.self, heartbeat: this.ownHb };
    for (const seed of this.seeds) {
      out.push({ kind: 'send', to: seed, channel: 'packet', msgs: [msg] });
      this.gossipStats.joinRequestsSent++;
    }
    out.push({ kind: 'schedule', afterMs: this.config.joinRetryIntervalMs, timer: { type: 'gossip-join-retry', attempt: this.joinAttempt } });
  }

  private onTimer(timer: GossipTimer, nowMs: number, out: Out): void {
    switch (timer.type) {
      case 'gossip-heartbeat':
        if (timer.epoch !== this.epoch) return;
        this.ownHb = nextHeartbeat(this.ownHb);
        this.table.bump(this.selfIndex, this.ownHb, nowMs);
        out.push({ kind: 'schedule', afterMs: this.config.heartbeatIntervalMs, timer });
        return;
      case 'gossip-round':
        if (timer.epoch !== this.epoch) return;
        this.sweep(nowMs, out);
        this.gossip(nowMs, out);
        out.push({ kind: 'schedule', afterMs: this.config.gossipIntervalMs, timer });
        return;
      case 'gossip-join-retry':
        if (timer.attempt !== this.joinAttempt || !this.joinPending) return;
        this.sendJoinRequests(out);
        return;
      default:
        unreachable(timer, 'unknown gossip timer');
    }
  }

  private onMessage(from: Address, msg: Msg, nowMs: number, out: Out): void {
    switch (msg.type) {
      case 'heartbeat':
        this.mergeAll(msg, nowMs, out);
        return;
      case 'join-req':
        this.onJoinRequest(msg, nowMs, out);
        return;
      case 'join-rep':
        this.mergeAll(msg, nowMs, out);
        if (this.joinPending) {
          this.joinPending = false;
          this.inGroup = true;
          out.push({ kind: 'event', event: { type: 'joined', via: from } });
        }
        return;
      case 'dead':
        this.onLeave(msg, nowMs, out);
        return;
      default:
        // SWIM messages: a gossip node does not speak them.
        this.stats.messagesIgnored++;
    }
  }

  /**
   * An introducer adds the joiner and answers with its freshest alive entries. Any started node
   * answers, even one still waiting for its own answer, so nodes that all list each other as seeds
   * cannot wait on each other forever. If the joiner's
   * heartbeat is not above what we know of it (it restarted without a higher incarnation, or it
   * left and came back), the reply includes that heartbeat: the joiner then lifts its own above it
   * (a refute) and is accepted on its next gossip.
   */
  private onJoinRequest(msg: JoinRequestMsg, nowMs: number, out: Out): void {
    if (msg.node.name === this.self.name) {
      this.stats.messagesIgnored++;
      return;
    }
    this.merge(msg.node, msg.heartbeat, nowMs, out);
    const joiner = this.registry.indexOf(msg.node.name);
    const candidates: HeartbeatEntry[] = [{ node: this.self, heartbeat: this.ownHb }];
    if (joiner !== undefined && this.table.stateOf(joiner) !== rowAbsent && this.table.heartbeatOf(joiner) > msg.heartbeat) {
      candidates.push({ node: msg.node, heartbeat: this.table.heartbeatOf(joiner) });
    }
    const fresh: number[] = [];
    for (let k = 0; k < this.table.size; k++) {
      const i = this.table.indexAt(k);
      if (i !== this.selfIndex && i !== joiner && this.table.stateOf(i) === rowAlive) fresh.push(i);
    }
    fresh.sort((a, b) => this.table.seenMsOf(b) - this.table.seenMsOf(a) || a - b);
    for (const i of fresh) candidates.push(this.entryOf(i));
    const { msg: reply } = packEntries('join-rep', this.self, candidates, this.budgetBytes);
    out.push({ kind: 'send', to: msg.node.addr, channel: 'packet', msgs: [reply] });
    this.gossipStats.joinRepliesSent++;
  }

  // --- merging -----------------------------------------------------------------------------------

  private mergeAll(msg: HeartbeatMsg | JoinReplyMsg, nowMs: number, out: Out): void {
    for (const e of msg.entries) this.merge(e.node, e.heartbeat, nowMs, out);
  }

  /** The merge rule: only a higher heartbeat counts, and it is timestamped with our own clock. */
  private merge(ref: NodeRef, hb: number, nowMs: number, out: Out): void {
    if (!isHeartbeat(hb)) {
      this.stats.messagesIgnored++;
      return;
    }
    if (ref.name === this.self.name) {
      this.mergeSelf(hb, nowMs, out);
      return;
    }
    const known = this.registry.indexOf(ref.name);
    const state = known === undefined ? rowAbsent : this.table.stateOf(known);
    if (state === rowAbsent) {
      if (!this.makeRoom()) {
        this.gossipStats.tableFull++;
        return;
      }
      const i = this.registry.intern(ref.name, ref.addr);
      this.table.add(i, rowAlive, hb, nowMs);
      this.gossipStats.entriesMerged++;
      this.emitJoin(i, out);
      return;
    }
    const i = known!;
    const oldHb = this.table.heartbeatOf(i);
    if (hb <= oldHb) {
      this.gossipStats.entriesStale++;
      return;
    }
    this.gossipStats.entriesMerged++;
    const restarted = incarnationOf(hb) > incarnationOf(oldHb);
    let moved = false;
    if (restarted && ref.addr !== this.registry.addrAt(i)) {
      // A restart at a new address: the registry follows the newer incarnation.
      this.registry.setAddr(i, ref.addr);
      moved = true;
    }
    this.table.bump(i, hb, nowMs);
    const name = this.registry.nameAt(i);
    switch (state) {
      case rowAlive:
        if (restarted || moved) {
          out.push({ kind: 'event', event: { type: 'update', member: name, addr: this.registry.addrAt(i), incarnation: incarnationOf(hb), meta: emptyMeta } });
        }
        return;
      case rowFailed:
        this.table.setState(i, rowAlive, nowMs);
        this.gossipStats.revivals++;
        out.push({ kind: 'event', event: { type: 'alive', member: name, incarnation: incarnationOf(hb) } });
        return;
      case rowRemoved:
      case rowLeft:
        // Above the tombstone: a genuinely newer run (or a live node we removed by mistake).
        this.table.setState(i, rowAlive, nowMs);
        this.gossipStats.readmissions++;
        this.emitJoin(i, out);
        return;
      default:
        throw new AssertionError(`row ${i} in unknown state ${state}`);
    }
  }

  /** Someone holds a higher heartbeat for us than our own: an earlier run's. Outrank it. */
  private mergeSelf(hb: number, nowMs: number, out: Out): void {
    if (hb <= this.ownHb) return;
    this.ownHb = nextHeartbeat(hb);
    this.table.bump(this.selfIndex, this.ownHb, nowMs);
    this.stats.refutations++;
    out.push({ kind: 'event', event: { type: 'refute', incarnation: incarnationOf(this.ownHb) } });
  }

  private emitJoin(i: number, out: Out): void {
    out.push({
      kind: 'event',
      event: { type: 'join', member: this.registry.nameAt(i), addr: this.registry.addrAt(i), incarnation: incarnationOf(this.table.heartbeatOf(i)), meta: emptyMeta },
    });
  }

  /** Makes room for one more row, evicting the oldest tombstone if the table is full. */
  private makeRoom(): boolean {
    if (this.table.size < this.config.membersMax) return true;
    let oldest = -1;
    for (let k = 0; k < this.table.size; k++) {
      const i = this.table.indexAt(k);
      const s = this.table.stateOf(i);
      if ((s === rowRemoved || s === rowLeft) && (oldest < 0 || this.table.changedMsOf(i) < this.table.changedMsOf(oldest))) oldest = i;
    }
    if (oldest < 0) return false;
    this.table.remove(oldest);
    this.gossipStats.tombstonesReaped++;
    return true;
  }

  // --- failure detection and gossip --------------------------------------------------------------

  /** TFAIL, TREMOVE and tombstone expiry, checked once per gossip round. */
  private sweep(nowMs: number, out: Out): void {
    const { failTimeoutMs, removeTimeoutMs, tombstoneMs } = this.config;
    // Backwards, because removing swaps the last row into the current position (already visited).
    for (let k = this.table.size - 1; k >= 0; k--) {
      const i = this.table.indexAt(k);
      if (i === this.selfIndex) continue;
      const state = this.table.stateOf(i);
      if (state === rowAlive) {
        if (nowMs - this.table.seenMsOf(i) < failTimeoutMs) continue;
        this.table.setState(i, rowFailed, nowMs);
        this.stats.suspicionsRaised++;
        out.push({ kind: 'event', event: { type: 'suspect', member: this.registry.nameAt(i), incarnation: incarnationOf(this.table.heartbeatOf(i)), from: this.self.name } });
      } else if (state === rowFailed) {
        if (nowMs - this.table.changedMsOf(i) < removeTimeoutMs) continue;
        this.table.setState(i, rowRemoved, nowMs);
        this.stats.suspicionsConfirmed++;
        out.push({ kind: 'event', event: { type: 'dead', member: this.registry.nameAt(i), incarnation: incarnationOf(this.table.heartbeatOf(i)), from: this.self.name } });
      } else if (nowMs - this.table.changedMsOf(i) >= tombstoneMs) {
        this.table.remove(i);
        this.gossipStats.tombstonesReaped++;
      }
    }
  }

  /**
   * Sends our own entry plus a rotating slice of the alive entries to gossipFanout random alive
   * members, with any recent leave notices in the same packet.
   */
  private gossip(nowMs: number, out: Out): void {
    const targets = this.pickAlive(this.config.gossipFanout);
    if (targets.length === 0) return;
    const candidates: HeartbeatEntry[] = [{ node: this.self, heartbeat: this.ownHb }];
    const positions: number[] = [-1];
    const size = this.table.size;
    if (this.rotateCursor >= size) this.rotateCursor = 0;
    for (let step = 0; step < size && candidates.length < gossipCandidatesMax; step++) {
      const k = (this.rotateCursor + step) % size;
      const i = this.table.indexAt(k);
      if (i === this.selfIndex || this.table.stateOf(i) !== rowAlive) continue;
      candidates.push(this.entryOf(i));
      positions.push(k);
    }
    // Leave notices take at most half the packet, so heartbeats always keep room.
    const { msgs: notices, bytes: noticeBytes } = this.leaveNotices.take(nowMs, this.budgetBytes / 2);
    const { msg, consumed } = packEntries('heartbeat', this.self, candidates, this.budgetBytes - noticeBytes);
    this.stats.broadcastsDropped += candidates.length - msg.entries.length;
    // Continue after the last entry sent; when everything fitted, where we continue does not matter.
    const lastPos = positions[consumed - 1];
    if (lastPos !== undefined && lastPos >= 0) this.rotateCursor = (lastPos + 1) % size;
    const msgs: Msg[] = [...notices, msg];
    for (const to of targets) {
      out.push({ kind: 'send', to, channel: 'packet', msgs });
      this.stats.probesSent++;
      this.gossipStats.leavesRelayed += notices.length;
    }
  }

  /** Addresses of up to `n` distinct random alive members other than self. */
  private pickAlive(n: number): Address[] {
    const pool = this.scratch;
    pool.length = 0;
    for (let k = 0; k < this.table.size; k++) {
      const i = this.table.indexAt(k);
      if (i !== this.selfIndex && this.table.stateOf(i) === rowAlive) pool.push(i);
    }
    const picked: Address[] = [];
    // Partial Fisher–Yates: the first `n` slots become a uniform random sample.
    for (let j = 0; j < pool.length && j < n; j++) {
      const r = j + this.rng.intBelow(pool.length - j);
      const tmp = pool[j]!;
      pool[j] = pool[r]!;
      pool[r] = tmp;
      picked.push(this.registry.addrAt(pool[j]!));
    }
    return picked;
  }

  // --- leaving -----------------------------------------------------------------------------------

  private leave(nowMs: number, out: Out): void {
    if (this.started) {
      const msg: DeadMsg = { type: 'dead', node: this.self.name, incarnation: this.incarnation(), from: this.self.name };
      for (const to of this.pickAlive(this.config.gossipFanout)) out.push({ kind: 'send', to, channel: 'packet', msgs: [msg] });
    }
    this.table.setState(this.selfIndex, rowLeft, nowMs);
    this.left = true;
    this.joinPending = false;
    this.epoch++;
  }

  /**
   * A graceful leave (`dead` with from === node). Only the leaver may announce it. The heartbeat
   * format cannot carry the state, so a node that learns of it piggybacks the notice on its gossip
   * packets for failTimeoutMs: it spreads like a heartbeat would, and a member still unaware after
   * that has started timing the leaver out anyway.
   */
  private onLeave(msg: DeadMsg, nowMs: number, out: Out): void {
    if (msg.from !== msg.node || msg.node === this.self.name || !isHeartbeat(msg.incarnation)) {
      // A SWIM-style death verdict, or a leave of our own earlier run: neither applies here.
      this.stats.messagesIgnored++;
      return;
    }
    const i = this.registry.indexOf(msg.node);
    const state = i === undefined ? rowAbsent : this.table.stateOf(i);
    const floor = lastHeartbeatOf(msg.incarnation);
    if (state === rowAbsent) {
      // Remember the leave (when we can name the address) so stale gossip cannot add the member.
      if (i !== undefined && this.makeRoom()) this.table.add(i, rowLeft, floor, nowMs);
      return;
    }
    if (incarnationOf(this.table.heartbeatOf(i!)) > msg.incarnation) {
      this.stats.messagesIgnored++; // The leave of a run that has since been replaced.
      return;
    }
    this.table.raiseFloor(i!, floor);
    if (state !== rowAlive && state !== rowFailed) return;
    this.table.setState(i!, rowLeft, nowMs);
    this.gossipStats.leavesReceived++;
    out.push({ kind: 'event', event: { type: 'leave', member: msg.node, incarnation: msg.incarnation } });
    if (this.leaveNotices.add(msg, nowMs + this.config.failTimeoutMs)) this.stats.broadcastsDropped++;
    this.stats.broadcastsQueued++;
  }

  // --- views -------------------------------------------------------------------------------------

  private entryOf(i: number): HeartbeatEntry {
    return { node: { name: this.registry.nameAt(i), addr: this.registry.addrAt(i) }, heartbeat: this.table.heartbeatOf(i) };
  }

  private info(i: number): MemberInfo {
    const isSelf = i === this.selfIndex;
    return {
      name: this.registry.nameAt(i),
      addr: this.registry.addrAt(i),
      state: memberStateOf(this.table.stateOf(i)),
      incarnation: incarnationOf(this.table.heartbeatOf(i)),
      meta: isSelf ? this.meta : emptyMeta,
      stateChangeMs: this.table.changedMsOf(i),
    };
  }
}
