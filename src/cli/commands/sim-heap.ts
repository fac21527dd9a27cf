/**
 * Large simulations allocate hundreds of MB/s of short-lived objects (decoded packets, push-pull
 * tables). With V8's default 16 MiB young generation many survive one scavenge, get promoted and
 * must be collected by full GCs: a 10,000-node run spends ~20% of its time there. A 64 MiB young
 * generation removes most of that (measured: 148 s → 117 s for
 * `ringkv sim --nodes 10000 --duration-ms 60000 --fail 1% --seed 1` on 2 cores).
 *
 * V8 reads heap sizes only at start-up, so for large runs the command re-executes itself once
 * with the flags added (unless they were given, or RINGKV_SIM_NO_REEXEC=1). The child inherits
 * stdio, so output, the progress bar and the exit status are the child's.
 */
import { spawnSync } from 'node:child_process';

/** Runs with at least this many nodes get the larger heap. */
export const simHeapTuningNodesMin = 2_000;
/** Young-generation semi-space size for large runs, in MiB. */
export const simSemiSpaceMiB = 64;
/** Old-generation limit for large runs, in MiB (10,000 full member tables need ~4 GiB). */
export const simOldSpaceMiB = 8_192;

const optOutEnv = 'RINGKV_SIM_NO_REEXEC';

/**
 * If this run is large and the heap is untuned, runs the same command in a child node with the
 * heap flags and returns its exit status; returns undefined when the caller should run in-process.
 * `extraArgs` are appended to the child's arguments (e.g. the seed already chosen, so the child
 * does not pick another from the clock).
 */
export function reexecWithTunedHeap(nodes: number, extraArgs: readonly string[]): number | undefined {
  if (nodes < simHeapTuningNodesMin) return undefined;
  if (process.env[optOutEnv] === '1') return undefined;
  if (process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) return undefined;
  if ((process.env['NODE_OPTIONS'] ?? '').includes('--max-semi-space-size')) return undefined;
  const args = [`--max-semi-space-size=${simSemiSpaceMiB}`, `--max-old-space-size=${simOldSpaceMiB}`, ...process.execArgv, ...process.argv.slice(1), ...extraArgs];
  const child = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, [optOutEnv]: '1' } });
  if (child.error !== undefined) return undefined; // Could not spawn: run in-process, just slower.
  return child.status ?? 1;
}
