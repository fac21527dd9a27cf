/**
 * `npm run bench -- membership`: for every N and loss, `--runs` runs of bench/membership/measure.ts,
 * a row per run as it finishes, then the medians beside memberlist's figures.
 */
import type { Command } from 'commander';
import { machineHeader } from '../lib/machine.js';
import { parseIntOption, parseNumberList } from '../lib/stats.js';
import { markdownHeader, markdownRow } from '../lib/table.js';
import { lagWarnP99Ms } from '../lib/lag.js';
import { runMembershipOnce } from './measure.js';
import { parseMembershipSets } from './options.js';
import { probeIntervalMs, probeTimeoutMs } from './cluster.js';
import { runHeaders, runRow, summaryTable } from './report.js';
import type { MembershipRunResult } from './types.js';

/** Most nodes per run: all of them share this process's event loop. */
export const benchNodesMax = 500;
/** Longest steady-state window, in ms. */
const windowMsMax = 600_000;

interface Flags {
  readonly nodes: string;
  readonly loss: string;
  readonly runs: string;
  readonly windowMs: string;
  readonly settleMs: string;
  readonly seed: string;
  readonly set?: string[];
}

export function registerMembershipBench(program: Command): void {
  program
    .command('membership')
    .description('N in-process nodes on 127.0.0.1: steady-state UDP traffic, time until every survivor marks a crashed node dead, false positives')
    .option('--nodes <list>', 'cluster sizes', '20,50,100')
    .option('--loss <list>', 'outgoing UDP loss of every node, fractions', '0,0.1,0.2')
    .option('--runs <n>', 'runs per (N, loss); the summary shows medians', '3')
    .option('--window-ms <ms>', 'steady-state measurement window', '20000')
    .option('--settle-ms <ms>', 'wait after convergence before the window', '5000')
    .option('--seed <n>', 'seed of the first run (run i uses seed + i): loss pattern and crashed node', '1')
    .option('--set <membership.field=value>', 'SWIM override on top of the probe timing (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .action(async (flags: Flags) => {
      const nodesList = parseNumberList('--nodes', flags.nodes).map((n) => parseIntOption('--nodes', String(n), 2, benchNodesMax));
      const lossList = parseNumberList('--loss', flags.loss);
      if (lossList.some((l) => l < 0 || l >= 1)) throw new Error('--loss: fractions in [0, 1)');
      const runs = parseIntOption('--runs', flags.runs, 1, 100);
      const windowMs = parseIntOption('--window-ms', flags.windowMs, 1_000, windowMsMax);
      const settleMs = parseIntOption('--settle-ms', flags.settleMs, 0, windowMsMax);
      const seed = parseIntOption('--seed', flags.seed, 0, 2 ** 31);
      const membership = parseMembershipSets(flags.set ?? []);

      console.log(machineHeader('ringkv membership benchmark (real sockets, N nodes in one process)'));
      console.log(`\nprobe interval ${probeIntervalMs} ms, probe timeout ${probeTimeoutMs} ms, ringkv's LAN profile${Object.keys(membership).length > 0 ? `, overrides ${JSON.stringify(membership)}` : ''}; window ${windowMs} ms after ${settleMs} ms settle; loss = outgoing UDP dropped by a wrapper on each node's socket; packets and bytes = UDP payload the protocol sent (drops included) per node per s; runs with loop lag p99 > ${lagWarnP99Ms} ms are INVALID\n`);
      console.log(markdownHeader(runHeaders));
      const results: MembershipRunResult[] = [];
      for (const nodes of nodesList) {
        for (const loss of lossList) {
          for (let i = 0; i < runs; i++) {
            const result = await runMembershipOnce({ nodes, loss, seed: seed + i, windowMs, settleMs, membership });
            results.push(result);
            console.log(markdownRow(runRow(result)));
          }
        }
      }
      console.log(`\nMedians over ${runs} run(s) per row; memberlist = hashicorp/memberlist at the same timings (no figure = not in the reference)\n`);
      console.log(summaryTable(results));
    });
}
