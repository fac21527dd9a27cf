/**
 * One real node: drives a pure NodeCore (src/node) with UDP/TCP transports, real time and an LMDB
 * store (architecture §1: the simulator drives the very same core with virtual time).
 *
 * The loop: everything that happens (a datagram, a frame, a due timer, a client operation) becomes
 * a NodeInput in a bounded queue; one `setImmediate` per event-loop turn drains the queue into the
 * core inside one storage transaction, then carries out the outputs. The store ('wal' sync, the
 * default) appends the batch's writes to its write-ahead log and fsyncs it off the event loop (LMDB
 * takes them at checkpoints); a reply or ack leaves the node only once what it vouches for is
 * durable (group commit, docs/storage.md), everything else leaves at once, and sockets see one
 * burst of sends per turn.
 *
 * Lifecycle: `open` (state, storage, sockets) → `start(endpoints)` (the core, with the API
 * endpoints in its metadata, joins the cluster) → `leave()` (graceful) → `close()`. A `kill -9`
 * skips the last two; on restart the persisted incarnation and the newest stored version move
 * the node's incarnation and clock forward.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { assert } from '../lib/assert.js';
import { IdTable } from '../lib/id-table.js';
import { Rng } from '../lib/rng.js';
import type { ClientOp, ClientResult } from '../kv/client-types.js';
import type { MemberInfo } from '../membership/types.js';
import type { StoredRecord } from '../kv/record.js';
import { NodeCore } from '../node/node-core.js';
import type { NodeEvent, NodeInput, NodeOutput, NodeTimer } from '../node/types.js';
import { decodePacket, encodePacket } from '../wire/codec.js';
import type { WireErrorCode } from '../wire/codec.js';
import type { Address, Channel, Msg } from '../wire/types.js';
import { udpPacketBytesMax } from '../wire/limits.js';
import { Keyring, sealOverheadBytes } from '../transport/keyring.js';
import type { Transport } from '../transport/transport.js';
import { bindUdpTransport } from '../transport/udp-transport.js';
import { listenTcpTransport } from '../transport/tcp-transport.js';
import { monotonicEpochMs } from './clock.js';
import { effectiveMembershipConfig } from './config.js';
import type { RuntimeConfig } from './config.js';
import { decodeEndpoints, encodeEndpoints } from './endpoints-meta.js';
import { lockDataDir } from './data-dir-lock.js';
import type { DataDirLock } from './data-dir-lock.js';
import { EventFeed } from './event-feed.js';
import { LmdbStorage } from './lmdb-storage.js';
import type { Log } from './log.js';
import { openNodeState } from './node-state.js';
import type { NodeState } from './node-state.js';
import type { HealthView, MemberView, NodeEndpoints, NodeInfo, NodeService, RingView } from './service.js';
import { TimerQueue } from './timer-queue.js';
import { RuntimeMetrics } from './metrics.js';
import { ringView } from './ring-view.js';

/** The package version reported by INFO and /v1/info. */
export const ringkvVersion = '0.1.0';

/** Counters of the driver itself (transport and core counters live in their own objects). */
export interface RuntimeStats {
  /** Batches drained (one storage transaction each). */
  batches: number;
  /** Inputs fed to the core. */
  inputs: number;
  /** Packets dropped because the input queue was full. */
  inputsDropped: number;
  /** Times draining paused because more writes than the store's bound waited for their flush. */
  backlogWaits: number;
  /** Event-loop time spent committing batches (after the core handled them), in ms. */
  commitMs: number;
  /** Received datagrams/frames that failed to decode, by wire error code (label mismatch included). */
  decodeErrors: Partial<Record<WireErrorCode, number>>;
}

/** A client operation waiting for the core's reply: its key decides which flush the reply waits for. */
interface Pending {
  readonly key: string;
  readonly resolve: (result: ClientResult) => void;
}

