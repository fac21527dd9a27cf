/**
 * `ringkv sim --workload kv`: runs the KV workload with random faults on N simulated NodeCores and
 * prints what the KV checkers found. The lead wires this into `ringkv sim` (sim.ts parses the
 * flags and calls `runKvSimCommand` with typed options); this file parses nothing from argv.
 *
 * Prints the seed first, so any run can be replayed, then an aligned report (or one JSON object
 * with `json`), and on a violation the command that reproduces it. Returns true when no checker
 * found a violation (exit status 0), false otherwise (exit status 1).
 */
import { kvRunOptionsProblem, runKvSim, runKvSimRecorded, type KvRecording, type KvRunOptions } from '../../sim/kv-run.js';
import { kvReportToJson, type KvRunReport } from '../../sim/kv-report.js';
import { UsageError } from './options.js';

/** Typed options of `ringkv sim --workload kv` (the caller validated them). */
export interface KvSimCommandOptions {
  readonly nodes: number;
  readonly seed: number;
  /** True when the seed came from the clock (said so next to it). */
  readonly seedFromClock?: boolean;
  readonly durationMs?: number;
  readonly opsPerSecond?: number;
  readonly keys?: number;
  readonly faults?: 'none' | 'random';
  readonly permanentCrash?: boolean;
  readonly loss?: number;
  readonly quietMs?: number;
  /** One JSON object instead of text (the seed then goes to `printError`). */
  readonly json?: boolean;
  /** Called with virtual ms done and total (e.g. to drive a progress bar). */
  readonly progress?: (simulatedMs: number, totalMs: number) => void;
  /** Receives one trace line per message delivered or dropped, and per fault. */
  readonly trace?: (line: string) => void;
  /** Record the run's time series (for --report) and hand them over with the report, before anything is printed. */
  readonly onRecorded?: (report: KvRunReport, recording: KvRecording) => void;
}

/** Where output goes: one line per call, without the newline. */
export type PrintLine = (line: string) => void;

/** Per-second availability shown in the text report, at most this many buckets per line. */
const availabilityBucketsPerLine = 20;
/** Violations listed in the text report (all are counted). */
const violationsListedMax = 20;
const labelWidth = 30;

/**
 * Runs the simulation and prints the report through `print` (stdout) and the reproduce hint
 * through `printError` (stderr; defaults to `print`). Returns true when there was no violation.
 * Throws UsageError (exit status 2) before printing anything when the options cannot run, e.g. a
 * duration shorter than the warm-up.
 */
export function runKvSimCommand(opts: KvSimCommandOptions, print: PrintLine, printError: PrintLine = print): boolean {
  const run: KvRunOptions = {
    seed: opts.seed,
    nodes: opts.nodes,
    wallClockMs: () => performance.now(),
    ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
    ...(opts.opsPerSecond === undefined ? {} : { opsPerSecond: opts.opsPerSecond }),
    ...(opts.keys === undefined ? {} : { keys: opts.keys }),
    ...(opts.faults === undefined ? {} : { faults: opts.faults }),
    ...(opts.permanentCrash === undefined ? {} : { permanentCrash: opts.permanentCrash }),
    ...(opts.loss === undefined ? {} : { loss: opts.loss }),
    ...(opts.quietMs === undefined ? {} : { quietMs: opts.quietMs }),
    ...(opts.progress === undefined ? {} : { progress: opts.progress }),
    ...(opts.trace === undefined ? {} : { trace: opts.trace }),
  };
  const problem = kvRunOptionsProblem(run);
  if (problem !== null) throw new UsageError(problem);
  // The seed first, before anything can go wrong in the run, so every run can be replayed.
  if (opts.json === true) printError(`seed: ${opts.seed}`);
  else print(`seed: ${opts.seed}${opts.seedFromClock === true ? ' (from the clock)' : ''}`);
  let report: KvRunReport;
  if (opts.onRecorded === undefined) {
    report = runKvSim(run);
  } else {
    const recorded = runKvSimRecorded(run);
    report = recorded.report;
    opts.onRecorded(report, recorded.recording);
  }
  if (opts.json === true) print(kvReportToJson(report));
  else for (const line of formatKvReport(report)) print(line);
  if (report.violationCount > 0) printError(`reproduce: ${report.reproduce}`);
  return report.violationCount === 0;
}

