/**
 * `ringkv sim`: runs a membership protocol on N simulated nodes with loss, crashes and a partition,
 * then prints what the checkers found. Prints the seed first so any run can be replayed, and on a
 * violation prints the exact command that reproduces it (exit status 1). Bad flags exit with 2.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { reportToJson, type MembershipRunReport } from '../../sim/membership-report.js';
import { runMembershipSim, runMembershipSimRecorded, type MembershipProtocolName, type MembershipRecording, type MembershipRunOptions } from '../../sim/membership-run.js';
import type { KvRecording } from '../../sim/kv-run.js';
import type { KvRunReport } from '../../sim/kv-report.js';
import { membershipProtocols } from '../../sim/protocols.js';
import { parseNodeShare, parsePartitionSpec, shareCount, type NodeShare, type PartitionSpec } from '../../sim/scenario-spec.js';
import { UsageError, parseChoiceOption, parseIntegerOption, parseNumberOption } from './options.js';
import { formatSimReport, reproduceCommand } from './sim-format.js';
import { reexecWithTunedHeap } from './sim-heap.js';
import { formatKvReport, runKvSimCommand, type KvSimCommandOptions } from './sim-kv.js';
import { parseReportFile, typedCommand, writeReportFile } from '../report/report-file.js';
import type * as SimReport from '../report/sim-report.js';

/** The report renderer (loaded with vega only when --report is given). */
type SimReportModule = typeof SimReport;

/** Most nodes the command accepts (memory grows with N² member-table entries). */
export const simCliNodesMax = 100_000;
/** Longest virtual run the command accepts: one day. */
export const simCliDurationMsMax = 86_400_000;
/** Seeds are 32-bit (the Rng uses the low 32 bits). */
const seedMax = 2 ** 32 - 1;
/** Trace lines are written to the file in chunks of about this many characters. */
const traceChunkCharsMax = 1 << 20;
/** The progress bar appears only once a run has taken this long (short runs stay quiet). */
const progressBarDelayMs = 2_000;

/** Buffered, synchronous trace writer: a run is synchronous, so lines are flushed in chunks. */
class TraceFile {
  private readonly fd: number;
  private chunk: string[] = [];
  private chunkChars = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    this.chunk.push(line);
    this.chunkChars += line.length + 1;
    if (this.chunkChars >= traceChunkCharsMax) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    writeSync(this.fd, `${this.chunk.join('\n')}\n`);
    this.chunk = [];
    this.chunkChars = 0;
  }
}

/** Validated flags. */
interface SimFlags {
  readonly nodes: number;
  readonly seed: number;
  readonly seedGiven: boolean;
  readonly protocol: MembershipProtocolName;
  readonly durationMs: number;
  readonly loss: number;
  readonly failText: string;
  readonly fail: NodeShare;
  readonly failAtMs: number;
  readonly partitionText: string | undefined;
  readonly partition: PartitionSpec | undefined;
  readonly converged: boolean | undefined;
  readonly json: boolean;
  /** File to write the trace to (one line per message delivered or dropped), if any. */
  readonly traceFile: string | undefined;
  /** File to write the HTML report to, if any. */
  readonly reportFile: string | undefined;
}

/** Raw commander values (strings, booleans for switches). */
type RawFlags = Record<string, string | boolean | undefined>;

function str(raw: RawFlags, key: string): string | undefined {
  const v = raw[key];
  return typeof v === 'string' ? v : undefined;
}