export class NodeRuntime implements NodeService {
  readonly metricsContentType: string;
  readonly stats: RuntimeStats = { batches: 0, inputs: 0, inputsDropped: 0, backlogWaits: 0, commitMs: 0, decodeErrors: {} };
  readonly events = new EventFeed();
  private core: NodeCore | undefined;
  private endpoints: NodeEndpoints = {};
  private inputs: NodeInput[] = [];
  private drainScheduled = false;
  /** Client operations waiting for their reply, by requestId (not a Map: see IdTable). */
  private readonly pending = new IdTable<Pending>();
  private nextRequestId = 1;
  private readonly timers: TimerQueue<NodeTimer>;
  private readonly startedAtMs = monotonicEpochMs();
  private joined = false;
  private leaving = false;
  private closed = false;
  private readonly metrics: RuntimeMetrics;
  private incarnationSaved = 0;
  /** The end of the chain of held replica answers and acks, in batch order (see `drain`). */
  private outputTail: Promise<void> = Promise.resolve();
  /** True while draining waits for the store's flushes to catch up (storage.backlogged()). */
  private backlogWait = false;

  private constructor(
    readonly config: RuntimeConfig,
    private readonly log: Log,
    readonly storage: LmdbStorage,
    private readonly state: NodeState,
    readonly udp: Transport,
    readonly tcp: Transport,
    private readonly encrypted: boolean,
    private readonly lock: DataDirLock,
  ) {
    this.timers = new TimerQueue<NodeTimer>(monotonicEpochMs, (due) => {
      for (const timer of due) this.enqueue({ kind: 'timer', timer }, true);
    });
    // A failed commit or flush stops the node even when no reply or ack waits on it.
    storage.onFailure((error) => this.storageFailed(error));
    this.metrics = new RuntimeMetrics(this);
    this.metricsContentType = this.metrics.contentType;
  }

  /**
   * Opens the data directory (refusing one that belongs to another node name), the store, and the
   * gossip sockets: TCP first (port 0 picks one), then UDP on the same port.
   */
  static async open(config: RuntimeConfig, log: Log): Promise<NodeRuntime> {
    mkdirSync(config.dataDir, { recursive: true });
    const lock = lockDataDir(config.dataDir);
    try {
      return await NodeRuntime.openLocked(config, log, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private static async openLocked(config: RuntimeConfig, log: Log, lock: DataDirLock): Promise<NodeRuntime> {
    const state = openNodeState(config.dataDir);
    if (state.name !== undefined && state.name !== config.name) {
      throw new RuntimeStartError('RUNTIME_ERR_DATA_DIR_OWNER', `data directory ${config.dataDir} belongs to node "${state.name}", not "${config.name}"`);
    }
    if (state.name === undefined) state.setName(config.name);
    let keyring: Keyring | undefined;
    if (config.encryptKeys.length > 0) {
      const ring = Keyring.fromBase64([...config.encryptKeys]);
      if (!ring.ok) throw new RuntimeStartError('CONFIG_ERR_INVALID', `encryptKeys: ${ring.error.message}`);
      keyring = ring.value;
    }
    const storage = LmdbStorage.open({ path: join(config.dataDir, 'kv'), storageBytesMax: config.storageBytesMax, mapSizeBytes: config.storageMapBytes, sync: config.storageSync, pendingWritesMax: config.storagePendingWritesMax });
    let tcpOrUndefined: Transport | undefined;
    try {
      const tcp = await listenTcpTransport({ bind: config.bind, ...(config.advertise !== undefined && { advertise: config.advertise }), ...(keyring !== undefined && { keyring }) });
      // Without an advertised address, localAddress is the bound one with the actual port (the
      // TCP listener picked it when bind asked for port 0): UDP takes the same port.
      const udpBind = config.advertise === undefined ? tcp.localAddress : config.bind;
      tcpOrUndefined = tcp;
      const udp = await bindUdpTransport({ bind: udpBind, ...(config.advertise !== undefined && { advertise: config.advertise }), ...(keyring !== undefined && { keyring }) });
      if (config.advertise !== undefined) {
        // docs/operations.md: answers come from the advertised address when it is local; say which case this is.
        if (udp.answerAddress !== undefined) log.info({ advertise: config.advertise, answerFrom: udp.answerAddress }, 'UDP datagrams leave from the advertised address');
        else if (udp.boundAddress !== config.advertise) log.info({ advertise: config.advertise, bound: udp.boundAddress }, 'advertised address is not local: UDP source addresses are left to the NAT');
      }
      return new NodeRuntime(config, log, storage, state, udp, tcp, keyring !== undefined, lock);
    } catch (error) {
      await tcpOrUndefined?.close();
      await storage.close();
      throw error;
    }
  }

  /** Builds the core and joins the cluster (or starts one). `endpoints` go into the metadata. */
  start(endpoints: NodeEndpoints): void {
    assert(this.core === undefined, 'start called twice');
    this.endpoints = endpoints;
    const incarnation = this.state.nextIncarnation();
    this.incarnationSaved = incarnation;
    const profile = effectiveMembershipConfig(this.config);
    const membership = {
      ...profile,
      ...(this.encrypted && { udpPacketBytesMax: Math.min(profile.udpPacketBytesMax ?? udpPacketBytesMax, udpPacketBytesMax - sealOverheadBytes) }),
    };
    this.core = new NodeCore({
      self: { name: this.config.name, addr: this.tcp.localAddress },
      rng: new Rng(randomInt(0, 2 ** 32 - 1)),
      storage: this.storage,
      membership,
      kv: this.config.kv,
      initialIncarnation: incarnation,
      meta: encodeEndpoints(endpoints),
      label: this.config.clusterLabel,
    });
    this.udp.onReceive((from, bytes) => this.onBytes(from, 'packet', bytes));
    this.tcp.onReceive((from, bytes) => this.onBytes(from, 'stream', bytes));
    this.joined = this.config.join.length === 0;
    this.enqueue({ kind: 'start', seeds: [...this.config.join] }, true);
    this.log.info({ name: this.config.name, gossip: this.tcp.localAddress, incarnation, join: this.config.join, encrypted: this.encrypted }, 'node starting');
  }

  /** Graceful leave: tells the cluster, then waits (bounded) until the broadcast went out. */
  async leave(): Promise<void> {
    if (this.core === undefined || this.leaving || this.closed) return;
    this.leaving = true;
    this.enqueue({ kind: 'leave' }, true);
    const core = this.core;
    const deadline = monotonicEpochMs() + this.config.leaveTimeoutMs;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (core.membership.isQuiet() || monotonicEpochMs() >= deadline) resolve();
        else setTimeout(check, 20).unref();
      };
      check();
    });
    this.log.info({ name: this.config.name, quiet: core.membership.isQuiet() }, 'left the cluster');
  }