/** The report as aligned label/value lines (without the seed line, printed before the run). */
export function formatKvReport(r: KvRunReport): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padEnd(labelWidth)}${value}`);
  };
  row('nodes', `${int(r.nodes)} (joined through n0, workload from ${int(r.warmupMs)} ms)`);
  row('virtual time', `${int(r.durationMs)} ms + ${int(r.quietMs)} ms quiet`);
  row('workload', `${int(r.opsPerSecond)} ops/s on ${int(r.keys)} keys (one writer per key)`);
  row('loss', `${r.loss}`);
  row('faults', r.faults.length === 0 ? 'none' : `${r.faults.length} (${r.faultsMode})`);
  for (const f of r.faults) row('', f);
  const o = r.ops;
  const t = o.total;
  row('ops', `issued ${int(t.issued)}   acked ${int(t.acked)}   failed ${int(t.failed)}   orphaned ${int(t.orphaned)}   (${fixed(o.simOpsPerSec, 1)} per virtual s)`);
  for (const [op, c] of Object.entries(o.byOp)) row(`  ${op}`, `issued ${int(c.issued)}   acked ${int(c.acked)}   failed ${int(c.failed)}   orphaned ${int(c.orphaned)}`);
  const errors = Object.entries(o.byError);
  row('errors', errors.length === 0 ? 'none' : errors.map(([code, n]) => `${code} ${int(n ?? 0)}`).join(', '));
  row('availability', `${pct(o.availability)} acked   ${pct(o.answeredRatio)} answered (incl. NOT_FOUND/EXISTS)   worst second ${pct(o.availabilityMinPerSecond)}`);
  const buckets = o.availabilityPerSecond.map((x) => (x === null ? '  -' : `${Math.round(x * 100)}`.padStart(3)));
  for (let i = 0; i < buckets.length; i += availabilityBucketsPerLine) {
    row(i === 0 ? '  per second (% acked)' : '', buckets.slice(i, i + availabilityBucketsPerLine).join(' '));
  }
  const a = r.activity;
  row('read repairs', int(a.readRepairs));
  row('hints', `stored ${int(a.hintsStored)}   replayed ${int(a.hintsReplayed)}`);
  row('keys', `transferred ${int(a.keysTransferred)}   dropped ${int(a.keysDropped)}`);
  row('anti-entropy', `${int(a.antiEntropyRepairs)} keys repaired in ${int(a.antiEntropyExchangesRepairing)} exchanges`);
  row('ring changes', int(a.ringChanges));
  if (r.permanentlyCrashed !== null) row('lost for good', `${r.permanentlyCrashed} (its data is gone; re-replicated by the others)`);
  row('converged', r.convergedAtMs === null ? 'never during the quiet period' : `at ${int(r.convergedAtMs)} ms, ${int(r.convergenceMs ?? 0)} ms after the last fault (checked every 1 s)`);
  const c = r.checks;
  row('no lost acked write', `${c.lostWrites.violations === 0 ? 'ok' : `${int(c.lostWrites.violations)} VIOLATION(S)`}   (${int(c.lostWrites.keysChecked)} keys judged, ${int(c.lostWrites.keysExcused)} excused)`);
  row('read-your-writes', `${c.readYourWrites.violations === 0 ? 'ok' : `${int(c.readYourWrites.violations)} VIOLATION(S)`}   (${int(c.readYourWrites.readsChecked)} reads)`);
  const cv = c.convergence;
  row(
    'convergence at the end',
    `${cv.converged ? 'ok' : 'NOT CONVERGED'}   (${int(cv.liveNodes)} live nodes, ${int(cv.ringMismatches)} rings differ, ${int(cv.keysHeld)} keys held: ${int(cv.keysDivergent)} divergent, ${int(cv.keysUnderReplicated)} under-, ${int(cv.keysOverReplicated)} over-replicated)`,
  );
  const rp = c.replies;
  row('one reply per request', `${rp.violations === 0 ? 'ok' : `${int(rp.violations)} VIOLATION(S)`}   (${int(rp.missing)} missing, ${int(rp.duplicated)} duplicated, ${int(rp.unknown)} unknown, ${int(rp.orphaned)} orphaned by a crash)`);
  const drops = Object.entries(r.drops).filter(([, n]) => n > 0);
  row('dropped', drops.length === 0 ? 'none' : drops.map(([k, n]) => `${k} ${int(n)}`).join(', '));
  row('events', int(r.eventsProcessed));
  if (r.wallMs !== null) row('wall time', `${fixed(r.wallMs / 1000, 1)} s`);
  row('result', r.violationCount === 0 ? 'PASS' : `FAIL: ${int(r.violationCount)} violation(s)`);
  for (const v of r.violations.slice(0, violationsListedMax)) lines.push(`  ${v.kind}: ${v.detail}`);
  if (r.configOverridden && r.violationCount > 0) lines.push('  (settings were overridden programmatically: the reproduce line does not carry them)');
  return lines;
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-';
}
