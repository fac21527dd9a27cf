/**
 * One KV scenario end to end (architecture §6: "the KV guarantees"): N real NodeCores (SWIM +
 * ring + KV) join through node 0, a client workload runs against random coordinators while random
 * faults hit one node at a time, then faults and workload stop and the cluster must converge
 * within the quiet period. The checkers judge the history and the nodes' storage; the report says
 * what the clients saw, what the store did in the background, and every violation with the
 * command that replays it.
 *
 * Timeline: [0, warmupMs) joins and settling; [warmupMs, durationMs) workload and faults;
 * [durationMs, durationMs + quietMs) quiet, with a convergence check every second.
 *
 * Pure: wall time is measured only if the caller passes a clock (`wallClockMs`).
 *
 * `runKvSimRecorded` runs the same scenario and also returns time series for a report
 * (recording.ts, kv-series.ts): client outcomes and latencies per bucket, traffic, and the faults.
 */
import type { KvConfig } from '../kv/config.js';
import { resolveKvConfig } from '../kv/config.js';
import type { MemoryStorage } from '../kv/memory-storage.js';
import type { Versioned } from '../kv/version.js';
import { lwwMerge } from '../kv/version.js';
import { assert } from '../lib/assert.js';
import { Rng } from '../lib/rng.js';
import { Ring } from '../ring/ring.js';
import type { SwimConfig } from '../membership/swim/index.js';
import type { NodeCore } from '../node/node-core.js';
import type { NodeEvent, NodeOutput } from '../node/types.js';
import type { NodeName } from '../wire/types.js';
import { checkConvergence, type KvNodeSnapshot } from './checkers/kv-convergence.js';
import { checkNoLostWrites } from './checkers/kv-lost-writes.js';
import { checkReadYourWrites } from './checkers/kv-read-your-writes.js';
import { checkReplies } from './checkers/kv-replies.js';
import type { KvViolation } from './checkers/kv-violation.js';
import { describeKvFault, lastFaultEndMs, planKvFaults, type KvFault } from './kv-faults.js';
import { buildKvOpsSeries, recordedKvFault, type KvOpsSeries } from './kv-series.js';
import { buildKvOpsReport, KvActivityCounter } from './kv-stats.js';
import { kvReproduceCommand, type KvReproduceArgs, type KvRunReport } from './kv-report.js';
import { KvWorkload, kvHistoryOpsMax, type KvOpMix } from './kv-workload.js';
import type { LinkModel } from './network.js';
import { nodeCoreFactory } from './node-factory.js';
import { TrafficRecorder, runWithStops, type RecordedFault, type TrafficSeries } from './recording.js';
import { Simulation, simAddress } from './simulation.js';
import type { TraceSink } from './trace.js';

/** Default cluster size. */
export const kvNodesDefault = 50;
/** Default virtual ms of warm-up + workload with faults. */
export const kvDurationMsDefault = 60_000;
/** Default client requests per simulated second. */
export const kvOpsPerSecondDefault = 200;
/** Default number of keys. */
export const kvKeysDefault = 500;
/** Default quiet period after faults and workload stop, in virtual ms. */
export const kvQuietMsDefault = 20_000;
/** Default delay between consecutive joins through node 0, in ms. */
export const kvJoinIntervalMsDefault = 100;
/** Settling time after the last join before the workload starts, in ms (SWIM's join sync is 1-2 s). */
export const kvWarmupSettleMsDefault = 5_000;
/** Virtual ms between convergence checks during the quiet period. */
export const kvConvergenceCheckEveryMs = 1_000;
/** Default virtual ms between progress callbacks. */
export const kvProgressEveryMsDefault = 1_000;
/** Child-stream index of the workload's Rng (apart from nodes, network and faults). */
const workloadStreamIndex = 0x7ffe_0003;

/**
 * KV settings of the simulation unless overridden. The defaults run one anti-entropy exchange per
 * node every 10 s over its 256 primary ranges, a cycle of 43 min: far longer than any simulated
 * quiet period, so a write that failed after reaching one replica would stay divergent for the
 * whole run. The simulation compresses that: 8 tokens per node (ring balance matters little for
 * correctness) and one exchange every 250 ms, a cycle of 2 s, so the 20 s quiet period holds ten
 * cycles; each of a range's two other owners is compared with probability 1/2 per cycle. Measured
 * cost (50 nodes, 80 s): 7 s of wall time, against 18 s at 16 tokens and 100 ms, where building
 * depth-10 Merkle trees of near-empty ranges took 90% of the CPU.
 */