  /** Stops timers and sockets, fails pending requests, closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.close();
    for (const { resolve } of this.pending.valuesSnapshot()) resolve(notReady('node is shutting down'));
    this.pending.clear();
    await Promise.all([this.udp.close(), this.tcp.close()]);
    await this.storage.close();
    this.lock.release();
  }

  // ---- NodeService ----

  execute(op: ClientOp): Promise<ClientResult> {
    const started = monotonicEpochMs();
    if (this.core === undefined || this.closed) return Promise.resolve(notReady('node is not running'));
    if (this.inputs.length >= this.config.inputQueueMax) {
      return Promise.resolve({ ok: false, error: { code: 'KV_ERR_OVERLOADED', message: `input queue full (${this.config.inputQueueMax})` } });
    }
    const requestId = this.nextRequestId++;
    return new Promise<ClientResult>((resolve) => {
      this.pending.set(requestId, {
        key: op.key,
        resolve: (result) => {
          this.metrics.observeRequest(op, result, monotonicEpochMs() - started);
          resolve(result);
        },
      });
      this.enqueue({ kind: 'client', requestId, op }, true);
    });
  }

  members(): MemberView[] {
    if (this.core === undefined) return [];
    return this.core.membership.members().map((m) => this.memberView(m));
  }

  ring(): RingView {
    const core = this.core;
    if (core === undefined) return { tokensPerNode: this.config.kv.tokensPerNode ?? 0, replicationFactor: 0, nodes: [], ranges: [] };
    return ringView(core.ring(), core.config.tokensPerNode, core.config.replicationFactor);
  }

  health(): HealthView {
    const counts = { alive: 0, suspect: 0, dead: 0, left: 0 };
    for (const m of this.core?.membership.members() ?? []) counts[m.state]++;
    const status = this.leaving || this.closed ? 'leaving' : this.core !== undefined && this.joined ? 'ok' : 'joining';
    return { status, name: this.config.name, members: counts, uptimeMs: monotonicEpochMs() - this.startedAtMs };
  }

  info(): NodeInfo {
    const s = this.storage.stats();
    return {
      name: this.config.name,
      addr: this.tcp.localAddress,
      version: ringkvVersion,
      uptimeMs: monotonicEpochMs() - this.startedAtMs,
      incarnation: this.core?.incarnation() ?? 0,
      keys: s.keys,
      tombstones: s.tombstones,
      bytes: s.bytes,
      inflightRequests: this.core?.inflightRequests ?? 0,
      hintsHeld: this.core?.hintsHeld ?? 0,
      endpoints: this.endpoints,
    };
  }

  metricsText(): Promise<string> {
    return this.metrics.text();
  }

  /** This node's own stored record for `key` (value or tombstone), without asking any replica. */
  localRecord(key: string): StoredRecord | undefined {
    return this.storage.get(key);
  }

