/**
 * KV sweep: `runKvSim` for seeds S..S+K-1 with the same settings, one line per seed and a summary
 * (violations, availability, convergence time, wall time). The acceptance sweep is:
 *
 *   node dist/scripts/kv-sweep.js --nodes 50 --seed 1 --count 500 --jobs 2
 *
 * Every violating seed is printed with its reproduce command. Exits 1 on any violation, 2 on bad
 * flags. Unlike `ringkv sim --workload kv`, where the permanent crash is opt-in, the sweep crashes
 * one node for good in every run (it exercises re-replication); `--no-permanent-crash` turns it off. `--jobs J` runs seeds on J worker threads (each run is single-threaded and independent;
 * lines are still printed in seed order).
 */
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { runKvSim, type KvRunOptions } from '../src/sim/kv-run.js';
import type { KvRunReport } from '../src/sim/kv-report.js';

/** Most worker threads the sweep starts. */
const jobsMax = 64;
/** Violations printed per violating seed (all are counted). */
const violationsPrintedPerSeedMax = 5;

/** What a worker needs: the shared settings and its seeds. */
interface WorkerTask {
  readonly settings: Omit<KvRunOptions, 'seed'>;
  readonly seeds: readonly number[];
}

/** One seed's outcome, as sent from a worker. */
interface SeedResult {
  readonly seed: number;
  readonly report: KvRunReport;
}

function runSeed(settings: Omit<KvRunOptions, 'seed'>, seed: number): KvRunReport {
  return runKvSim({ ...settings, seed, wallClockMs: () => performance.now() });
}

function line(r: KvRunReport): string {
  const ms = (x: number | null): string => (x === null ? '-' : `${x}`);
  return (
    `seed ${r.seed}: ${r.violationCount === 0 ? 'ok' : `${r.violationCount} VIOLATION(S)`}, ` +
    `ops ${r.ops.total.issued} acked ${(r.ops.availability * 100).toFixed(1)}% answered ${(r.ops.answeredRatio * 100).toFixed(1)}%, ` +
    `faults ${r.faults.length}${r.permanentlyCrashed === null ? '' : ` (lost ${r.permanentlyCrashed})`}, converged ${ms(r.convergenceMs)} ms after the last fault, ` +
    `repairs rr ${r.activity.readRepairs} ae ${r.activity.antiEntropyRepairs}, hints ${r.activity.hintsStored}/${r.activity.hintsReplayed}, ` +
    `moved ${r.activity.keysTransferred}/${r.activity.keysDropped}, wall ${((r.wallMs ?? 0) / 1000).toFixed(1)} s`
  );
}

