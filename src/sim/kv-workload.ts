/**
 * The KV simulation's client workload: random operations (put, read, create, update, delete) on
 * random keys, each handed to a random running node as coordinator, at a steady rate, with every
 * request and reply recorded in a `KvOpRecord` history for the checkers.
 *
 * One logical writer per key. A write to a key is issued only after the previous write to it got
 * its reply (or its coordinator crashed), and at least `keyWriteGapMs` later: the HLC's physical
 * part is the virtual clock, so a write issued in a strictly later millisecond than the previous
 * write's reply gets a strictly higher version, whichever node coordinates it. Without that gap two
 * writes in the same millisecond on two nodes could be ordered against their issue order, which is
 * the documented "concurrent writers" case, not what the checkers test. Reads are not serialised:
 * a read may overlap a write of its key, which read-your-writes allows for.
 *
 * Values are `v<requestId>`: unique, so any value read or stored names its write.
 */
import type { ClientOpType, ClientResult } from '../kv/client-types.js';
import { assert } from '../lib/assert.js';
import type { Rng } from '../lib/rng.js';
import type { NodeCore } from '../node/node-core.js';
import type { NodeInput } from '../node/types.js';
import type { NodeName } from '../wire/types.js';
import { newOpRecord, isWriteOp, type KvOpRecord } from './kv-history.js';
import type { Simulation } from './simulation.js';

/** Relative weights of the five operations. */
export type KvOpMix = Readonly<Record<ClientOpType, number>>;

/** Default mix: reads and puts dominate; creates/updates/deletes exercise the preconditions. */
export const kvOpMixDefault: KvOpMix = Object.freeze({ put: 30, read: 30, create: 15, update: 15, delete: 10 });

/** Virtual ms between issue ticks; each tick issues the ops the rate has accrued. */
export const kvIssueTickMs = 10;
/** Minimum virtual ms between a write's reply and the next write of its key (see the module comment). */
export const keyWriteGapMs = 1;
/** Times a write redraws its key when the one drawn has a write in flight; then it becomes a read. */
export const keyRedrawsMax = 8;
/** Most requests one run may issue (bounds the history's memory). */
export const kvHistoryOpsMax = 5_000_000;

/** What to issue, and when. */
export interface KvWorkloadOptions {
  /** Keys k0..k<keys-1>. */
  readonly keys: number;
  readonly opsPerSecond: number;
  /** The first ops are issued at this virtual time, the last before `endMs`. */
  readonly startMs: number;
  readonly endMs: number;
  readonly mix?: KvOpMix;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const opTypes: readonly ClientOpType[] = ['put', 'read', 'create', 'update', 'delete'];

/** Issues the workload into a simulation of NodeCores and records the history. */
export class KvWorkload {
  /** Every request, in issue order (index = requestId - 1). */
  readonly history: KvOpRecord[] = [];
  /** Replies whose requestId no request has (must stay 0). */
  unknownReplies = 0;
  readonly keyNames: readonly string[];

  private readonly sim: Simulation<NodeCore>;
  private readonly rng: Rng;
  private readonly options: KvWorkloadOptions;
  private readonly mix: KvOpMix;
  private readonly mixTotal: number;
  /** Per key: requestId of the write in flight, if any. */
  private readonly writeInFlight = new Map<string, number>();
  /** Per key: earliest virtual time the next write may be issued. */
  private readonly writeFreeAtMs = new Map<string, number>();
  /** Pending requests per coordinator, so a crash can orphan them. */
  private readonly pendingByNode = new Map<NodeName, Set<number>>();
  private credit = 0;

  constructor(sim: Simulation<NodeCore>, rng: Rng, options: KvWorkloadOptions) {
    assert(Number.isInteger(options.keys) && options.keys >= 1, `keys must be a positive integer, got ${options.keys}`);
    assert(Number.isFinite(options.opsPerSecond) && options.opsPerSecond >= 0, `opsPerSecond must be >= 0, got ${options.opsPerSecond}`);
    assert(options.endMs >= options.startMs, 'workload ends before it starts');
    const total = (options.opsPerSecond * (options.endMs - options.startMs)) / 1000;
    assert(total <= kvHistoryOpsMax, `the workload would issue ${total} requests, more than kvHistoryOpsMax ${kvHistoryOpsMax}`);
    this.sim = sim;
    this.rng = rng;
    this.options = options;
    this.mix = options.mix ?? kvOpMixDefault;
    this.mixTotal = opTypes.reduce((s, t) => s + this.mix[t], 0);
    assert(this.mixTotal > 0, 'the op mix needs a positive weight');
    this.keyNames = Array.from({ length: options.keys }, (_, i) => `k${i}`);
  }