export const kvSimKvConfigDefault: Partial<KvConfig> = Object.freeze({ tokensPerNode: 8, antiEntropyIntervalMs: 250 });

/** What to run. */
export interface KvRunOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly durationMs?: number;
  readonly opsPerSecond?: number;
  readonly keys?: number;
  /** 'random' (default): faults from the fault stream, one at a time (kv-faults.ts). */
  readonly faults?: 'none' | 'random';
  /**
   * Explicit faults instead of `faults` (tests, scripted scenarios); they must follow the same
   * one-at-a-time rule for the checkers' promises to apply.
   */
  readonly faultPlan?: readonly KvFault[];
  /** With random faults, also crash one node for good at the start of the fault window. Default true. */
  readonly permanentCrash?: boolean;
  /** Datagram loss probability for the whole run. Default 0. */
  readonly loss?: number;
  readonly quietMs?: number;
  /** Overrides of kvSimKvConfigDefault + the KV defaults. */
  readonly kv?: Partial<KvConfig>;
  /** Overrides of the SWIM defaults. */
  readonly membership?: Partial<SwimConfig>;
  readonly mix?: KvOpMix;
  readonly joinIntervalMs?: number;
  readonly warmupSettleMs?: number;
  readonly link?: Partial<LinkModel>;
  /** Called every progressEveryMs of virtual time with the virtual ms done and the total. */
  readonly progress?: (simulatedMs: number, totalMs: number) => void;
  readonly progressEveryMs?: number;
  /** A wall clock in ms (e.g. performance.now), to report speed; pure callers omit it. */
  readonly wallClockMs?: () => number;
  readonly trace?: TraceSink;
  readonly checkInvariantsEvery?: number;
}

/** Options with defaults filled in: everything the reproduce line needs, plus the derived settings. */
interface Resolved extends KvReproduceArgs {
  readonly warmupMs: number;
  readonly kv: KvConfig;
  readonly kvOverrides: Partial<KvConfig>;
}

/** Warm-up length for `nodes` nodes: the staggered joins plus the settling time. */
export function kvWarmupMs(nodes: number, joinIntervalMs: number = kvJoinIntervalMsDefault, settleMs: number = kvWarmupSettleMsDefault): number {
  return (nodes - 1) * joinIntervalMs + settleMs;
}

/**
 * Why `options` cannot run, in words a user can act on (the CLI turns it into a usage error), or
 * null when they are fine. runKvSim asserts the same conditions.
 */
export function kvRunOptionsProblem(o: KvRunOptions): string | null {
  const nodes = o.nodes ?? kvNodesDefault;
  if (!Number.isInteger(nodes) || nodes < 1) return `nodes must be a positive integer, got ${nodes}`;
  const durationMs = o.durationMs ?? kvDurationMsDefault;
  const warmupMs = kvWarmupMs(nodes, o.joinIntervalMs, o.warmupSettleMs);
  if (!Number.isFinite(durationMs) || durationMs <= warmupMs) return `--duration-ms ${durationMs} must exceed the warm-up of ${warmupMs} ms for ${nodes} nodes (joins ${o.joinIntervalMs ?? kvJoinIntervalMsDefault} ms apart, then ${o.warmupSettleMs ?? kvWarmupSettleMsDefault} ms to settle)`;
  const quietMs = o.quietMs ?? kvQuietMsDefault;
  if (!Number.isFinite(quietMs) || quietMs < 0) return `--quiet-ms must be >= 0, got ${quietMs}`;
  const loss = o.loss ?? 0;
  if (!(loss >= 0 && loss <= 1)) return `--loss must be in [0, 1], got ${loss}`;
  const keys = o.keys ?? kvKeysDefault;
  if (!Number.isInteger(keys) || keys < 1) return `--keys must be a positive integer, got ${keys}`;
  const ops = o.opsPerSecond ?? kvOpsPerSecondDefault;
  if (!Number.isFinite(ops) || ops < 0) return `--ops-per-second must be >= 0, got ${ops}`;
  const total = (ops * (durationMs - warmupMs)) / 1000;
  if (total > kvHistoryOpsMax) return `the workload would issue ${Math.round(total)} requests; at most ${kvHistoryOpsMax} are recorded (lower --ops-per-second or --duration-ms)`;
  const kv = resolveKvConfig({ ...kvSimKvConfigDefault, ...o.kv });
  if (!kv.ok) return kv.error.message;
  return null;
}