/** Validates every flag with a message that names it; throws UsageError (exit 2). */
export function parseSimFlags(raw: RawFlags, nowMs: number): SimFlags {
  const nodesText = str(raw, 'nodes');
  if (nodesText === undefined) throw new UsageError('--nodes is required, e.g. ringkv sim --nodes 100');
  const nodes = parseIntegerOption('--nodes', nodesText, 1, simCliNodesMax);
  const seedText = str(raw, 'seed');
  const seed = seedText === undefined ? nowMs % (seedMax + 1) : parseIntegerOption('--seed', seedText, 0, seedMax);
  const protocol = parseChoiceOption('--protocol', str(raw, 'protocol') ?? 'swim', ['swim', 'gossip'] as const);
  const durationMs = parseIntegerOption('--duration-ms', str(raw, 'durationMs') ?? '60000', 1, simCliDurationMsMax);
  const loss = parseNumberOption('--loss', str(raw, 'loss') ?? '0', 0, 1);
  const failText = str(raw, 'fail') ?? '0';
  const fail = parseNodeShare(failText);
  if (!fail.ok) throw new UsageError(`--fail: ${fail.error}`);
  const failCount = shareCount(fail.value, nodes);
  if (failCount >= nodes) throw new UsageError(`--fail ${failText} would crash ${failCount} of ${nodes} nodes; at least one must survive`);
  const failAtMs = parseIntegerOption('--fail-at-ms', str(raw, 'failAtMs') ?? '10000', 0, simCliDurationMsMax);
  if (failCount > 0 && failAtMs >= durationMs) throw new UsageError(`--fail-at-ms ${failAtMs} is not before the end of the run (--duration-ms ${durationMs})`);
  const partitionText = str(raw, 'partition');
  let partition: PartitionSpec | undefined;
  if (partitionText !== undefined) {
    const parsed = parsePartitionSpec(partitionText);
    if (!parsed.ok) throw new UsageError(`--partition: ${parsed.error}`);
    partition = parsed.value;
    const count = shareCount(partition.share, nodes);
    if (count + failCount > nodes) throw new UsageError(`--partition ${partitionText} needs ${count} nodes besides the ${failCount} that fail; there are ${nodes}`);
  }
  const convergedRaw = raw['converged'];
  return {
    nodes,
    seed,
    seedGiven: seedText !== undefined,
    protocol,
    durationMs,
    loss,
    failText,
    fail: fail.value,
    failAtMs,
    partitionText,
    partition,
    converged: typeof convergedRaw === 'boolean' ? convergedRaw : undefined,
    json: raw['json'] === true,
    traceFile: str(raw, 'trace'),
    reportFile: parseReportFile(raw),
  };
}

/** Renders and writes the report (the renderer is loaded only when a report is asked for), then says so. */
async function writeReport(file: string, toStderr: boolean, render: (mod: SimReportModule, command: string) => Promise<string>): Promise<void> {
  const mod = await import('../report/sim-report.js');
  writeReportFile(file, await render(mod, typedCommand()));
  (toStderr ? process.stderr : process.stdout).write(`report written to ${file}\n`);
}

/** Runs the simulation for validated flags, with a progress bar on a terminal; records time series with --report. */
function runWithFlags(flags: SimFlags): { readonly report: MembershipRunReport; readonly recording: MembershipRecording | null } {
  const startMs = performance.now();
  const useBar = !flags.json && process.stdout.isTTY === true;
  let bar: SingleBar | null = null;
  const progress = (doneMs: number, totalMs: number): void => {
    if (!useBar) return;
    if (bar === null) {
      if (performance.now() - startMs < progressBarDelayMs) return;
      bar = new SingleBar({ format: 'simulating [{bar}] {percentage}% | {value}/{total} virtual ms | {duration}s', hideCursor: true, clearOnComplete: true });
      bar.start(totalMs, doneMs);
    }
    bar.update(doneMs);
  };
  const trace = flags.traceFile === undefined ? undefined : new TraceFile(flags.traceFile);
  try {
    const options: MembershipRunOptions = {
      nodes: flags.nodes,
      seed: flags.seed,
      protocol: flags.protocol,
      protocols: membershipProtocols,
      durationMs: flags.durationMs,
      loss: flags.loss,
      fail: flags.fail,
      failAtMs: flags.failAtMs,
      ...(flags.partition === undefined ? {} : { partition: flags.partition }),
      ...(flags.converged === undefined ? {} : { converged: flags.converged }),
      ...(trace === undefined ? {} : { trace: (line: string) => trace.write(line) }),
      progress,
      wallClockMs: () => performance.now(),
    };
    return flags.reportFile === undefined ? { report: runMembershipSim(options), recording: null } : runMembershipSimRecorded(options);
  } finally {
    (bar as SingleBar | null)?.stop();
    trace?.close();
  }
}

