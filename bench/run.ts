/**
 * The benchmark harness: `npm run bench -- <membership|kv|sim|disk> [options]` (builds, then runs
 * dist/bench/run.js). Each benchmark prints the machine and its load first, then markdown tables
 * that can be pasted into docs/benchmarks.md. Not part of `npm test`: they take minutes and their
 * wall-clock figures depend on the machine (see docs/benchmarks.md, "Benchmark harness").
 */
import { Command } from 'commander';
import { registerDiskBench } from './disk/command.js';
import { registerKvBench } from './kv/command.js';
import { registerMembershipBench } from './membership/command.js';
import { registerSimBench } from './sim/command.js';

const program = new Command()
  .name('npm run bench --')
  .description('ringkv benchmarks: membership (real sockets), kv (a local cluster under redis-benchmark and HTTP load), sim (simulator scale), disk (durable appends)')
  .showHelpAfterError();
registerMembershipBench(program);
registerKvBench(program);
registerSimBench(program);
registerDiskBench(program);

// A signal would end the process without running `exit` hooks; exit through them instead, so the
// KV benchmark's hook kills its node processes (they run in their own process groups).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
}