function resolve(o: KvRunOptions): Resolved {
  const problem = kvRunOptionsProblem(o);
  assert(problem === null, problem ?? '');
  const nodes = o.nodes ?? kvNodesDefault;
  const kvOverrides = { ...kvSimKvConfigDefault, ...o.kv };
  const kv = resolveKvConfig(kvOverrides);
  assert(kv.ok, kv.ok ? '' : kv.error.message);
  const faults = o.faults ?? 'random';
  return {
    seed: o.seed,
    nodes,
    durationMs: o.durationMs ?? kvDurationMsDefault,
    opsPerSecond: o.opsPerSecond ?? kvOpsPerSecondDefault,
    keys: o.keys ?? kvKeysDefault,
    faults,
    permanentCrash: faults === 'random' && (o.permanentCrash ?? true),
    loss: o.loss ?? 0,
    quietMs: o.quietMs ?? kvQuietMsDefault,
    warmupMs: kvWarmupMs(nodes, o.joinIntervalMs, o.warmupSettleMs),
    kv: kv.value,
    kvOverrides,
  };
}

/** A node lost its data for good: which nodes owned what at that moment (for excusing keys). */
interface DataLoss {
  readonly node: NodeName;
  /** The ring members of a live node when the data was lost. */
  readonly ringNodes: readonly NodeName[];
}

/** What a recorded run adds to its report: plain data for the report's plots. */
export interface KvRecording {
  readonly nodes: number;
  readonly warmupMs: number;
  /** End of the workload and faults; the quiet period follows until `endMs`. */
  readonly durationMs: number;
  readonly endMs: number;
  readonly convergedAtMs: number | null;
  /** Client requests per bucket of issue time over the workload window. */
  readonly ops: KvOpsSeries;
  /** Bytes and messages sent per time bucket over the whole run. */
  readonly traffic: TrafficSeries;
  readonly faults: readonly RecordedFault[];
}

/** Runs one KV scenario and judges it. Asserts on invalid options (the CLI validates user input first). */
export function runKvSim(options: KvRunOptions): KvRunReport {
  return run(options, false).report;
}

/** Runs one KV scenario exactly as runKvSim does, and also returns its time series. */
export function runKvSimRecorded(options: KvRunOptions): { readonly report: KvRunReport; readonly recording: KvRecording } {
  const { report, recording } = run(options, true);
  assert(recording !== null, 'a recorded run returns its recording');
  return { report, recording };
}

