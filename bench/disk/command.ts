/**
 * `npm run bench -- disk`: how long one durable log append takes on this file system, to a file
 * that grows (each write also changes the file's size, so ext4 commits its journal) and to a file
 * filled with zeros beforehand (the write-ahead log's preallocated segments: data only), for one
 * writer and for several at once (one per node of a local cluster). The figures are what Linux's
 * `O_DSYNC` costs; where the flag does not exist (Windows) the writes are not durable and the
 * figures mean nothing. docs/benchmarks.md, "Zero-filled log segments".
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { machineHeader } from '../lib/machine.js';
import { median, parseIntOption, parseNumberList, percentileSorted } from '../lib/stats.js';
import { fixed, markdownTable } from '../lib/table.js';
import type { AppendJob } from './types.js';

/** Most writer threads at once. */
const writersMax = 16;
/** Largest append, in bytes. */
const appendBytesMax = 16 * 1024 * 1024;

interface Flags {
  readonly dir: string;
  readonly appends: string;
  readonly bytes: string;
  readonly writers: string;
  readonly runs: string;
}

function runWriter(job: AppendJob): Promise<Float64Array> {
  return new Promise((done, fail) => {
    const worker = new Worker(new URL('./append-worker.js', import.meta.url), { workerData: job });
    worker.once('message', (times: Float64Array) => done(times));
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (code !== 0) fail(new Error(`append worker exited with ${code}`));
    });
  });
}

export function registerDiskBench(program: Command): void {
  program
    .command('disk')
    .description('durable appends (O_DSYNC) to a growing file and to a zero-filled one, by one and by several writers at once')
    .option('--dir <dir>', 'where the test files go (the file system measured); the repository\'s .ringkv by default', '.ringkv')
    .option('--appends <n>', 'appends per writer', '3000')
    .option('--bytes <n>', 'bytes per append', '1200')
    .option('--writers <list>', 'writers at once', '1,3')
    .option('--runs <n>', 'runs per (file kind, writers); the table shows medians over runs and writers', '2')
    .action(async (flags: Flags) => {
      const appends = parseIntOption('--appends', flags.appends, 1, 1_000_000);
      const bytes = parseIntOption('--bytes', flags.bytes, 1, appendBytesMax);
      const writersList = parseNumberList('--writers', flags.writers).map((n) => parseIntOption('--writers', String(n), 1, writersMax));
      const runs = parseIntOption('--runs', flags.runs, 1, 100);
      // The default .ringkv does not exist in a fresh clone.
      mkdirSync(resolve(flags.dir), { recursive: true });
      const dir = mkdtempSync(join(resolve(flags.dir), 'bench-disk-'));
      console.log(machineHeader('ringkv disk benchmark (durable appends)'));
      console.log(`\n${appends} appends of ${bytes} bytes per writer with writeSync on an O_DSYNC descriptor, in ${dir}\n`);
      const rows: string[][] = [];
      try {
        for (const writers of writersList) {
          for (const zeroFilled of [false, true]) {
            const p50: number[] = [];
            const p90: number[] = [];
            const p99: number[] = [];
            for (let run = 0; run < runs; run++) {
              const jobs = Array.from({ length: writers }, (_, w) => ({ path: join(dir, `w${w}.bin`), appends, bytes, zeroFilled }));
              for (const times of await Promise.all(jobs.map(runWriter))) {
                const sorted = times.sort();
                p50.push(percentileSorted(sorted, 50));
                p90.push(percentileSorted(sorted, 90));
                p99.push(percentileSorted(sorted, 99));
              }
            }
            rows.push([zeroFilled ? 'zero-filled' : 'growing', String(writers), fixed(median(p50), 3), fixed(median(p90), 3), fixed(median(p99), 3), `${Math.min(...p50).toFixed(3)}-${Math.max(...p50).toFixed(3)}`]);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      console.log(markdownTable(['file', 'writers at once', 'p50 ms', 'p90 ms', 'p99 ms', 'p50 range (runs x writers)'], rows));
    });
}