  /** The core, for metrics and tests (undefined before start). */
  get nodeCore(): NodeCore | undefined {
    return this.core;
  }

  // ---- the loop ----

  private onBytes(from: Address, channel: Channel, bytes: Uint8Array): void {
    if (this.closed) return;
    const decoded = decodePacket(bytes, { channel, expectedLabel: this.config.clusterLabel });
    if (!decoded.ok) {
      const code = decoded.error.code;
      this.stats.decodeErrors[code] = (this.stats.decodeErrors[code] ?? 0) + 1;
      this.log.debug({ from, channel, code, detail: decoded.error.detail }, 'dropped undecodable input');
      return;
    }
    this.enqueue({ kind: 'packet', from, channel, msgs: decoded.value.msgs as Msg[] }, false);
  }

  /** Queues an input; packets are dropped (counted) when the queue is full, timers and commands never. */
  private enqueue(input: NodeInput, mustKeep: boolean): void {
    if (this.closed) return;
    if (!mustKeep && this.inputs.length >= this.config.inputQueueMax) {
      this.stats.inputsDropped++;
      return;
    }
    this.inputs.push(input);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    const core = this.core;
    if (core === undefined || this.closed || this.inputs.length === 0) return;
    if (this.storage.backlogged()) {
      // The disk is behind: stop feeding the store until its flushes catch up. Inputs wait in the
      // bounded queue meanwhile (packets beyond it are dropped, clients get KV_ERR_OVERLOADED).
      this.waitForFlush();
      return;
    }
    const batch = this.inputs;
    this.inputs = [];
    const now = monotonicEpochMs();
    const out: NodeOutput[] = [];
    // One storage transaction for the whole batch (see the class header for when its outputs leave).
    let handledAt = 0;
    this.storage.transaction(() => {
      for (const input of batch) core.handle(input, now, out);
      handledAt = performance.now();
    });
    // What committing cost the event loop: with 'commit' the fsync, with 'background' queuing only,
    // with 'wal' encoding the log frame.
    this.stats.commitMs += performance.now() - handledAt;
    this.stats.batches++;
    this.stats.inputs += batch.length;
    // Only what vouches for stored data waits for its flush; everything else (probes, requests to
    // replicas, gossip) leaves now, so the flushes of the coordinator and of its replicas overlap
    // instead of adding up. A reply to a client waits for the newest write of its key only (the
    // coordinator's own write was usually made and flushed in an earlier batch); replica answers
    // and transfer acks wait for everything written so far, their own batch's writes included.
    // The protocol never relied on stream frames keeping their order (the simulator reorders
    // them); held answers keep theirs, and the API servers order replies themselves.
    const durable = this.storage.durable();
    const held: NodeOutput[] = [];
    const immediate: NodeOutput[] = [];
    let repliesWaiting: Map<Promise<void>, NodeOutput[]> | undefined;
    for (const o of out) {
      if (o.kind === 'reply') {
        const key = this.pending.get(o.requestId)?.key;
        const flushed = key === undefined ? durable : this.storage.durableFor(key);
        if (flushed === undefined) immediate.push(o);
        else {
          repliesWaiting ??= new Map();
          const list = repliesWaiting.get(flushed);
          if (list === undefined) repliesWaiting.set(flushed, [o]);
          else list.push(o);
        }
      } else if (durable !== undefined && vouchesForData(o)) held.push(o);
      else immediate.push(o);
    }
    this.carryOutBatch(immediate, now);
    if (repliesWaiting !== undefined) {
      for (const [flushed, replies] of repliesWaiting) {
        flushed.then(
          () => {
            if (!this.closed) this.carryOutBatch(replies, now);
          },
          (error: unknown) => this.storageFailed(error),
        );
      }
    }
    if (held.length === 0) return;
    this.outputTail = this.outputTail
      .then(() => durable)
      .then(
        () => {
          if (!this.closed) this.carryOutBatch(held, now);
        },
        (error: unknown) => this.storageFailed(error),
      );
  }