function run(options: KvRunOptions, record: boolean): { readonly report: KvRunReport; readonly recording: KvRecording | null } {
  const wallStartMs = options.wallClockMs?.();
  const r = resolve(options);
  const violations: KvViolation[] = [];
  const sim = new Simulation<NodeCore>({
    seed: r.seed,
    link: { ...options.link, lossProbability: r.loss },
    onUnknownOutput: (node, output, nowMs) => {
      const o = output as NodeOutput;
      if (o.kind === 'reply') workload.onReply(node, o.requestId, o.result, nowMs);
    },
    ...(options.checkInvariantsEvery === undefined ? {} : { checkInvariantsEvery: options.checkInvariantsEvery }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  const storages = new Map<NodeName, MemoryStorage>();
  const factory = nodeCoreFactory({
    storages,
    kv: r.kvOverrides,
    ...(options.membership === undefined ? {} : { membership: options.membership }),
  });
  const seedAddr = simAddress(0);
  const joinIntervalMs = options.joinIntervalMs ?? kvJoinIntervalMsDefault;
  for (let i = 0; i < r.nodes; i++) {
    sim.addNode({
      startAtMs: i * joinIntervalMs,
      seeds: i === 0 ? [] : [seedAddr],
      factory,
    });
  }

  const workload = new KvWorkload(sim, Rng.child(r.seed, workloadStreamIndex), {
    keys: r.keys,
    opsPerSecond: r.opsPerSecond,
    startMs: r.warmupMs,
    endMs: r.durationMs,
    ...(options.mix === undefined ? {} : { mix: options.mix }),
  });
  workload.start();
  const activity = new KvActivityCounter();
  sim.onEvent((_node, event) => activity.observe(event as NodeEvent));

  const faults = options.faultPlan !== undefined ? [...options.faultPlan] : r.faults === 'random' ? planKvFaults(sim.faultRng, { nodes: sim.allNodes.map((n) => n.name), startMs: r.warmupMs, endMs: r.durationMs, permanentCrash: r.permanentCrash }) : [];
  const dataLosses: DataLoss[] = [];
  scheduleFaults(sim, faults, r.loss, workload, dataLosses);

  const totalMs = r.durationMs + r.quietMs;
  const live = (): KvNodeSnapshot[] => liveSnapshots(sim, storages);
  let convergedAtMs: number | null = null;
  let aborted = false;
  const traffic = record ? new TrafficRecorder(sim, totalMs) : null;
  try {
    runPhase(sim, r.durationMs, totalMs, options, traffic);
    for (let t = r.durationMs; t < totalMs; ) {
      t = Math.min(t + kvConvergenceCheckEveryMs, totalMs);
      runPhase(sim, t, totalMs, options, traffic);
      if (convergedAtMs === null && checkConvergence(live(), workload.keyNames, r.kv, t, 0).converged) convergedAtMs = t;
    }
    sim.checkAllInvariants();
  } catch (error) {
    aborted = true;
    const message = error instanceof Error ? error.message : String(error);
    violations.push({ kind: 'engine-error', key: null, requestId: null, atMs: sim.nowMs, detail: message });
  }

  const endMs = sim.nowMs;
  traffic?.sample(endMs, true);
  const snapshots = live();
  const convergence = checkConvergence(snapshots, workload.keyNames, r.kv, endMs);
  const reference = sim.allNodes.find((x) => x.isRunning)?.core.ring() ?? null;
  const finalOf = finalRecordOf(snapshots, reference, r.kv.replicationFactor);
  const lostWrites = checkNoLostWrites(workload.history, finalOf, endMs, excusedKeys(workload.keyNames, dataLosses, r.kv));
  const readYourWrites = checkReadYourWrites(workload.history);
  const replies = checkReplies(workload.history, workload.unknownReplies, endMs);
  violations.push(...lostWrites.samples, ...readYourWrites.samples, ...convergence.samples, ...replies.samples);
  const violationCount = (aborted ? 1 : 0) + lostWrites.violations + readYourWrites.violations + convergence.violations + replies.violations;
  const lastEnd = lastFaultEndMs(faults);
  const wallMs = wallStartMs === undefined ? null : options.wallClockMs!() - wallStartMs;
  const recording: KvRecording | null =
    traffic === null
      ? null
      : {
          nodes: r.nodes,
          warmupMs: r.warmupMs,
          durationMs: r.durationMs,
          endMs,
          convergedAtMs,
          ops: buildKvOpsSeries(workload.history, r.warmupMs, r.durationMs),
          traffic: traffic.series(),
          faults: faults.map(recordedKvFault),
        };
  const report: KvRunReport = {
    seed: r.seed,
    nodes: r.nodes,
    durationMs: r.durationMs,
    quietMs: r.quietMs,
    warmupMs: r.warmupMs,
    opsPerSecond: r.opsPerSecond,
    keys: r.keys,
    faultsMode: options.faultPlan !== undefined ? 'scripted' : r.faults,
    permanentCrash: r.permanentCrash,
    loss: r.loss,
    configOverridden: options.kv !== undefined || options.membership !== undefined || options.mix !== undefined || options.link !== undefined || options.faultPlan !== undefined,
    faults: faults.map(describeKvFault),
    permanentlyCrashed: faults.find((f) => f.kind === 'permanent-crash')?.node ?? null,
    ops: buildKvOpsReport(workload.history, r.warmupMs, r.durationMs),
    activity: activity.report(),
    lastFaultEndMs: lastEnd,
    convergedAtMs,
    convergenceMs: convergedAtMs === null ? null : convergedAtMs - (lastEnd ?? r.durationMs),
    checks: { lostWrites, readYourWrites, convergence, replies },
    drops: { ...sim.stats.drops },
    eventsProcessed: sim.stats.eventsProcessed,
    wallMs,
    violationCount,
    violations,
    reproduce: kvReproduceCommand({ ...r, faults: r.faults }),
  };
  return { report, recording };
}

function runPhase(sim: Simulation<NodeCore>, untilMs: number, totalMs: number, options: KvRunOptions, traffic: TrafficRecorder | null): void {
  const every = options.progressEveryMs ?? kvProgressEveryMsDefault;
  assert(every > 0, 'progressEveryMs must be > 0');
  const progress = { everyMs: every, at: (t: number) => options.progress?.(t, totalMs) };
  runWithStops(sim, untilMs, traffic === null ? [progress] : [{ everyMs: traffic.bucketMs, at: (t: number) => traffic.sample(t) }, progress]);
  traffic?.sample(untilMs);
  options.progress?.(untilMs, totalMs);
}

/** Schedules the planned faults; crashes orphan the crashed coordinator's pending requests. */
function scheduleFaults(sim: Simulation<NodeCore>, faults: readonly KvFault[], baseLoss: number, workload: KvWorkload, dataLosses: DataLoss[]): void {
  const crash = (name: NodeName): void => {
    workload.onCrash(name, sim.nowMs);
    sim.crash(name);
  };
  for (const f of faults) {
    const end = f.atMs + f.durationMs;
    const node = f.node;
    switch (f.kind) {
      case 'permanent-crash':
        sim.at(f.atMs, () => {
          const witness = sim.allNodes.find((n) => n.isRunning && n.name !== node);
          dataLosses.push({ node: node!, ringNodes: witness === undefined ? [] : witness.core.ring().nodes });
          crash(node!);
        });
        break;
      case 'crash-restart':
        sim.at(f.atMs, () => crash(node!));
        sim.at(end, () => sim.restart(node!, { keepDisk: true }));
        break;
      case 'pause':
        sim.at(f.atMs, () => sim.pause(node!, f.durationMs));
        break;
      case 'partition':
        sim.at(f.atMs, () => sim.partition([[node!]]));
        sim.at(end, () => sim.heal());
        break;
      case 'loss-burst':
        sim.at(f.atMs, () => sim.setLoss(Math.min(1, baseLoss + f.loss)));
        sim.at(end, () => sim.setLoss(baseLoss));
        break;
    }
  }
}

/** The running nodes, as the convergence checker sees them. */
function liveSnapshots(sim: Simulation<NodeCore>, storages: ReadonlyMap<NodeName, MemoryStorage>): KvNodeSnapshot[] {
  const out: KvNodeSnapshot[] = [];
  for (const n of sim.allNodes) {
    if (!n.isRunning) continue;
    const storage = storages.get(n.name)!;
    out.push({ name: n.name, ringNodes: n.core.ring().nodes, get: (key) => storage.get(key) });
  }
  return out;
}

/** The newest record of a key across its owners under `ring` (the final ring of a live node). */
function finalRecordOf(nodes: readonly KvNodeSnapshot[], ring: Ring | null, n: number): (key: string) => Versioned | undefined {
  const byName = new Map(nodes.map((s) => [s.name, s] as const));
  return (key) => {
    if (ring === null) return undefined;
    let best: Versioned | undefined;
    for (const owner of ring.preferenceList(key, n)) {
      const rec = byName.get(owner)?.get(key);
      if (rec !== undefined) best = best === undefined ? rec : lwwMerge(best, rec);
    }
    return best;
  };
}

/**
 * Keys the lost-write promise does not cover: more than N − W of their owners (under the ring
 * when each loss happened) lost their data. With at most one permanent crash there are none.
 */
function excusedKeys(keys: readonly string[], losses: readonly DataLoss[], kv: KvConfig): Set<string> {
  const excused = new Set<string>();
  if (losses.length <= kv.replicationFactor - kv.writeQuorum) return excused;
  const rings = losses.map((l) => Ring.build(l.ringNodes, kv.tokensPerNode));
  for (const key of keys) {
    let lost = 0;
    losses.forEach((l, i) => {
      if (rings[i]!.preferenceList(key, kv.replicationFactor).includes(l.node)) lost++;
    });
    if (lost > kv.replicationFactor - kv.writeQuorum) excused.add(key);
  }
  return excused;
}
