/**
 * Merkle anti-entropy (Dynamo §4.7; Cassandra repair), both sides. Every antiEntropyIntervalMs
 * (first round at a random offset, so nodes do not all start together) the repairer takes the
 * next of the ranges it is the primary owner of (round-robin from a random start, so every range
 * is compared once per cycle), picks one other owner at random and:
 *   1. compares Merkle trees level by level (kv-merkle-req/rep, MerkleExchange's plan);
 *   2. for each differing leaf, pages through both sides' digests (kv-keys-req/rep) in step;
 *   3. pulls the peer's newer records (kv-fetch-req/rep) and pushes its own newer ones as
 *      kind 'repair' kv-range-batch messages; both sides apply with LWW, so a repair never loses
 *      a newer version whichever way it flows.
 * One exchange at a time per node; every step has a timeout carried by the timer (exchange id and
 * step count), so a lost reply or a dead peer ends the exchange instead of blocking the next one.
 * The responder is stateless except for a one-tree cache: it answers from the tree it builds for
 * exactly the requested range and depth, or 'not-owner' if it does not own that range.
 */
import { assert } from '../lib/assert.js';
import type { Rng } from '../lib/rng.js';
import { keyPosition } from '../ring/ring.js';
import { kvRecordEntryBytes } from '../wire/kv-fields.js';
import { kvBatchEntriesMax, kvFetchKeysMax } from '../wire/kv-limits.js';
import type {
  KvCursor,
  KvDigestEntry,
  KvFetchReplyMsg,
  KvFetchRequestMsg,
  KvKeysReplyMsg,
  KvKeysRequestMsg,
  KvMerkleReplyMsg,
  KvMerkleRequestMsg,
  KvMsg,
  KvRangeAckMsg,
  KvRecordEntry,
} from '../wire/kv-types.js';
import type { NodeName } from '../wire/types.js';
import { MerkleExchange, diffDigests } from './merkle-exchange.js';
import type { MerkleQuery } from './merkle-exchange.js';
import { MerkleTree } from './merkle.js';
import type { MerkleLeafRange } from './merkle.js';
import type { OwnerIndex } from './ownership.js';
import type { RebalanceLimits } from './rebalance-limits.js';
import type { RebalancerHost } from './rebalance-types.js';
import { recordFrom } from './record.js';
import { compareInRange } from './ring-range.js';
import type { RingRange } from './ring-range.js';

/** Timer: time for the next exchange. */
export const antiEntropyTickTimer = 'rebalance-ae-tick';
/** Timer: an exchange step's deadline; stale unless the exchange and its step count still match. */
export const antiEntropyTimeoutTimer = 'rebalance-ae-timeout';

/** Anti-entropy's timers. */
export type AntiEntropyTimer =
  | { readonly type: typeof antiEntropyTickTimer }
  | { readonly type: typeof antiEntropyTimeoutTimer; readonly exchangeId: number; readonly step: number };

/** What anti-entropy needs from the Rebalancer around it. */
export interface AntiEntropyDeps {
  readonly host: RebalancerHost;
  readonly rng: Rng;
  readonly limits: RebalanceLimits;
  /** Owners under the current ring. */
  owners(): OwnerIndex;
  /** A fresh stream id (shared with transfer batches so acks route unambiguously). */
  nextStreamId(): number;
  /** Largest repair batch, in bytes of records. */
  readonly batchBytesMax: number;
  /**
   * True while the Rebalancer is still handling a ring change: ranges are moving, so a comparison
   * would mostly re-send what the transfers are about to deliver (Cassandra does not repair ranges
   * that are streaming either). The round is skipped, not queued.
   */
  rebalancing(): boolean;
}

