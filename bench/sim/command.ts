/**
 * `npm run bench -- sim`: the simulator's scale curve. Runs are sequential (never two large
 * simulations at once: each wants a core and, at 10,000 nodes, ~4-5 GB).
 */
import type { Command } from 'commander';
import { machineHeader } from '../lib/machine.js';
import { parseIntOption, parseNumberList } from '../lib/stats.js';
import { runSimOnce } from './measure.js';
import { simTable } from './report.js';
import type { SimRunResult } from './types.js';

/** Most nodes per run (`ringkv sim` accepts up to 100,000; memory grows with N² member entries). */
const simBenchNodesMax = 100_000;

interface Flags {
  readonly nodes: string;
  readonly durationMs: string;
  readonly runs: string;
  readonly seed: string;
}

export function registerSimBench(program: Command): void {
  program
    .command('sim')
    .description('simulator scale curve: `ringkv sim --fail 1 --json` as a child, wall time and peak RSS per node count')
    .option('--nodes <list>', 'node counts', '100,1000,10000')
    .option('--duration-ms <ms>', 'simulated time per run; the crash is at 10 s and, with the default timing, is removed from every view 15-20 s later (100 nodes), so runs much shorter than 30 s report incomplete detection', '60000')
    .option('--runs <n>', 'runs per node count (the table shows medians)', '1')
    .option('--seed <n>', 'seed of the first run (run i uses seed + i)', '1')
    .action(async (flags: Flags) => {
      const nodesList = parseNumberList('--nodes', flags.nodes).map((n) => parseIntOption('--nodes', String(n), 2, simBenchNodesMax));
      const durationMs = parseIntOption('--duration-ms', flags.durationMs, 11_000, 86_400_000); // the crash is at 10 s
      const runs = parseIntOption('--runs', flags.runs, 1, 100);
      const seed = parseIntOption('--seed', flags.seed, 0, 2 ** 31);
      console.log(machineHeader('ringkv simulator scale benchmark'));
      console.log(`\nringkv sim --nodes N --duration-ms ${durationMs} --fail 1 --seed S --json, one child process per run, sequential\n`);
      const results: SimRunResult[] = [];
      for (const nodes of nodesList) {
        for (let i = 0; i < runs; i++) {
          const r = await runSimOnce(nodes, durationMs, seed + i);
          results.push(r);
          console.log(`nodes ${nodes} seed ${r.seed}: wall ${r.wallS.toFixed(1)} s (simulator's own ${r.simWallS.toFixed(1)} s), ${r.messages} messages, peak RSS ${r.peakRssMb.toFixed(0)} MB (${r.rssSource})`);
        }
      }
      console.log('');
      console.log(simTable(results));
    });
}