  private storageFailed(error: unknown): never {
    this.log.error({ err: String(error) }, 'storage commit or flush failed: stopping the node');
    process.exit(70);
  }

  private waitForFlush(): void {
    if (this.backlogWait) return;
    const drained = this.storage.drained();
    assert(drained !== undefined, 'a backlogged store has a flush or checkpoint to wait for');
    this.backlogWait = true;
    this.stats.backlogWaits++;
    drained.then(
      () => {
        this.backlogWait = false;
        if (this.inputs.length > 0) this.scheduleDrain();
      },
      (error: unknown) => this.storageFailed(error),
    );
  }

  private carryOutBatch(out: NodeOutput[], now: number): void {
    // A refutation raised our incarnation: make it durable before the alive message that carries
    // it leaves, so a restart after a crash always starts above every incarnation we announced.
    for (const o of out) {
      if (o.kind === 'event' && o.event.type === 'refute' && o.event.incarnation > this.incarnationSaved) {
        this.state.recordIncarnation(o.event.incarnation);
        this.incarnationSaved = o.event.incarnation;
      }
    }
    for (const o of out) this.carryOut(o, now);
  }

  private carryOut(o: NodeOutput, now: number): void {
    switch (o.kind) {
      case 'send': {
        const bytes = encodePacket(o.msgs, { channel: o.channel, label: this.config.clusterLabel });
        (o.channel === 'packet' ? this.udp : this.tcp).send(o.to, bytes);
        return;
      }
      case 'schedule':
        this.timers.add(now + o.afterMs, o.timer);
        return;
      case 'reply': {
        const waiting = this.pending.get(o.requestId);
        if (waiting === undefined) return; // closed meanwhile
        this.pending.delete(o.requestId);
        waiting.resolve(o.result);
        return;
      }
      case 'event':
        this.onEvent(o.event, now);
        return;
    }
  }

  private onEvent(event: NodeEvent, now: number): void {
    switch (event.type) {
      case 'kv-served':
      case 'kv-coordinated':
        return; // one per operation: counted by metrics, not logged
      case 'joined':
        this.joined = true;
        break;
      default:
        break;
    }
    this.metrics.onEvent(event);
    this.events.push(now, event);
    const routine = event.type === 'kv-read-repair' || event.type === 'kv-hint-stored' || (event.type === 'kv-anti-entropy' && event.repaired === 0);
    const level = routine ? 'debug' : 'info';
    this.log[level]({ event: eventFields(event) }, event.type);
  }

  private memberView(m: MemberInfo): MemberView {
    return {
      name: m.name,
      addr: m.addr,
      state: m.state,
      incarnation: m.incarnation,
      endpoints: m.name === this.config.name ? this.endpoints : decodeEndpoints(m.meta),
      self: m.name === this.config.name,
    };
  }
}

/** A node that cannot start (bad data directory, key, address in use). */
export class RuntimeStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeStartError';
  }
}

/** Messages to peers that tell them data is stored: they must not leave before it is durable. */
function vouchesForData(o: NodeOutput): boolean {
  return o.kind === 'send' && o.channel === 'stream' && o.msgs.some((m) => m.type === 'kv-rep' || m.type === 'kv-range-ack');
}

function notReady(message: string): ClientResult {
  return { ok: false, error: { code: 'KV_ERR_NOT_READY', message } };
}

function eventFields(event: NodeEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) out[k] = v instanceof Uint8Array ? decodeEndpoints(v) : v;
  return out;
}