/** One exchange in progress (this node as repairer). */
interface Exchange {
  readonly id: number;
  readonly peer: NodeName;
  readonly range: RingRange;
  readonly plan: MerkleExchange;
  /** Merkle queries awaiting replies, by reqId. */
  readonly queries: Map<number, MerkleQuery>;
  queriesSent: number;
  leaves: MerkleLeafRange[];
  leafIndex: number;
  /** The kv-keys-req awaiting its reply. */
  keysReq: { readonly reqId: number; readonly after: KvCursor | null } | null;
  /** kv-fetch-req ids awaiting replies. */
  readonly fetches: Set<number>;
  /** Repair batch stream ids awaiting acks. */
  readonly pushes: Set<number>;
  /** Keys pulled or pushed so far (the per-exchange budget). */
  moved: number;
  repaired: number;
  /** Progress counter: a timeout fires only if no step happened since it was armed. */
  step: number;
}

interface CachedTree {
  readonly from: NodeName;
  readonly tree: MerkleTree;
  readonly builtAtMs: number;
}

/** Anti-entropy of one node. */
export class AntiEntropy {
  private readonly deps: AntiEntropyDeps;
  private exchange: Exchange | null = null;
  private nextExchangeId = 1;
  private nextReqId = 1;
  /** Round-robin position over this node's primary ranges; random start. */
  private rangeCursor: number;
  private cache: CachedTree | null = null;
  /** Exchanges finished (completed or abandoned), for tests and metrics. */
  exchangesFinished = 0;

  constructor(deps: AntiEntropyDeps) {
    this.deps = deps;
    this.rangeCursor = deps.rng.nextU32();
  }

  /** Arms the first round at a random offset within one interval (0 = anti-entropy off). */
  start(): void {
    const interval = this.deps.host.config.antiEntropyIntervalMs;
    if (interval === 0) return;
    this.deps.host.schedule(this.deps.rng.intBelow(interval), { type: antiEntropyTickTimer });
  }

  /** True while an exchange runs. */
  get busy(): boolean {
    return this.exchange !== null;
  }

  /** A tick: start an exchange unless one is running, and arm the next tick. */
  onTick(): void {
    const { host } = this.deps;
    host.schedule(host.config.antiEntropyIntervalMs, { type: antiEntropyTickTimer });
    if (this.exchange === null && !this.deps.rebalancing()) this.begin();
  }

  /** An exchange step's deadline passed. */
  onTimeout(exchangeId: number, step: number): void {
    const ex = this.exchange;
    if (ex !== null && ex.id === exchangeId && ex.step === step) this.finish();
  }

  /** True when `streamId` is one of this node's repair pushes in flight. */
  ownsStream(streamId: number): boolean {
    return this.exchange?.pushes.has(streamId) === true;
  }

  /** Routes one anti-entropy message. `from` is the sender's name. */
  handle(from: NodeName, msg: KvMsg, nowMs: number): void {
    switch (msg.type) {
      case 'kv-merkle-req':
        return this.answerMerkle(from, msg, nowMs);
      case 'kv-keys-req':
        return this.answerKeys(from, msg);
      case 'kv-fetch-req':
        return this.answerFetch(from, msg);
      case 'kv-merkle-rep':
        return this.onMerkleReply(from, msg);
      case 'kv-keys-rep':
        return this.onKeysReply(from, msg);
      case 'kv-fetch-rep':
        return this.onFetchReply(from, msg);
      case 'kv-range-ack':
        return this.onPushAck(msg);
      default:
        return undefined;
    }
  }

  /** Throws if an exchange's bookkeeping breaks a bound. */
  checkInvariants(): void {
    const ex = this.exchange;
    if (ex === null) return;
    const { limits } = this.deps;
    assert(ex.queriesSent <= limits.antiEntropyQueriesPerExchangeMax, 'anti-entropy queries per exchange bound');
    assert(ex.leaves.length <= limits.antiEntropyLeavesPerExchangeMax, 'anti-entropy leaves per exchange bound');
    assert(ex.moved <= limits.antiEntropyRepairsPerExchangeMax, 'anti-entropy repairs per exchange bound');
    assert(ex.leafIndex <= ex.leaves.length, 'leaf cursor within the differing leaves');
  }

  // --- repairer -----------------------------------------------------------------------------------

