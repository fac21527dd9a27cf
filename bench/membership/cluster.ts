/**
 * N real nodes in ONE process: N NodeRuntime instances, each with its own UDP and TCP sockets on
 * 127.0.0.1 (port 0) and its own data directory under a temp root, no HTTP/RESP listeners, silent
 * logs. 100 `ringkv start` processes (~60-100 MB and a V8 isolate each) do not fit a 2-core
 * machine; 100 runtimes on one event loop do, as long as the loop keeps up, which the benchmark
 * checks with an event-loop lag monitor (bench/lib/lag.ts).
 *
 * The KV layer is kept idle and light (no keys, few tokens, no anti-entropy): it talks only on
 * the stream channel (TCP), so it cannot change the UDP figures, and 100 rings of 256 tokens per
 * node rebuilt on every join would only burn the CPU the membership timing needs.
 */
import { join } from 'node:path';
import type { RuntimeConfig } from '../../src/runtime/config.js';
import { runtimeDefaults, validateRuntimeConfig } from '../../src/runtime/config.js';
import { silentLog } from '../../src/runtime/log.js';
import { NodeRuntime } from '../../src/runtime/node-runtime.js';
import type { SwimConfig } from '../../src/membership/swim/index.js';
import { injectOutgoingLoss } from './loss.js';
import type { InjectedLoss } from './loss.js';

/** Probe interval of the benchmark (ringkv's default and memberlist's LAN default), in ms. */
export const probeIntervalMs = 1_000;
/** Probe timeout (ringkv's default and memberlist's LAN default), in ms. */
export const probeTimeoutMs = 500;
/** Ring tokens per node: a handful is enough for an idle KV layer (see the header). */
const benchTokensPerNode = 8;
/** Store budget per node, in bytes (the store stays empty; LMDB's minimum is far below). */
const storageBytesMax = 16 * 1024 * 1024;
/** LMDB map size per node, in bytes: small, since 100 maps share one address space. */
const storageMapBytes = 64 * 1024 * 1024;

export interface BenchNode {
  readonly name: string;
  readonly runtime: NodeRuntime;
  readonly loss: InjectedLoss;
  /** False once the benchmark stopped it. */
  running: boolean;
}

export interface ClusterOptions {
  readonly nodes: number;
  /** Outgoing UDP loss of every node, 0..1. */
  readonly loss: number;
  readonly seed: number;
  /** Temp root; node i's data directory is <root>/node-<i>. */
  readonly root: string;
  /** Membership overrides on top of the probe timing (e.g. from --set). */
  readonly membership: Partial<SwimConfig>;
}

function nodeConfig(name: string, dataDir: string, seeds: readonly string[], membership: Partial<SwimConfig>): RuntimeConfig {
  const config: RuntimeConfig = {
    name,
    bind: '127.0.0.1:0',
    join: seeds,
    dataDir,
    apiHost: '127.0.0.1',
    httpPort: null,
    respPort: null,
    encryptKeys: [],
    storagePendingWritesMax: runtimeDefaults.storagePendingWritesMax,
    storageSync: runtimeDefaults.storageSync,
    clusterLabel: '',
    storageBytesMax,
    storageMapBytes,
    leaveTimeoutMs: 0,
    inputQueueMax: 100_000,
    logLevel: 'error',
    membership: { probeIntervalMs, probeTimeoutMs, ...membership },
    kv: { tokensPerNode: benchTokensPerNode, antiEntropyIntervalMs: 0 },
  };
  const valid = validateRuntimeConfig(config);
  if (!valid.ok) throw new Error(`bench node config: ${valid.error.message}`);
  return config;
}

/**
 * Opens and starts the nodes one after the other: node 0 starts the cluster, every other node
 * joins through it (as `ringkv cluster` does). `beforeStart` runs after open and before start,
 * so event subscriptions see everything from the first packet.
 */
export async function startCluster(o: ClusterOptions, beforeStart: (node: BenchNode, index: number) => void): Promise<BenchNode[]> {
  const nodes: BenchNode[] = [];
  try {
    for (let i = 0; i < o.nodes; i++) {
      // Named like `ringkv cluster` names its nodes: names travel in pings, so they weigh on the bytes.
      const name = `node-${i}`;
      const seeds = i === 0 ? [] : [nodes[0]!.runtime.tcp.localAddress];
      const runtime = await NodeRuntime.open(nodeConfig(name, join(o.root, name), seeds, o.membership), silentLog);
      // Per-node stream of the seeded PRNG: seed and index, so runs differ only by --seed.
      const node: BenchNode = { name, runtime, loss: injectOutgoingLoss(runtime.udp, o.loss, o.seed * 1_000_003 + i), running: true };
      nodes.push(node);
      beforeStart(node, i);
      runtime.start({});
    }
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
  return nodes;
}

/** Nodes that have every node of the cluster alive in their view. */
export function convergedCount(nodes: readonly BenchNode[]): number {
  let n = 0;
  for (const node of nodes) if (node.running && node.runtime.health().members.alive === nodes.length) n++;
  return n;
}

/**
 * Stops a node as a crash looks to its peers: `close()` without `leave()` stops its timers and
 * closes its sockets silently; nobody is told.
 */
export async function crash(node: BenchNode): Promise<void> {
  node.running = false;
  await node.runtime.close();
}

export async function stopAll(nodes: readonly BenchNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => (n.running ? crash(n) : n.runtime.close())));
}

/**
 * Sums over the given nodes: UDP datagrams and payload bytes the protocol sent (those the socket
 * carried plus those the loss wrapper dropped; `stats.sent` counts on the socket's callback), and
 * TCP payload bytes (push-pull, stream fallback pings), for information.
 */
export interface TrafficSnapshot {
  readonly udpPackets: number;
  readonly udpBytes: number;
  readonly tcpBytes: number;
}

export function trafficSnapshot(nodes: readonly BenchNode[]): TrafficSnapshot {
  let udpPackets = 0;
  let udpBytes = 0;
  let tcpBytes = 0;
  for (const n of nodes) {
    const udp = n.runtime.udp.stats;
    udpPackets += udp.sent + n.loss.dropped;
    udpBytes += udp.bytesSent + n.loss.droppedBytes;
    tcpBytes += n.runtime.tcp.stats.bytesSent;
  }
  return { udpPackets, udpBytes, tcpBytes };
}
