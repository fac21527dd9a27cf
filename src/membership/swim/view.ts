/**
 * This node's view of the cluster and the SWIM §4.2 rules that change it: alive, suspect and dead
 * messages with incarnation precedence, refutation, Lifeguard suspicion timers with
 * confirmations, reaping with tombstones, and the push-pull merge. The probe and gossip machinery
 * (swim-protocol.ts) feeds messages in here; everything accepted is re-broadcast through the
 * queue so it spreads epidemically.
 *
 * Precedence (SWIM §4.2, as memberlist codes it): alive(i) beats suspect/alive(j) iff i > j;
 * suspect(i) beats alive(j) iff i >= j; dead(i) beats both iff i >= j.
 */
import { assert } from '../../lib/assert.js';
import type { Rng } from '../../lib/rng.js';
import { messageBytes } from '../../wire/codec.js';
import { metaBytesMax } from '../../wire/limits.js';
import type { AliveMsg, DeadMsg, Msg, NodeName, NodeRef, PushPullEntry, SuspectMsg } from '../../wire/types.js';
import type { NameRegistry } from '../registry.js';
import type { MembershipOutput, MembershipStats } from '../types.js';
import { Awareness } from './awareness.js';
import { BroadcastQueue } from './broadcast-queue.js';
import type { SwimConfig } from './config.js';
import { MemberTable, isLive, stAlive, stDead, stLeft, stReaped, stSuspect, stUnknown, stateName } from './member-table.js';
import { ProbeOrder } from './probe-order.js';
import { confirmSuspicion, newSuspicion } from './suspicion.js';
import type { Suspicion } from './suspicion.js';
import type { SwimTimer } from './timers.js';
import { suspicionConfirmationsWanted, suspicionMinMs } from './timing.js';

type Out = MembershipOutput<SwimTimer>[];

/** What the view needs from its owner. */
export interface ViewOptions {
  readonly self: NodeRef;
  readonly config: SwimConfig;
  readonly rng: Rng;
  readonly registry: NameRegistry;
  readonly stats: MembershipStats;
  readonly initialIncarnation: number;
  readonly meta: Uint8Array;
}

/** The member view and its update rules. */
export class View {
  readonly table: MemberTable;
  readonly order: ProbeOrder;
  readonly queue: BroadcastQueue;
  readonly awareness: Awareness;
  readonly suspicions = new Map<number, Suspicion>();
  readonly selfIndex: number;
  readonly selfName: NodeName;
  /** Set by a graceful leave: accusations about ourselves are no longer refuted. */
  leaving = false;
  private readonly cfg: SwimConfig;
  private readonly rng: Rng;
  private readonly registry: NameRegistry;
  private readonly stats: MembershipStats;
  private nextToken = 1;
  /** Predicates for the probe order, bound once to avoid a closure per call. */
  readonly keepInOrder = (m: number): boolean => {
    const st = this.table.state(m);
    return st === stAlive || st === stSuspect || st === stDead || st === stLeft;
  };

  constructor(o: ViewOptions) {
    this.cfg = o.config;
    this.rng = o.rng;
    this.registry = o.registry;
    this.stats = o.stats;
    this.selfName = o.self.name;
    this.selfIndex = o.registry.intern(o.self.name, o.self.addr);
    const cap = o.registry.size;
    this.table = new MemberTable(o.registry, cap);
    this.order = new ProbeOrder(cap);
    this.queue = new BroadcastQueue(o.config.broadcastQueueMax);
    this.awareness = new Awareness(o.config.awarenessMaxMultiplier);
    assert(o.meta.length <= metaBytesMax, `meta is ${o.meta.length} bytes, more than ${metaBytesMax}`);
    // The change time of self is stamped at start, when the first nowMs is known.
    this.table.init(this.selfIndex, stAlive, o.initialIncarnation);
    this.table.setMeta(this.selfIndex, copyMeta(o.meta));
  }

  /** A fresh token for a timer that must be recognisable as stale later. */
  token(): number {
    return this.nextToken++;
  }