  private begin(): void {
    const { host, rng, limits } = this.deps;
    const index = this.deps.owners();
    const ranges = index.primaryRanges(host.self);
    if (ranges.length === 0) return;
    const range = ranges[this.rangeCursor++ % ranges.length]!;
    const peers = index.ownersAt(range.end).filter((n) => n !== host.self && host.addressOf(n) !== undefined);
    if (peers.length === 0) return;
    const peer = rng.pick(peers);
    const tree = MerkleTree.fromStorage(host.storage, range, limits.antiEntropyTreeDepth);
    this.exchange = {
      id: this.nextExchangeId++,
      peer,
      range,
      plan: new MerkleExchange(tree),
      queries: new Map(),
      queriesSent: 0,
      leaves: [],
      leafIndex: 0,
      keysReq: null,
      fetches: new Set(),
      pushes: new Set(),
      moved: 0,
      repaired: 0,
      step: 0,
    };
    this.sendQueries();
    this.progress();
  }

  private sendQueries(): void {
    const ex = this.exchange!;
    const msgs: KvMsg[] = [];
    for (let q = ex.plan.nextQuery(); q !== undefined; q = ex.plan.nextQuery()) {
      if (ex.queriesSent >= this.deps.limits.antiEntropyQueriesPerExchangeMax) {
        // Too many differing subtrees for one round: stop here; a later round resumes the work.
        this.finish();
        return;
      }
      const reqId = this.nextReqId++;
      ex.queries.set(reqId, q);
      ex.queriesSent++;
      msgs.push({ type: 'kv-merkle-req', reqId, range: ex.range, depth: this.deps.limits.antiEntropyTreeDepth, level: q.level, nodes: q.nodes });
    }
    if (msgs.length > 0) this.deps.host.send(ex.peer, msgs);
  }

  private onMerkleReply(from: NodeName, msg: KvMerkleReplyMsg): void {
    const ex = this.exchange;
    const query = ex?.queries.get(msg.reqId);
    if (ex === null || ex === undefined || query === undefined || from !== ex.peer) return;
    ex.queries.delete(msg.reqId);
    if (msg.status !== 'ok' || msg.level !== query.level || !ex.plan.onReply(query, msg.hashes)) {
      this.finish();
      return;
    }
    this.progress();
    this.sendQueries();
    if (this.exchange !== ex || !ex.plan.done) return;
    ex.leaves = ex.plan.differingLeaves().slice(0, this.deps.limits.antiEntropyLeavesPerExchangeMax);
    this.nextKeys(null);
  }

  /** Asks for the next page of digests of the current leaf (after `after`), or moves to the next leaf. */
  private nextKeys(after: KvCursor | null): void {
    const ex = this.exchange!;
    if (ex.leafIndex >= ex.leaves.length || ex.moved >= this.deps.limits.antiEntropyRepairsPerExchangeMax) {
      ex.leafIndex = ex.leaves.length;
      ex.keysReq = null;
      this.finishIfIdle();
      return;
    }
    const reqId = this.nextReqId++;
    ex.keysReq = { reqId, after };
    this.deps.host.send(ex.peer, [
      { type: 'kv-keys-req', reqId, range: ex.leaves[ex.leafIndex]!.range, after, limit: this.deps.limits.antiEntropyKeysPerRequest },
    ]);
  }

