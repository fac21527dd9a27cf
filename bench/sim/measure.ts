/**
 * One simulator run as a child process (`ringkv sim ... --json`), timed from outside: wall time
 * with process.hrtime around the child (node start-up included, as a user sees it), peak RSS from
 * GNU time's %M when /usr/bin/time exists, else the highest VmHWM read from /proc/<pid>/status
 * while polling (a late peak between the last poll and the exit can then be missed).
 *
 * Large runs: `ringkv sim` re-executes itself with a tuned heap above simHeapTuningNodesMin nodes
 * (src/cli/commands/sim-heap.ts). The bench passes those heap flags itself, so the command sees
 * them and does not re-execute: the process measured is the one doing the work.
 */
import { existsSync, readFileSync } from 'node:fs';
import { simHeapTuningNodesMin, simOldSpaceMiB, simSemiSpaceMiB } from '../../src/cli/commands/sim-heap.js';
import { ringkvBinPath } from '../../src/cli/local-node.js';
import { runChild } from '../lib/child.js';
import type { SimRunResult } from './types.js';

const gnuTimePath = '/usr/bin/time';
/** Set to 1 to measure peak RSS by polling /proc even where GNU time exists. */
const noGnuTimeEnv = 'RINGKV_BENCH_NO_GNU_TIME';
/** Marker of GNU time's line on stderr, so the child's own stderr cannot be mistaken for it. */
const rssMarker = 'RINGKV_BENCH_MAXRSS_KB=';
/** Poll period of /proc/<pid>/status when GNU time is missing, in ms. */
const rssPollMs = 200;
/** A run longer than this is killed, in ms (a 10,000-node minute takes about 2 minutes). */
export const simRunTimeoutMs = 30 * 60_000;

/** The fields of `ringkv sim --json` (src/sim/membership-report.ts) this benchmark reads. */
interface SimJson {
  readonly durationMs: number;
  readonly totalMessages: number;
  readonly totalBytes: number;
  readonly eventsProcessed: number;
  readonly wallMs: number | null;
  readonly violations: readonly string[];
}

function readVmHwmKb(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0; // exited between polls
  }
}

export async function runSimOnce(nodes: number, durationMs: number, seed: number): Promise<SimRunResult> {
  const heapFlags = nodes >= simHeapTuningNodesMin ? [`--max-semi-space-size=${simSemiSpaceMiB}`, `--max-old-space-size=${simOldSpaceMiB}`] : [];
  const nodeArgs = [...heapFlags, ringkvBinPath, 'sim', '--nodes', String(nodes), '--duration-ms', String(durationMs), '--fail', '1', '--seed', String(seed), '--json'];
  const useGnuTime = existsSync(gnuTimePath) && process.env[noGnuTimeEnv] !== '1';
  let polledKb = 0;
  let poller: NodeJS.Timeout | undefined;
  const child = await runChild(useGnuTime ? gnuTimePath : process.execPath, useGnuTime ? ['-f', `${rssMarker}%M`, process.execPath, ...nodeArgs] : nodeArgs, {
    timeoutMs: simRunTimeoutMs,
    onSpawn: (pid) => {
      if (useGnuTime) return;
      poller = setInterval(() => (polledKb = Math.max(polledKb, readVmHwmKb(pid))), rssPollMs);
    },
  });
  clearInterval(poller);
  const jsonLine = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (jsonLine === undefined) throw new Error(`ringkv sim --nodes ${nodes} printed no JSON (exit ${child.code ?? child.signal}): ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(jsonLine) as SimJson;
  const rssLine = child.stderr.split('\n').find((l) => l.startsWith(rssMarker));
  const peakRssKb = rssLine === undefined ? polledKb : Number(rssLine.slice(rssMarker.length));
  return {
    nodes,
    seed,
    simulatedS: report.durationMs / 1000,
    wallS: child.wallMs / 1000,
    simWallS: report.wallMs === null ? NaN : report.wallMs / 1000,
    messages: report.totalMessages,
    peakRssMb: peakRssKb / 1024,
    rssSource: rssLine === undefined ? 'VmHWM poll' : 'GNU time',
    violations: report.violations,
  };
}