  /** Our incarnation. */
  get incarnation(): number {
    return this.table.incarnation(this.selfIndex);
  }

  /** Cluster size estimate N used by every scaling formula: alive + suspect, self included. */
  get members(): number {
    return this.table.liveCount;
  }

  /** Our own alive message at the current incarnation. */
  selfAlive(): AliveMsg {
    return {
      type: 'alive',
      node: { name: this.selfName, addr: this.registry.addrAt(this.selfIndex) },
      incarnation: this.incarnation,
      meta: this.table.meta(this.selfIndex),
    };
  }

  /** Queues `msg` about `member` for piggybacking (replacing older news about it). */
  broadcast(member: number, msg: Msg): void {
    this.stats.broadcastsQueued++;
    this.stats.broadcastsDropped += this.queue.enqueue(member, msg, messageBytes(msg));
  }

  /** Loads an already converged view: every member alive at incarnation 0, silently. */
  preload(refs: readonly NodeRef[], nowMs: number): void {
    const added: number[] = [];
    this.table.reserve(this.registry.size);
    let guess = 0;
    for (const ref of refs) {
      if (ref.name === this.selfName) continue;
      // The simulator interns names in the order it lists them, so the next index is usually the
      // right one: an array read instead of a string-keyed map lookup (10^8 of them at 10k nodes).
      const idx = guess < this.registry.size && this.registry.nameAt(guess) === ref.name ? guess : this.registry.intern(ref.name, ref.addr);
      guess = idx + 1;
      if (this.table.state(idx) !== stUnknown) continue;
      this.table.set(idx, stAlive, 0, nowMs);
      added.push(idx);
    }
    this.order.insertAll(added);
  }

  /** Handles an alive message (from the wire, a push-pull entry, or our own update). */
  onAlive(a: AliveMsg, nowMs: number, out: Out, rebroadcast = true): void {
    if (a.node.name === this.selfName) {
      this.aliveAboutSelf(a, out);
      return;
    }
    if (a.meta.length > metaBytesMax) {
      this.stats.messagesIgnored++;
      return;
    }
    const idx = this.registry.intern(a.node.name, a.node.addr);
    const st = this.table.state(idx);
    const inc = this.table.incarnation(idx);
    if (st === stUnknown || st === stReaped) {
      // A reaped member comes back only with a newer incarnation (a real restart), never through
      // a stale rumour of its old life (memberlist#312).
      if (st === stReaped && a.incarnation <= inc) return;
      if (this.registry.addrAt(idx) !== a.node.addr) this.registry.setAddr(idx, a.node.addr);
      this.table.set(idx, stAlive, a.incarnation, nowMs);
      this.table.setMeta(idx, copyMeta(a.meta));
      if (this.order.has(idx)) this.order.staleCount--;
      this.order.insert(idx);
      if (rebroadcast) this.broadcast(idx, a);
      out.push({ kind: 'event', event: { type: 'join', member: a.node.name, addr: a.node.addr, incarnation: a.incarnation, meta: this.table.meta(idx) } });
      return;
    }
    if (a.incarnation <= inc) return;
    if (this.registry.addrAt(idx) !== a.node.addr) {
      // Same name, other address while we believe the old one alive: a conflict (memberlist
      // ignores it); after death or leave the name may move.
      if (isLive(st)) {
        this.stats.messagesIgnored++;
        return;
      }
      this.registry.setAddr(idx, a.node.addr);
    }
    if (st === stSuspect) this.suspicions.delete(idx);
    const oldMeta = this.table.meta(idx);
    const metaChanged = !bytesEqual(oldMeta, a.meta);
    if (metaChanged) this.table.setMeta(idx, copyMeta(a.meta));
    if (st === stAlive) this.table.setIncarnation(idx, a.incarnation);
    else this.table.set(idx, stAlive, a.incarnation, nowMs);
    this.order.insert(idx);
    if (rebroadcast) this.broadcast(idx, a);
    const name = a.node.name;
    const meta = this.table.meta(idx);
    if (st === stDead || st === stLeft) {
      out.push({ kind: 'event', event: { type: 'join', member: name, addr: a.node.addr, incarnation: a.incarnation, meta } });
      return;
    }
    if (st === stSuspect) out.push({ kind: 'event', event: { type: 'alive', member: name, incarnation: a.incarnation } });
    if (metaChanged) out.push({ kind: 'event', event: { type: 'update', member: name, addr: a.node.addr, incarnation: a.incarnation, meta } });
  }

