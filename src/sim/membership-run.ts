/**
 * One membership scenario, end to end: N nodes of one protocol, optional loss, a batch of crashes
 * at `failAtMs`, an optional partition; the checkers judge the run and the report says how fast
 * and how accurately failures were detected and what it cost on the wire. This is what
 * `ringkv sim` runs.
 *
 * Pure: wall time is measured only if the caller passes a clock (`wallClockMs`).
 *
 * `runMembershipSimRecorded` runs the same scenario and also returns time series for a report
 * (recording.ts): every live node's detection delay of every crashed node, traffic per time
 * bucket, and the faults; the run itself is identical.
 */
import { assert } from '../lib/assert.js';
import type { MembershipProtocol } from '../membership/types.js';
import type { NodeRef } from '../wire/types.js';
import type { ActorFactory } from './actor.js';
import { AccuracyChecker } from './checkers/accuracy.js';
import { checkAgreement } from './checkers/agreement.js';
import { CompletenessChecker, type DetectionDelays } from './checkers/completeness.js';
import type { Observer } from './checkers/view.js';
import type { LinkModel } from './network.js';
import type { MembershipRunReport, TrafficReport } from './membership-report.js';
import { TrafficRecorder, runWithStops, type RecordedFault, type TrafficSeries } from './recording.js';
import { formatPartitionSpec, shareCount, type NodeShare, type PartitionSpec } from './scenario-spec.js';
import { Simulation, simAddress } from './simulation.js';
import type { TraceSink } from './trace.js';

/** The membership protocols the runner can compare. */
export type MembershipProtocolName = 'swim' | 'gossip';

/** Builds a protocol core for one simulated node. */
export type MembershipFactory = ActorFactory<MembershipProtocol>;

/** Above this many nodes, runs start from a converged view unless told otherwise (N joins cost N² work). */
export const convergedAutoNodesMin = 500;
/** Default delay between consecutive joins when nodes join through node 0. */
export const joinIntervalMsDefault = 10;
/** Default time of the crashes. */
export const failAtMsDefault = 10_000;
/** Default virtual time between progress callbacks. */
export const progressEveryMsDefault = 1_000;

/** What to run. */
export interface MembershipRunOptions {
  readonly nodes: number;
  readonly seed: number;
  readonly protocol: MembershipProtocolName;
  /** Factories for each protocol, supplied by the caller (see protocols.ts). */
  readonly protocols: Readonly<Record<MembershipProtocolName, MembershipFactory>>;
  readonly durationMs: number;
  /** Datagram loss probability for the whole run. Default 0. */
  readonly loss?: number;
  /** How many nodes crash at failAtMs. Default none. */
  readonly fail?: NodeShare;
  readonly failAtMs?: number;
  readonly partition?: PartitionSpec;
  /** Start from a converged view; default: only when nodes > convergedAutoNodesMin. */
  readonly converged?: boolean;
  readonly joinIntervalMs?: number;
  /** Default link model (latency etc.); `loss` overrides its lossProbability. */
  readonly link?: Partial<LinkModel>;
  /** Called every progressEveryMs of virtual time with the virtual ms done. */
  readonly progress?: (simulatedMs: number, durationMs: number) => void;
  readonly progressEveryMs?: number;
  /** A wall clock in ms (e.g. performance.now), to report speed; pure callers omit it. */
  readonly wallClockMs?: () => number;
  readonly checkInvariantsEvery?: number;
  readonly trace?: TraceSink;
  /** Window after a fault in which dead verdicts are justified (accuracy checker). */
  readonly accuracyGraceMs?: number;
}

/** What a recorded run adds to its report: plain data for the report's plots. */
export interface MembershipRecording {
  readonly nodes: number;
  readonly durationMs: number;
  /** Per crashed node, when each live node detected it (dead or left in its view), ms after the crash. */
  readonly detections: readonly DetectionDelays[];
  /** Bytes and messages sent per time bucket over the whole run. */
  readonly traffic: TrafficSeries;
  /** The crashes (one per node) and the partition, if any. */
  readonly faults: readonly RecordedFault[];
}

/** Runs one scenario and judges it. Asserts on invalid options (the CLI validates user input first). */
export function runMembershipSim(options: MembershipRunOptions): MembershipRunReport {
  return run(options, false).report;
}

/** Runs one scenario exactly as runMembershipSim does, and also returns its time series. */
export function runMembershipSimRecorded(options: MembershipRunOptions): { readonly report: MembershipRunReport; readonly recording: MembershipRecording } {
  const { report, recording } = run(options, true);
  assert(recording !== null, 'a recorded run returns its recording');
  return { report, recording };
}