  private onKeysReply(from: NodeName, msg: KvKeysReplyMsg): void {
    const ex = this.exchange;
    if (ex === null || from !== ex.peer || ex.keysReq?.reqId !== msg.reqId) return;
    if (msg.status !== 'ok') {
      this.finish();
      return;
    }
    this.progress();
    const { host, limits } = this.deps;
    const range = ex.leaves[ex.leafIndex]!.range;
    const after = ex.keysReq.after;
    const local = host.storage.scanRange(range, after, limits.antiEntropyKeysPerRequest);
    const localMore = local.length === limits.antiEntropyKeysPerRequest;
    const remote = msg.entries.map((e) => ({ entry: e, position: keyPosition(e.key) }));
    const remoteMore = msg.more && remote.length > 0;
    // Compare only up to where both pages are complete; the rest is the next page's.
    let spanEnd: KvCursor | null = null;
    const later = (a: KvCursor, b: KvCursor): boolean => compareInRange(range, a.position, a.key, b.position, b.key) > 0;
    if (remoteMore) {
      const last = remote[remote.length - 1]!;
      spanEnd = { position: last.position, key: last.entry.key };
    }
    if (localMore) {
      const last = local[local.length - 1]!;
      const c = { position: last.position, key: last.key };
      if (spanEnd === null || later(spanEnd, c)) spanEnd = c;
    }
    const within = (c: KvCursor): boolean => spanEnd === null || !later(c, spanEnd);
    const localDigests: KvDigestEntry[] = local
      .filter((e) => within(e))
      .map((e) => ({ key: e.key, version: e.record.version, tombstone: e.record.value === null }));
    const remoteDigests = remote.filter((r) => within({ position: r.position, key: r.entry.key })).map((r) => r.entry);
    const diff = diffDigests(localDigests, remoteDigests);
    const budget = limits.antiEntropyRepairsPerExchangeMax - ex.moved;
    const pull = diff.pull.slice(0, budget);
    const push = diff.push.slice(0, Math.max(0, budget - pull.length));
    ex.moved += pull.length + push.length;
    this.pull(ex, pull);
    this.push(ex, push);
    if (spanEnd !== null) {
      this.nextKeys(spanEnd);
    } else {
      ex.leafIndex++;
      this.nextKeys(null);
    }
  }

  private pull(ex: Exchange, keys: readonly string[]): void {
    const msgs: KvMsg[] = [];
    for (let i = 0; i < keys.length; i += kvFetchKeysMax) {
      const reqId = this.nextReqId++;
      ex.fetches.add(reqId);
      msgs.push({ type: 'kv-fetch-req', reqId, keys: keys.slice(i, i + kvFetchKeysMax) });
    }
    if (msgs.length > 0) this.deps.host.send(ex.peer, msgs);
  }

  private push(ex: Exchange, keys: readonly string[]): void {
    const { host } = this.deps;
    const msgs: KvMsg[] = [];
    let entries: KvRecordEntry[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (entries.length === 0) return;
      const streamId = this.deps.nextStreamId();
      ex.pushes.add(streamId);
      msgs.push({ type: 'kv-range-batch', streamId, seq: 0, kind: 'repair', range: ex.range, entries, last: true });
      entries = [];
      bytes = 0;
    };
    for (const key of keys) {
      const record = host.storage.get(key);
      if (record === undefined) continue;
      const entry: KvRecordEntry = { key, value: record.value, version: record.version };
      const size = kvRecordEntryBytes(entry);
      if (entries.length >= kvBatchEntriesMax || (entries.length > 0 && bytes + size > this.deps.batchBytesMax)) flush();
      entries.push(entry);
      bytes += size;
    }
    flush();
    if (msgs.length > 0) host.send(ex.peer, msgs);
  }

  private onFetchReply(from: NodeName, msg: KvFetchReplyMsg): void {
    const ex = this.exchange;
    if (ex === null || from !== ex.peer || !ex.fetches.delete(msg.reqId)) return;
    this.progress();
    const { host } = this.deps;
    if (msg.status === 'ok') {
      for (const e of msg.entries) {
        const applied = host.storage.apply(e.key, recordFrom(e.value, e.version, host.config.tombstoneGraceMs));
        if (applied.ok && applied.value.won) ex.repaired++;
      }
    }
    this.finishIfIdle();
  }

  private onPushAck(msg: KvRangeAckMsg): void {
    const ex = this.exchange;
    if (ex === null || !ex.pushes.delete(msg.streamId)) return;
    this.progress();
    if (msg.status === 'ok') ex.repaired += msg.applied;
    this.finishIfIdle();
  }