  /**
   * Handles a suspect message (SWIM §4.2; Lifeguard confirmations). `knownIdx`: the registry index
   * of s.node if the caller already looked it up, else -1.
   */
  onSuspect(s: SuspectMsg, nowMs: number, out: Out, rebroadcast = true, knownIdx = -1): void {
    const idx = knownIdx >= 0 ? knownIdx : this.registry.indexOf(s.node);
    if (idx === undefined) return;
    const st = this.table.state(idx);
    if (st === stUnknown || st === stReaped) return;
    if (s.incarnation < this.table.incarnation(idx)) return;
    if (this.table.isSettledSuspect(idx)) {
      // The suspicion wants no more confirmations (most accusations a crash storm delivers):
      // the same outcome as the path below, without touching the suspicion map or object.
      if (s.incarnation > this.table.incarnation(idx)) this.table.setIncarnation(idx, s.incarnation);
      return;
    }
    // A suspicion runs exactly while the member is suspect (checked in check()): skip the map
    // lookup for the common case of news about a member already dead.
    const running = st === stSuspect ? this.suspicions.get(idx) : undefined;
    if (running !== undefined) {
      // Already suspect: a new accuser is an independent confirmation that shortens the timer,
      // and is re-gossiped so the other suspecters learn of it too (memberlist suspectNode).
      if (s.incarnation > this.table.incarnation(idx)) this.table.setIncarnation(idx, s.incarnation);
      const remaining = confirmSuspicion(running, s.from, nowMs);
      if (remaining === undefined) return;
      if (running.confirmations >= running.wanted) this.table.markSettled(idx);
      if (rebroadcast) this.broadcast(idx, s);
      if (s.from === this.selfName) this.scheduleReprobe(idx, running, out);
      running.token = this.token();
      out.push({ kind: 'schedule', afterMs: Math.max(0, remaining), timer: { type: 'suspicion', member: idx, incarnation: running.incarnation, token: running.token } });
      return;
    }
    if (st !== stAlive) return;
    if (idx === this.selfIndex) {
      if (!this.leaving) this.refute(s.incarnation, out);
      return;
    }
    if (rebroadcast) this.broadcast(idx, s);
    this.table.set(idx, stSuspect, s.incarnation, nowMs);
    const n = this.members;
    const minMs = suspicionMinMs(this.cfg.suspicionMult, n, this.cfg.probeIntervalMs);
    const maxMs = this.cfg.suspicionMaxTimeoutMult * minMs;
    const wanted = suspicionConfirmationsWanted(this.cfg.suspicionMult, n, this.cfg.suspicionConfirmationsMin);
    const susp = newSuspicion(s.incarnation, s.from, wanted, minMs, maxMs, nowMs, this.token());
    this.suspicions.set(idx, susp);
    if (susp.wanted === 0) this.table.markSettled(idx); // nothing to confirm
    out.push({ kind: 'schedule', afterMs: susp.deadlineMs - nowMs, timer: { type: 'suspicion', member: idx, incarnation: s.incarnation, token: susp.token } });
    if (s.from === this.selfName) {
      this.stats.suspicionsRaised++;
      this.scheduleReprobe(idx, susp, out);
    }
    out.push({ kind: 'event', event: { type: 'suspect', member: s.node, incarnation: s.incarnation, from: s.from } });
  }

  /**
   * The suspicion (if any) that a re-probe timer belongs to: still running at its incarnation.
   */
  reprobeTarget(t: Extract<SwimTimer, { type: 'reprobe' }>): Suspicion | undefined {
    const s = this.suspicions.get(t.member);
    return s !== undefined && s.incarnation === t.incarnation ? s : undefined;
  }