function run(options: MembershipRunOptions, record: boolean): { readonly report: MembershipRunReport; readonly recording: MembershipRecording | null } {
  const wallStartMs = options.wallClockMs?.();
  const n = options.nodes;
  assert(Number.isInteger(n) && n >= 1, `nodes must be a positive integer, got ${n}`);
  assert(Number.isFinite(options.durationMs) && options.durationMs > 0, `durationMs must be > 0, got ${options.durationMs}`);
  const loss = options.loss ?? 0;
  const failAtMs = options.failAtMs ?? failAtMsDefault;
  const convergedAuto = options.converged === undefined;
  const converged = options.converged ?? n > convergedAutoNodesMin;
  const factory = options.protocols[options.protocol];

  const sim = new Simulation<MembershipProtocol>({
    seed: options.seed,
    link: { ...options.link, lossProbability: loss },
    ...(options.checkInvariantsEvery === undefined ? {} : { checkInvariantsEvery: options.checkInvariantsEvery }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  addNodes(sim, n, factory, converged, options.joinIntervalMs ?? joinIntervalMsDefault);

  const indexOf = (name: string): number | undefined => sim.indexOf(name);
  const accuracy = new AccuracyChecker(sim.timeline, indexOf, options.accuracyGraceMs === undefined ? {} : { graceMs: options.accuracyGraceMs });
  const completeness = new CompletenessChecker(indexOf, n);
  sim.onEvent((node, event, nowMs) => {
    accuracy.observe(node, event, nowMs);
    completeness.observe(node, event, nowMs);
  });

  // Fault choices come from the fault stream, in a fixed order: failures first, then the partition.
  const failCount = options.fail === undefined ? 0 : shareCount(options.fail, n);
  assert(failCount < n, `cannot fail ${failCount} of ${n} nodes: at least one must survive`);
  const order = shuffledIndices(sim, n);
  const failed = order.slice(0, failCount).map((i) => `n${i}`);
  for (const name of failed) {
    sim.crashAt(failAtMs, name);
    completeness.track(name, failAtMs);
  }
  const partitioned = schedulePartition(sim, options.partition, order.slice(failCount));

  const traffic = record ? new TrafficRecorder(sim, options.durationMs) : null;
  runWithProgress(sim, options, traffic);
  sim.checkAllInvariants();
  const wallMs = wallStartMs === undefined ? null : options.wallClockMs!() - wallStartMs;
  const report = buildReport(sim, options, { converged, convergedAuto, loss, failAtMs, failed, partitioned, accuracy, completeness, wallMs });
  if (traffic === null) return { report, recording: null };
  const faults: RecordedFault[] = failed.map((node) => ({ kind: 'crash', node, startMs: failAtMs, endMs: null, label: `crash ${node}` }));
  if (options.partition !== undefined && partitioned.length > 0) {
    const p = options.partition;
    faults.push({ kind: 'partition', node: null, startMs: p.startMs, endMs: p.endMs, label: `partition ${formatPartitionSpec(p)} (${partitioned.length} nodes)` });
  }
  const recording: MembershipRecording = {
    nodes: n,
    durationMs: options.durationMs,
    detections: completeness.detectionDelays(liveNodes(sim).live),
    traffic: traffic.series(),
    faults,
  };
  return { report, recording };
}

function addNodes(sim: Simulation<MembershipProtocol>, n: number, factory: MembershipFactory, converged: boolean, joinIntervalMs: number): void {
  if (converged) {
    // One shared array: every core reads it at start; nothing is copied per node.
    const known: NodeRef[] = [];
    for (let i = 0; i < n; i++) known.push({ name: `n${i}`, addr: simAddress(i) });
    for (let i = 0; i < n; i++) sim.addNode({ factory, startAtMs: 0, knownMembers: known });
    return;
  }
  const seed = simAddress(0);
  for (let i = 0; i < n; i++) sim.addNode({ factory, startAtMs: i * joinIntervalMs, seeds: i === 0 ? [] : [seed] });
}

function shuffledIndices(sim: Simulation<MembershipProtocol>, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  sim.faultRng.shuffleInPlace(order);
  return order;
}

function schedulePartition(sim: Simulation<MembershipProtocol>, spec: PartitionSpec | undefined, candidates: readonly number[]): string[] {
  if (spec === undefined) return [];
  const count = shareCount(spec.share, sim.nodeCount);
  assert(count <= candidates.length, `cannot partition ${count} nodes: only ${candidates.length} do not fail`);
  const side = candidates.slice(0, count).map((i) => `n${i}`);
  if (side.length === 0) return side;
  sim.partitionAt(spec.startMs, [side]);
  sim.healAt(spec.endMs);
  return side;
}

function runWithProgress(sim: Simulation<MembershipProtocol>, options: MembershipRunOptions, traffic: TrafficRecorder | null): void {
  const every = options.progressEveryMs ?? progressEveryMsDefault;
  assert(every > 0, 'progressEveryMs must be > 0');
  const progress = { everyMs: every, at: (t: number) => options.progress?.(t, options.durationMs) };
  runWithStops(sim, options.durationMs, traffic === null ? [progress] : [{ everyMs: traffic.bucketMs, at: (t: number) => traffic.sample(t) }, progress]);
  traffic?.sample(options.durationMs, true);
  options.progress?.(options.durationMs, options.durationMs);
}

/** The nodes running (and not left) at the end, with their views, and the names of the others. */
function liveNodes(sim: Simulation<MembershipProtocol>): { readonly live: Observer[]; readonly notLive: string[] } {
  const live: Observer[] = [];
  const notLive: string[] = [];
  for (const node of sim.allNodes) {
    const left = sim.timeline.hasLeft(node.index, sim.nowMs);
    if (node.isRunning && !left) live.push({ name: node.name, view: node.core });
    else notLive.push(node.name);
  }
  return { live, notLive };
}

interface RunFacts {
  readonly converged: boolean;
  readonly convergedAuto: boolean;
  readonly loss: number;
  readonly failAtMs: number;
  readonly failed: readonly string[];
  readonly partitioned: readonly string[];
  readonly accuracy: AccuracyChecker;
  readonly completeness: CompletenessChecker;
  readonly wallMs: number | null;
}

function buildReport(sim: Simulation<MembershipProtocol>, options: MembershipRunOptions, facts: RunFacts): MembershipRunReport {
  const { live, notLive } = liveNodes(sim);
  const detection = facts.completeness.report(live);
  const accuracy = facts.accuracy.report();
  const agreement = checkAgreement(live, notLive);
  const stats = sim.stats;
  const violations: string[] = [];
  if (accuracy.falsePositives > 0) violations.push(`${accuracy.falsePositives} false positive(s): live nodes declared dead`);
  if (!detection.complete) violations.push(`incomplete detection: ${detection.incompleteSubjects} crashed node(s) still alive or suspect in some live view`);
  if (stats.drops.decodeError > 0) violations.push(`${stats.drops.decodeError} packet(s) failed to decode`);
  const wallMs = facts.wallMs;
  const perWallSec = (count: number): number | null => (wallMs === null || wallMs <= 0 ? null : (count * 1000) / wallMs);
  return {
    seed: options.seed,
    nodes: options.nodes,
    protocol: options.protocol,
    converged: facts.converged,
    convergedAuto: facts.convergedAuto,
    durationMs: options.durationMs,
    loss: facts.loss,
    failAtMs: facts.failAtMs,
    partition: options.partition === undefined ? null : formatPartitionSpec(options.partition),
    failedNodes: facts.failed,
    partitionedNodes: facts.partitioned,
    detection,
    accuracy,
    agreement,
    quiescentMs: sim.nowMs - sim.timeline.lastChangeMs,
    traffic: trafficReport(sim, options.nodes, options.durationMs),
    totalMessages: stats.packetsSent,
    totalBytes: stats.bytesSent,
    drops: { ...stats.drops },
    decodeErrors: stats.drops.decodeError,
    eventsProcessed: stats.eventsProcessed,
    pendingEventsPeak: sim.pendingEventsPeak,
    wallMs,
    simMsgsPerWallSec: perWallSec(stats.packetsSent),
    eventsPerWallSec: perWallSec(stats.eventsProcessed),
    violations,
  };
}

function trafficReport(sim: Simulation<MembershipProtocol>, nodes: number, durationMs: number): TrafficReport {
  let datagrams = 0;
  let datagramBytes = 0;
  let frames = 0;
  let frameBytes = 0;
  for (let i = 0; i < sim.nodeCount; i++) {
    const t = sim.traffic.of(i);
    datagrams += t.packet.packetsSent;
    datagramBytes += t.packet.bytesSent;
    frames += t.stream.packetsSent;
    frameBytes += t.stream.bytesSent;
  }
  const per = (x: number): number => x / nodes / (durationMs / 1000);
  return {
    msgsPerNodePerSec: per(datagrams + frames),
    bytesPerNodePerSec: per(datagramBytes + frameBytes),
    datagramsPerNodePerSec: per(datagrams),
    datagramBytesPerNodePerSec: per(datagramBytes),
    streamFramesPerNodePerSec: per(frames),
    streamBytesPerNodePerSec: per(frameBytes),
    protocolMsgsPerNodePerSec: per(sim.stats.messagesSent),
  };
}