/** `ringkv sim --workload kv ...`: validates the KV flags and runs the KV workload with its checkers. */
async function runKvWorkload(raw: RawFlags, nowMs: number): Promise<boolean> {
  const nodesText = str(raw, 'nodes') ?? '50';
  const nodes = parseIntegerOption('--nodes', nodesText, 3, 2000);
  const seedText = str(raw, 'seed');
  const seed = seedText === undefined ? nowMs % (seedMax + 1) : parseIntegerOption('--seed', seedText, 0, seedMax);
  const opts: KvSimCommandOptions = {
    nodes,
    seed,
    seedFromClock: seedText === undefined,
    durationMs: parseIntegerOption('--duration-ms', str(raw, 'durationMs') ?? '60000', 1000, simCliDurationMsMax),
    opsPerSecond: parseIntegerOption('--ops-per-second', str(raw, 'opsPerSecond') ?? '200', 1, 100_000),
    keys: parseIntegerOption('--keys', str(raw, 'keys') ?? '500', 1, 10_000_000),
    faults: parseChoiceOption('--faults', str(raw, 'faults') ?? 'random', ['none', 'random'] as const),
    permanentCrash: raw['permanentCrash'] === true,
    loss: parseNumberOption('--loss', str(raw, 'loss') ?? '0', 0, 1),
    quietMs: parseIntegerOption('--quiet-ms', str(raw, 'quietMs') ?? '20000', 0, simCliDurationMsMax),
    json: raw['json'] === true,
  };
  const reportFile = parseReportFile(raw);
  const traceFile = str(raw, 'trace');
  const trace = traceFile === undefined ? undefined : new TraceFile(traceFile);
  let recorded: { readonly report: KvRunReport; readonly recording: KvRecording } | null = null;
  let ok: boolean;
  try {
    ok = runKvSimCommand(
      {
        ...opts,
        ...(trace === undefined ? {} : { trace: (line: string) => trace.write(line) }),
        ...(reportFile === undefined ? {} : { onRecorded: (report: KvRunReport, recording: KvRecording) => (recorded = { report, recording }) }),
      },
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
  } finally {
    trace?.close();
  }
  const run = recorded as { readonly report: KvRunReport; readonly recording: KvRecording } | null;
  if (reportFile !== undefined && run !== null) {
    const summary = [`seed: ${opts.seed}${opts.seedFromClock === true ? ' (from the clock)' : ''}`, ...formatKvReport(run.report)];
    await writeReport(reportFile, opts.json === true, (mod, command) => mod.kvReportHtml(run.report, run.recording, { command, replay: run.report.reproduce, summary }));
  }
  return ok;
}

const helpAfter = `
Partition SPEC: <count|percent>@<startMs>-<endMs>
  Isolates that many nodes (chosen by the seed, never ones that fail) from the rest during
  [startMs, endMs) of virtual time; e.g. 30%@20000-40000 cuts 30% of the nodes off between
  20 s and 40 s, 2@5000-15000 two nodes between 5 s and 15 s.

The run is a pure function of its flags and seed: the same command replays it bit for bit.
Without --seed a seed is derived from the clock and printed first. Above 500 nodes the nodes
start from an already converged view (say so with --converged / --no-converged to choose).
Runs of 2,000 nodes or more re-execute node once with a larger young generation (about 20%
faster); set RINGKV_SIM_NO_REEXEC=1 to run in-process.
Exit status: 0 pass, 1 a checker found a violation (false positive or incomplete detection),
2 bad flags.

Workload kv: a random client workload (put/read/create/update/delete) on NodeCores (SWIM + ring
+ KV), with random faults, then --quiet-ms without faults; checks that no acknowledged write is
lost, reads see the latest acknowledged write, every request got exactly one reply, and all
replicas converge on exactly N copies.

Examples:
  ringkv sim --nodes 50 --fail 3 --loss 0.05
  ringkv sim --workload kv --nodes 50 --seed 7
  ringkv sim --nodes 10000 --duration-ms 60000 --fail 1% --seed 1
  ringkv sim --nodes 200 --protocol gossip --partition 30%@20000-40000 --json
`;

/** Adds `ringkv sim` to the program. */
export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('simulate a membership protocol on N nodes (virtual time, emulated network) and check detection and accuracy')
    .option('--nodes <N>', `number of nodes, 1..${simCliNodesMax} (required)`)
    .option('--seed <S>', `root seed, 0..${seedMax} (default: from the clock, printed)`)
    .option('--protocol <name>', 'swim or gossip', 'swim')
    .option('--duration-ms <D>', 'virtual time to simulate, in ms', '60000')
    .option('--loss <P>', 'datagram loss probability, 0..1', '0')
    .option('--fail <COUNT|PERCENT>', 'nodes that crash at --fail-at-ms, e.g. 3 or 1%', '0')
    .option('--fail-at-ms <T>', 'virtual time of the crashes, in ms', '10000')
    .option('--partition <SPEC>', 'isolate some nodes for a while, e.g. 30%@20000-40000 (see below)')
    .option('--converged', 'start from an already converged view')
    .option('--no-converged', 'make every node join through n0, even for large N')
    .option('--json', 'print one JSON object instead of text')
    .option('--trace <file>', 'write one line per message delivered or dropped, and per fault, to FILE (large for big runs)')
    .option('--workload <name>', 'membership (failure detection) or kv (a client workload on NodeCores with the KV checkers)', 'membership')
    .option('--ops-per-second <n>', 'kv: client operations per virtual second', '200')
    .option('--keys <n>', 'kv: distinct keys the workload uses', '500')
    .option('--faults <mode>', 'kv: none or random (crash/restart, pause, partition, loss bursts)', 'random')
    .option('--permanent-crash', 'kv: also crash one node for good (its data is lost) to exercise re-replication')
    .option('--quiet-ms <ms>', 'kv: fault-free time at the end in which replicas must converge', '20000')
    .option('--report <file>', 'write an HTML report with plots to FILE (membership: detection CDF, dissemination, bytes; kv: latency, availability, bytes; docs/reports.md)')
    .addHelpText('after', helpAfter)
    .action(async (raw: RawFlags) => {
      const workload = parseChoiceOption('--workload', str(raw, 'workload') ?? 'membership', ['membership', 'kv'] as const);
      if (workload === 'kv') {
        process.exitCode = (await runKvWorkload(raw, Date.now())) ? 0 : 1;
        return;
      }
      const flags = parseSimFlags(raw, Date.now());
      // Large runs re-execute once with a tuned heap (see sim-heap.ts); the child does the work.
      const childStatus = reexecWithTunedHeap(flags.nodes, flags.seedGiven ? [] : ['--seed', String(flags.seed)]);
      if (childStatus !== undefined) {
        process.exitCode = childStatus;
        return;
      }
      // The seed first, before anything can go wrong, so every run can be replayed.
      if (flags.json) process.stderr.write(`seed: ${flags.seed}\n`);
      else process.stdout.write(`seed: ${flags.seed}${flags.seedGiven ? '' : ' (from the clock)'}\n`);
      const { report, recording } = runWithFlags(flags);
      const reproduce = reproduceCommand({
        nodes: flags.nodes,
        seed: flags.seed,
        protocol: flags.protocol,
        durationMs: flags.durationMs,
        loss: flags.loss,
        fail: flags.failText,
        failAtMs: flags.failAtMs,
        partition: flags.partitionText,
        converged: flags.converged,
      });
      if (flags.json) {
        process.stdout.write(`${reportToJson(report)}\n`);
      } else {
        for (const line of formatSimReport(report)) process.stdout.write(`${line}\n`);
      }
      if (report.violations.length > 0) {
        process.stderr.write(`reproduce: ${reproduce}\n(add --trace FILE to get every message of the run)\n`);
        process.exitCode = 1;
      }
      if (flags.reportFile !== undefined && recording !== null) {
        const summary = [`seed: ${flags.seed}${flags.seedGiven ? '' : ' (from the clock)'}`, ...formatSimReport(report)];
        await writeReport(flags.reportFile, flags.json, (mod, command) => mod.membershipReportHtml(report, recording, { command, replay: reproduce, summary }));
      }
    });
}