  /** Period of the re-probes of a member we accuse: half the minimum suspicion time, at least one probe period. */
  /** How long the last check before conviction waits for a refutation, in ms. */
  lastCheckMs(): number {
    return Math.max(this.cfg.probeIntervalMs, 2 * this.cfg.probeTimeoutMs);
  }

  reprobeIntervalMs(s: Suspicion): number {
    return Math.max(this.cfg.probeIntervalMs, Math.floor(s.minMs / 2));
  }

  /**
   * Ours, beyond memberlist: while we accuse a member we re-probe it now and then with the
   * suspicion attached (Lifeguard buddy system). Our suspicion broadcast may have been spent while
   * *we* were cut off, and our round-robin may not come back to the suspect before the timeout
   * (a node that was cut off also has a slow, unhealthy probe period), so without this a live
   * member could be declared dead without ever hearing it was suspected.
   */
  private scheduleReprobe(idx: number, s: Suspicion, out: Out): void {
    out.push({ kind: 'schedule', afterMs: this.reprobeIntervalMs(s), timer: { type: 'reprobe', member: idx, incarnation: s.incarnation } });
  }

  /** Handles a dead message; `from === node` means a graceful leave. `knownIdx` as in onSuspect. */
  onDead(d: DeadMsg, nowMs: number, out: Out, rebroadcast = true, knownIdx = -1): void {
    const idx = knownIdx >= 0 ? knownIdx : this.registry.indexOf(d.node);
    if (idx === undefined) return;
    const st = this.table.state(idx);
    if (st === stUnknown || st === stReaped) return;
    if (d.incarnation < this.table.incarnation(idx)) return;
    if (st === stSuspect) this.suspicions.delete(idx); // only suspects have one (see onSuspect)
    if (st === stDead || st === stLeft) return;
    if (idx === this.selfIndex) {
      if (!this.leaving) {
        this.refute(d.incarnation, out);
        return;
      }
      // Our own leave announcement.
      this.broadcast(idx, d);
      this.table.set(idx, stLeft, d.incarnation, nowMs);
      return;
    }
    if (rebroadcast) this.broadcast(idx, d);
    const left = d.from === d.node;
    this.table.set(idx, left ? stLeft : stDead, d.incarnation, nowMs);
    out.push({ kind: 'schedule', afterMs: this.cfg.deadMemberReapMs, timer: { type: 'reap', member: idx, incarnation: d.incarnation } });
    out.push({
      kind: 'event',
      event: left ? { type: 'leave', member: d.node, incarnation: d.incarnation } : { type: 'dead', member: d.node, incarnation: d.incarnation, from: d.from },
    });
  }

  /**
   * A suspicion timer fired: if it is still the live one, the member is dead, unless this is an
   * unconfirmed suspicion (fewer than k independent accusers: Lifeguard's "lone accuser" case)
   * that we have not checked yet. Then we first ping the suspect once ourselves with the
   * suspicion attached (the re-probe, also over the stream channel) and convict only if no
   * refutation arrives within lastCheckMs. A member that refuted while we were cut off or while
   * its refutation missed us answers a stale suspicion with its current alive, so the check
   * saves it; a crashed member costs lastCheckMs of detection time. Found by the simulator: a node
   * cut off by a partition held a suspicion it had only heard of, missed the refutation after the
   * heal, and convicted a live member 48 s later.
   */
  onSuspicionTimer(t: Extract<SwimTimer, { type: 'suspicion' }>, nowMs: number, out: Out): void {
    const s = this.suspicions.get(t.member);
    if (s === undefined || s.token !== t.token || this.table.state(t.member) !== stSuspect) return;
    if (!s.lastChecked && s.confirmations < s.wanted) {
      s.lastChecked = true;
      s.token = this.token();
      s.deadlineMs = nowMs + this.lastCheckMs();
      out.push({ kind: 'schedule', afterMs: 0, timer: { type: 'reprobe', member: t.member, incarnation: s.incarnation } });
      out.push({ kind: 'schedule', afterMs: this.lastCheckMs(), timer: { type: 'suspicion', member: t.member, incarnation: s.incarnation, token: s.token } });
      return;
    }
    this.suspicions.delete(t.member);
    this.stats.suspicionsConfirmed++;
    const dead: DeadMsg = { type: 'dead', node: this.registry.nameAt(t.member), incarnation: this.table.incarnation(t.member), from: this.selfName };
    this.onDead(dead, nowMs, out);
  }

