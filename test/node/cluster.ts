/**
 * A simulated ringkv cluster for tests: real NodeCores (SWIM + ring + KV) inside the real
 * Simulation. Each node's MemoryStorage lives in a Map outside the factory, so a restart with
 * keepDisk reuses it. Client replies ('reply' outputs, which the engine does not know) are
 * collected through onUnknownOutput; every event through onEvent.
 */
import type { MemoryStorage } from '../../src/kv/memory-storage.js';
import type { ClientOp, ClientResult } from '../../src/kv/client-types.js';
import type { KvConfig } from '../../src/kv/config.js';
import type { KvEvent } from '../../src/kv/events.js';
import type { SwimConfig } from '../../src/membership/swim/index.js';
import type { NodeCore } from '../../src/node/node-core.js';
import type { NodeEvent, NodeOutput } from '../../src/node/types.js';
import type { LinkModel } from '../../src/sim/network.js';
import { Simulation } from '../../src/sim/simulation.js';
import { nodeCoreFactory } from '../../src/sim/node-factory.js';

/** A reply a node gave to a client request. */
export interface ReplyRecord {
  readonly node: string;
  readonly requestId: number;
  readonly result: ClientResult;
  readonly atMs: number;
}

/** An event some node emitted. */
export interface EventRecord {
  readonly node: string;
  readonly event: NodeEvent;
  readonly atMs: number;
}

/** How to build a test cluster. */
export interface ClusterOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly kv?: Partial<KvConfig>;
  readonly membership?: Partial<SwimConfig>;
  readonly link?: Partial<LinkModel>;
  /** Check every actor's invariants every this many steps (0: only the handling actor's, after each step). */
  readonly checkInvariantsEvery?: number;
}

/** Time by which a default-config cluster of up to ~20 nodes has converged (every node knows every other). */
export const convergedAtMs = 5_000;

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

/** UTF-8 bytes of `s`. */
export function bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** `b` as text (undefined stays undefined). */
export function text(b: Uint8Array | null | undefined): string | undefined {
  return b === null || b === undefined ? undefined : utf8Decode.decode(b);
}

/** A test cluster: n0 starts a new cluster, every other node joins through it. */
export class Cluster {
  readonly sim: Simulation<NodeCore>;
  readonly seed: number;
  readonly storages = new Map<string, MemoryStorage>();
  readonly replies: ReplyRecord[] = [];
  readonly events: EventRecord[] = [];
  readonly names: string[] = [];
  private nextRequestId = 1;

  constructor(options: ClusterOptions) {
    this.seed = options.seed;
    this.sim = new Simulation<NodeCore>({
      seed: options.seed,
      checkInvariantsEvery: options.checkInvariantsEvery ?? 1000,
      ...(options.link !== undefined && { link: options.link }),
      onUnknownOutput: (node, output, nowMs) => {
        const o = output as NodeOutput;
        if (o.kind !== 'reply') throw new Error(`unexpected output kind ${o.kind} from ${node}`);
        this.replies.push({ node, requestId: o.requestId, result: o.result, atMs: nowMs });
      },
    });
    this.sim.onEvent((node, event, atMs) => this.events.push({ node, event: event as NodeEvent, atMs }));
    let seedAddr: string | undefined;
    const factory = nodeCoreFactory({
      storages: this.storages,
      ...(options.membership !== undefined && { membership: options.membership }),
      ...(options.kv !== undefined && { kv: options.kv }),
    });
    for (let i = 0; i < options.nodes; i++) {
      const name = `n${i}`;
      this.names.push(name);
      const node = this.sim.addNode({
        name,
        startAtMs: i === 0 ? 0 : 10 * i,
        seeds: seedAddr === undefined ? [] : [seedAddr],
        factory,
      });
      seedAddr ??= node.addr;
    }
  }

  /** The current core of `name`. */
  core(name: string): NodeCore {
    return this.sim.node(name).core;
  }

  /** Injects a client operation at `atMs` on `node`; returns its requestId. */
  op(atMs: number, node: string, op: ClientOp): number {
    const requestId = this.nextRequestId++;
    this.sim.injectAt(atMs, node, { kind: 'client', requestId, op });
    return requestId;
  }

  /** Runs an operation now and until it is answered (at most `maxMs`); returns its reply. */
  run(node: string, op: ClientOp, maxMs = 3_000): ReplyRecord {
    const id = this.op(this.sim.nowMs, node, op);
    const deadline = this.sim.nowMs + maxMs;
    while (this.sim.nowMs < deadline) {
      this.sim.runFor(10);
      const r = this.replyFor(id);
      if (r !== undefined) return r;
    }
    throw new Error(`seed=${this.seed}: request ${id} (${op.type} ${op.key} on ${node}) got no reply within ${maxMs} ms`);
  }

  /** The reply to `requestId`, if any (asserting there is at most one). */
  replyFor(requestId: number): ReplyRecord | undefined {
    const found = this.replies.filter((r) => r.requestId === requestId);
    if (found.length > 1) throw new Error(`seed=${this.seed}: request ${requestId} got ${found.length} replies`);
    return found[0];
  }

  /** KV events of one type since `sinceMs` (optionally about one key). */
  kvEvents<T extends KvEvent['type']>(type: T, sinceMs = 0, key?: string): Array<{ node: string; atMs: number; event: Extract<KvEvent, { type: T }> }> {
    const out: Array<{ node: string; atMs: number; event: Extract<KvEvent, { type: T }> }> = [];
    for (const e of this.events) {
      if (e.event.type !== type || e.atMs < sinceMs) continue;
      const ev = e.event as Extract<KvEvent, { type: T }>;
      if (key !== undefined && 'key' in ev && ev.key !== key) continue;
      out.push({ node: e.node, atMs: e.atMs, event: ev });
    }
    return out;
  }

  /** The key's home replicas as `viewer` sees them. */
  replicasOf(key: string, viewer = 'n0'): string[] {
    return this.core(viewer).ring().preferenceList(key, this.core(viewer).config.replicationFactor);
  }

  /** A key (from a deterministic sequence) whose home replicas satisfy `pred`. */
  findKey(pred: (replicas: readonly string[]) => boolean, prefix = 'key'): string {
    for (let i = 0; i < 10_000; i++) {
      const key = `${prefix}-${i}`;
      if (pred(this.replicasOf(key))) return key;
    }
    throw new Error(`seed=${this.seed}: no key found for the predicate`);
  }

  /** Every node the named one has on its ring (for convergence checks). */
  ringSize(name: string): number {
    return this.core(name).ring().size;
  }
}