function parseIntFlag(name: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) {
    console.error(`--${name} must be an integer in [${min}, ${max}], got ${text}`);
    process.exit(2);
  }
  return v;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      count: { type: 'string', default: '500' },
      jobs: { type: 'string', default: '1' },
      'duration-ms': { type: 'string', default: '60000' },
      'ops-per-second': { type: 'string', default: '200' },
      keys: { type: 'string', default: '500' },
      faults: { type: 'string', default: 'random' },
      'no-permanent-crash': { type: 'boolean', default: false },
      loss: { type: 'string', default: '0' },
      'quiet-ms': { type: 'string', default: '20000' },
    },
  });
  const first = parseIntFlag('seed', values.seed, 0, 2 ** 32 - 1);
  const count = parseIntFlag('count', values.count, 1, 1_000_000);
  const jobs = parseIntFlag('jobs', values.jobs, 1, jobsMax);
  const loss = Number(values.loss);
  if (!(loss >= 0 && loss <= 1)) {
    console.error(`--loss must be in [0, 1], got ${values.loss}`);
    process.exit(2);
  }
  if (values.faults !== 'random' && values.faults !== 'none') {
    console.error(`--faults must be random or none, got ${values.faults}`);
    process.exit(2);
  }
  const settings: Omit<KvRunOptions, 'seed'> = {
    nodes: parseIntFlag('nodes', values.nodes, 1, 10_000),
    durationMs: parseIntFlag('duration-ms', values['duration-ms'], 1, 86_400_000),
    opsPerSecond: parseIntFlag('ops-per-second', values['ops-per-second'], 0, 1_000_000),
    keys: parseIntFlag('keys', values.keys, 1, 10_000_000),
    faults: values.faults,
    permanentCrash: !values['no-permanent-crash'],
    loss,
    quietMs: parseIntFlag('quiet-ms', values['quiet-ms'], 0, 86_400_000),
  };
  const seeds = Array.from({ length: count }, (_, i) => first + i);
  console.log(`kv sweep: ${settings.nodes} nodes, ${settings.durationMs} ms + ${settings.quietMs} ms quiet, ${settings.opsPerSecond} ops/s on ${settings.keys} keys, faults ${settings.faults}, loss ${loss}, seeds ${first}..${first + count - 1}, ${jobs} job(s)`);
  const started = performance.now();
  const results = new Map<number, KvRunReport>();
  let nextToPrint = 0;
  const summary = { violations: 0, violatingSeeds: [] as number[], convergence: [] as number[], availability: [] as number[] };
  const accept = (r: KvRunReport): void => {
    results.set(r.seed, r);
    // Print in seed order as soon as the next seed is in.
    while (nextToPrint < seeds.length && results.has(seeds[nextToPrint]!)) {
      const rep = results.get(seeds[nextToPrint]!)!;
      results.delete(rep.seed);
      nextToPrint++;
      console.log(line(rep));
      summary.availability.push(rep.ops.availability);
      if (rep.convergenceMs !== null) summary.convergence.push(rep.convergenceMs);
      if (rep.violationCount > 0) {
        summary.violations += rep.violationCount;
        summary.violatingSeeds.push(rep.seed);
        for (const v of rep.violations.slice(0, violationsPrintedPerSeedMax)) console.log(`  ${v.kind}: ${v.detail}`);
        console.log(`  reproduce: ${rep.reproduce}`);
      }
    }
  };
  const finish = (): void => {
    const sorted = [...summary.convergence].sort((a, b) => a - b);
    const pct = (p: number): string => (sorted.length === 0 ? '-' : `${sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]}`);
    const meanAvail = summary.availability.reduce((s, x) => s + x, 0) / Math.max(1, summary.availability.length);
    console.log(
      `summary: ${seeds.length} runs, ${summary.violatingSeeds.length} with violations (${summary.violations} violations${summary.violatingSeeds.length > 0 ? `; seeds ${summary.violatingSeeds.join(',')}` : ''}); ` +
        `mean availability ${(meanAvail * 100).toFixed(1)}%; convergence after the last fault p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms max ${pct(1)} ms ` +
        `(${seeds.length - summary.convergence.length} never converged); wall ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    process.exitCode = summary.violatingSeeds.length === 0 ? 0 : 1;
  };
  if (jobs === 1) {
    for (const seed of seeds) accept(runSeed(settings, seed));
    finish();
    return;
  }
  // Seeds are dealt round-robin so every worker gets a similar mix.
  let running = 0;
  for (let j = 0; j < Math.min(jobs, seeds.length); j++) {
    const task: WorkerTask = { settings, seeds: seeds.filter((_, i) => i % jobs === j) };
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: task });
    running++;
    worker.on('message', (m: SeedResult) => accept(m.report));
    worker.on('error', (e) => {
      console.error(`worker ${j} failed: ${e instanceof Error ? e.stack : String(e)}`);
      process.exitCode = 1;
    });
    worker.on('exit', () => {
      if (--running === 0) finish();
    });
  }
}

if (isMainThread) {
  main();
} else {
  const task = workerData as WorkerTask;
  for (const seed of task.seeds) parentPort!.postMessage({ seed, report: runSeed(task.settings, seed) } satisfies SeedResult);
}