  /** A reap timer fired: drop the member from the view, keeping its incarnation as a tombstone. */
  onReapTimer(t: Extract<SwimTimer, { type: 'reap' }>, nowMs: number): void {
    const st = this.table.state(t.member);
    if ((st !== stDead && st !== stLeft) || this.table.incarnation(t.member) !== t.incarnation) return;
    this.table.set(t.member, stReaped, t.incarnation, nowMs);
    if (this.order.has(t.member)) this.order.staleCount++;
    // Lazy removal from the probe order; compact once stale entries are half of it (amortised O(1)).
    if (this.order.staleCount * 2 > this.order.count) this.order.compact(this.keepInOrder);
  }

  /**
   * We were accused (suspect/dead about us, or a conflicting alive): take an incarnation above
   * the accusation and announce it (SWIM §4.2 refutation). Lifeguard: being accused is a sign
   * we may be the slow one, so local health worsens.
   */
  refute(accused: number, out: Out): void {
    const current = this.incarnation;
    const next = Math.max(current + 1, accused + 1);
    assert(next <= 0xffff_ffff, 'incarnation overflow');
    this.table.setIncarnation(this.selfIndex, next);
    this.awareness.applyDelta(1);
    this.stats.refutations++;
    this.broadcast(this.selfIndex, this.selfAlive());
    out.push({ kind: 'event', event: { type: 'refute', incarnation: next } });
  }

  /** Replaces our metadata: a new incarnation so peers accept it and emit `update`. */
  updateMeta(meta: Uint8Array): void {
    assert(meta.length <= metaBytesMax, `meta is ${meta.length} bytes, more than ${metaBytesMax}`);
    this.table.setMeta(this.selfIndex, copyMeta(meta));
    const next = this.incarnation + 1;
    assert(next <= 0xffff_ffff, 'incarnation overflow');
    this.table.setIncarnation(this.selfIndex, next);
    this.broadcast(this.selfIndex, this.selfAlive());
  }

  /**
   * Merges a remote full state (memberlist mergeState): alive by the normal rules; a remote
   * suspect or dead becomes a local *suspect* (one peer's stale view must not kill anyone
   * instantly); left is applied as left.
   */
  mergeRemote(entries: readonly PushPullEntry[], nowMs: number, out: Out, rebroadcast: boolean): void {
    let guess = 0;
    for (const e of entries) {
      // A full state lists members in registry order, so the next index is usually the right one:
      // an array read instead of a string-keyed map lookup, 10,000 times per exchange.
      const name = e.node.name;
      const idx = guess < this.registry.size && this.registry.nameAt(guess) === name ? guess : this.registry.indexOf(name);
      if (idx !== undefined) guess = idx + 1;
      switch (e.state) {
        case 'alive':
          if (idx !== undefined && this.isOldAlive(idx, e)) break;
          this.onAlive({ type: 'alive', node: e.node, incarnation: e.incarnation, meta: e.meta }, nowMs, out, rebroadcast);
          break;
        case 'left':
          this.onDead({ type: 'dead', node: e.node.name, incarnation: e.incarnation, from: e.node.name }, nowMs, out, rebroadcast);
          break;
        case 'dead':
        case 'suspect':
          this.onSuspect({ type: 'suspect', node: e.node.name, incarnation: e.incarnation, from: this.selfName }, nowMs, out, rebroadcast);
          break;
      }
    }
  }