  /** Schedules the issue ticks. */
  start(): void {
    if (this.options.opsPerSecond === 0 || this.options.endMs <= this.options.startMs) return;
    this.sim.at(this.options.startMs, () => this.tick());
  }

  /** A node's 'reply' output (from the engine's onUnknownOutput). */
  onReply(node: NodeName, requestId: number, result: ClientResult, nowMs: number): void {
    const r = this.history[requestId - 1];
    if (r === undefined || r.requestId !== requestId) {
      this.unknownReplies++;
      return;
    }
    r.replies++;
    if (r.replies > 1 || r.outcome === 'orphaned') return;
    r.repliedAtMs = nowMs;
    if (result.ok) {
      r.outcome = 'ok';
      r.version = result.version ?? null;
      if (r.op === 'read' && result.value !== undefined) r.readValue = decoder.decode(result.value);
    } else {
      r.outcome = 'failed';
      r.errorCode = result.error.code;
    }
    this.settled(node, r, nowMs);
  }

  /** `node` crashed: its pending requests will never be answered. */
  onCrash(node: NodeName, nowMs: number): void {
    const pending = this.pendingByNode.get(node);
    if (pending === undefined) return;
    for (const id of [...pending]) {
      const r = this.history[id - 1]!;
      r.outcome = 'orphaned';
      this.settled(node, r, nowMs);
    }
  }

  /** Requests issued and not yet answered (or orphaned). */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.pendingByNode.values()) n += s.size;
    return n;
  }

  // --- internals ------------------------------------------------------------------------------------

  private settled(node: NodeName, r: KvOpRecord, nowMs: number): void {
    this.pendingByNode.get(node)?.delete(r.requestId);
    if (isWriteOp(r.op) && this.writeInFlight.get(r.key) === r.requestId) {
      this.writeInFlight.delete(r.key);
      this.writeFreeAtMs.set(r.key, nowMs + keyWriteGapMs);
    }
  }

  private tick(): void {
    const now = this.sim.nowMs;
    this.credit += (this.options.opsPerSecond * kvIssueTickMs) / 1000;
    const coordinators = this.sim.allNodes.filter((n) => n.status === 'up').map((n) => n.name);
    while (this.credit >= 1) {
      this.credit -= 1;
      if (coordinators.length > 0) this.issueOne(this.rng.pick(coordinators), now);
    }
    const next = now + kvIssueTickMs;
    if (next < this.options.endMs) this.sim.at(next, () => this.tick());
  }

  private pickOp(): ClientOpType {
    let x = this.rng.intBelow(this.mixTotal);
    for (const t of opTypes) {
      if (x < this.mix[t]) return t;
      x -= this.mix[t];
    }
    return 'read';
  }

  private writable(key: string, now: number): boolean {
    return !this.writeInFlight.has(key) && (this.writeFreeAtMs.get(key) ?? 0) <= now;
  }

  private issueOne(coordinator: NodeName, now: number): void {
    let op = this.pickOp();
    let key = this.keyNames[this.rng.intBelow(this.keyNames.length)]!;
    if (isWriteOp(op)) {
      for (let i = 0; i < keyRedrawsMax && !this.writable(key, now); i++) key = this.keyNames[this.rng.intBelow(this.keyNames.length)]!;
      if (!this.writable(key, now)) op = 'read';
    }
    const requestId = this.history.length + 1;
    const written = op === 'put' || op === 'create' || op === 'update' ? `v${requestId}` : null;
    const record = newOpRecord(requestId, key, op, coordinator, written, now);
    this.history.push(record);
    if (isWriteOp(op)) this.writeInFlight.set(key, requestId);
    let pending = this.pendingByNode.get(coordinator);
    if (pending === undefined) {
      pending = new Set();
      this.pendingByNode.set(coordinator, pending);
    }
    pending.add(requestId);
    const input: NodeInput = { kind: 'client', requestId, op: written === null ? { type: op, key } : { type: op, key, value: encoder.encode(written) } };
    this.sim.injectAt(now, coordinator, input);
  }
}