  private finishIfIdle(): void {
    const ex = this.exchange;
    if (ex === null) return;
    if (ex.plan.done && ex.leafIndex >= ex.leaves.length && ex.keysReq === null && ex.fetches.size === 0 && ex.pushes.size === 0) this.finish();
  }

  /** Ends the exchange (done, abandoned or timed out) and reports what it repaired. */
  private finish(): void {
    const ex = this.exchange;
    if (ex === null) return;
    this.exchange = null;
    this.exchangesFinished++;
    this.deps.host.emit({ type: 'kv-anti-entropy', peer: ex.peer, repaired: ex.repaired });
  }

  /** Records progress and arms the step deadline that goes with it. */
  private progress(): void {
    const ex = this.exchange;
    if (ex === null) return;
    ex.step++;
    const timer: AntiEntropyTimer = { type: antiEntropyTimeoutTimer, exchangeId: ex.id, step: ex.step };
    this.deps.host.schedule(this.deps.limits.antiEntropyStepTimeoutMs, timer);
  }

  // --- responder ----------------------------------------------------------------------------------

  private ownsRange(range: RingRange): boolean {
    return this.deps.owners().owns(this.deps.host.self, range.end);
  }

  private answerMerkle(from: NodeName, msg: KvMerkleRequestMsg, nowMs: number): void {
    const reply = (status: KvMerkleReplyMsg['status'], hashes: readonly number[]): void =>
      this.deps.host.send(from, [{ type: 'kv-merkle-rep', reqId: msg.reqId, status, level: msg.level, hashes }]);
    if (!this.ownsRange(msg.range)) return reply('not-owner', []);
    if (msg.level > msg.depth || msg.nodes.some((i) => !Number.isInteger(i) || i < 0 || i >= 2 ** msg.level)) return reply('bad-request', []);
    const c = this.cache;
    let tree: MerkleTree;
    if (
      c !== null &&
      c.from === from &&
      c.tree.depth === msg.depth &&
      c.tree.range.start === msg.range.start &&
      c.tree.range.end === msg.range.end &&
      nowMs - c.builtAtMs <= this.deps.limits.merkleTreeCacheMs
    ) {
      tree = c.tree;
    } else {
      tree = MerkleTree.fromStorage(this.deps.host.storage, msg.range, msg.depth);
      this.cache = { from, tree, builtAtMs: nowMs };
    }
    reply('ok', tree.hashesAt(msg.level, msg.nodes));
  }

  private answerKeys(from: NodeName, msg: KvKeysRequestMsg): void {
    const { host, limits } = this.deps;
    if (!this.ownsRange(msg.range)) {
      host.send(from, [{ type: 'kv-keys-rep', reqId: msg.reqId, status: 'not-owner', entries: [], more: false }]);
      return;
    }
    const limit = Math.min(msg.limit, limits.antiEntropyKeysPerRequest);
    const found = host.storage.scanRange(msg.range, msg.after, limit);
    const entries: KvDigestEntry[] = found.map((e) => ({ key: e.key, version: e.record.version, tombstone: e.record.value === null }));
    host.send(from, [{ type: 'kv-keys-rep', reqId: msg.reqId, status: 'ok', entries, more: found.length === limit }]);
  }

  private answerFetch(from: NodeName, msg: KvFetchRequestMsg): void {
    const { host } = this.deps;
    const entries: KvRecordEntry[] = [];
    let bytes = 0;
    for (const key of msg.keys) {
      const record = host.storage.get(key);
      if (record === undefined) continue;
      const entry: KvRecordEntry = { key, value: record.value, version: record.version };
      const size = kvRecordEntryBytes(entry);
      // Past the byte bound the rest is omitted; the repairer's next round asks again.
      if (entries.length >= kvBatchEntriesMax || (entries.length > 0 && bytes + size > this.deps.batchBytesMax)) break;
      entries.push(entry);
      bytes += size;
    }
    host.send(from, [{ type: 'kv-fetch-rep', reqId: msg.reqId, status: 'ok', entries }]);
  }
}