  /**
   * True when onAlive would ignore push-pull entry `e` about known member `idx` without any side
   * effect (the usual case: nothing newer than what we hold), so the merge need not build an alive
   * message for it. Mirrors onAlive's early returns exactly.
   */
  private isOldAlive(idx: number, e: PushPullEntry): boolean {
    if (idx === this.selfIndex || e.meta.length > metaBytesMax) return false;
    const st = this.table.state(idx);
    return st !== stUnknown && st !== stReaped && e.incarnation <= this.table.incarnation(idx);
  }

  /** Our full state for push-pull: every visible member including ourselves. O(N). */
  fullState(): PushPullEntry[] {
    const entries: PushPullEntry[] = [];
    const cap = this.table.capacity;
    for (let i = 0; i < cap; i++) {
      const state = stateName(this.table.state(i));
      if (state === undefined) continue;
      entries.push({
        node: this.registry.refAt(i),
        incarnation: this.table.incarnation(i),
        state,
        meta: this.table.meta(i),
      });
    }
    return entries;
  }

  /**
   * A push-pull entry telling a node we reaped that it is dead at its tombstone incarnation, so a
   * restarted node that came back with an old incarnation refutes above it and is accepted.
   */
  tombstoneHint(name: NodeName): PushPullEntry | undefined {
    const idx = this.registry.indexOf(name);
    if (idx === undefined || this.table.state(idx) !== stReaped) return undefined;
    return { node: { name, addr: this.registry.addrAt(idx) }, incarnation: this.table.incarnation(idx), state: 'dead', meta: emptyMeta };
  }

  /** Checks the view's invariants; O(N) parts only when `deep`. */
  check(deep: boolean): void {
    const selfSt = this.table.state(this.selfIndex);
    assert(selfSt === stAlive || (this.leaving && selfSt === stLeft), `self is ${stateName(selfSt) ?? selfSt} in its own view`);
    assert(!this.order.has(this.selfIndex), 'self is in its own probe order');
    assert(this.queue.size <= this.cfg.broadcastQueueMax, 'broadcast queue over its bound');
    const score = this.awareness.score;
    assert(score >= 0 && score < this.cfg.awarenessMaxMultiplier, `health score ${score} out of range`);
    for (const [idx, s] of this.suspicions) {
      assert(this.table.state(idx) === stSuspect, `suspicion running for member ${idx} that is not suspect`);
      assert(s.accusers.length === s.confirmations + 1 && s.confirmations <= s.wanted, 'suspicion confirmation count broken');
      if (this.table.isSettledSuspect(idx) !== (s.confirmations >= s.wanted)) assert(false, `settled flag of member ${idx} disagrees with its suspicion`);
    }
    if (!deep) return;
    assert(this.table.countLiveSlow() === this.table.liveCount, 'liveCount drifted from the table');
    this.order.check();
    let suspects = 0;
    for (let i = 0; i < this.table.capacity; i++) {
      const st = this.table.state(i);
      if (st === stSuspect) suspects++;
      if (i !== this.selfIndex && (st === stAlive || st === stSuspect) && !this.order.has(i)) assert(false, `live member ${i} missing from the probe order`);
    }
    assert(suspects === this.suspicions.size, `${suspects} suspects but ${this.suspicions.size} suspicion timers`);
    this.queue.check();
  }

  private aliveAboutSelf(a: AliveMsg, out: Out): void {
    if (this.leaving) return;
    const mine = this.incarnation;
    if (a.incarnation < mine) return;
    // Our own news echoing back is fine; a same-incarnation alive with other meta (a previous
    // life of this node) or a higher one must be refuted (memberlist aliveNode).
    if (a.incarnation === mine && bytesEqual(a.meta, this.table.meta(this.selfIndex))) return;
    this.refute(a.incarnation, out);
  }
}

const emptyMeta = new Uint8Array(0);

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Copies non-empty metadata so the table never pins a received packet's buffer. */
function copyMeta(meta: Uint8Array): Uint8Array {
  return meta.length === 0 ? meta : meta.slice();
}
