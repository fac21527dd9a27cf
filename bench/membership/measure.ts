/**
 * One membership run: start N nodes, wait for convergence, let the join traffic settle, measure
 * steady-state UDP traffic over a window, crash one node, time every survivor's dead verdict.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/lib/rng.js';
import { LagMonitor, lagWarnP99Ms } from '../lib/lag.js';
import { median } from '../lib/stats.js';
import { waitUntil } from '../lib/wait.js';
import { convergedCount, crash, startCluster, stopAll, trafficSnapshot } from './cluster.js';
import type { BenchNode } from './cluster.js';
import { VerdictObserver } from './observer.js';
import { convergeTimeoutMs, detectTimeoutMs } from './types.js';
import type { MembershipRunOptions, MembershipRunResult } from './types.js';

/** Poll period of the convergence and detection waits, in ms (verdicts are timed by the feed, not the poll). */
const pollMs = 100;

export async function runMembershipOnce(o: MembershipRunOptions): Promise<MembershipRunResult> {
  const root = mkdtempSync(join(tmpdir(), 'ringkv-bench-membership-'));
  const observer = new VerdictObserver();
  const lag = new LagMonitor();
  let nodes: BenchNode[] = [];
  try {
    nodes = await startCluster({ nodes: o.nodes, loss: o.loss, seed: o.seed, root, membership: o.membership }, (node) => observer.watch(node));
    const started = performance.now();
    if (!(await waitUntil(() => convergedCount(nodes) === nodes.length, convergeTimeoutMs, pollMs))) {
      throw new Error(`${o.nodes} nodes did not converge within ${convergeTimeoutMs} ms (${convergedCount(nodes)} see everyone alive)`);
    }
    const convergeS = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, o.settleMs));

    // Steady state: counter deltas over the window, divided by the window actually elapsed.
    lag.reset();
    const before = trafficSnapshot(nodes);
    const windowStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, o.windowMs));
    const after = trafficSnapshot(nodes);
    const windowS = (performance.now() - windowStart) / 1000;
    const lagWindow = lag.summary();
    const perNodePerS = (delta: number): number => delta / o.nodes / windowS;

    // Crash one node (never node-0, the seed the others joined through), chosen by the seed.
    const victim = nodes[new Rng(o.seed).intBetween(1, o.nodes - 1)]!;
    lag.reset();
    observer.crashing(victim.name);
    await crash(victim);
    const survivors = o.nodes - 1;
    await waitUntil(() => observer.detectedCount === survivors, detectTimeoutMs, pollMs);
    const lagDetect = lag.summary();
    observer.stop();
    const times = observer.detectionSeconds();
    return {
      nodes: o.nodes,
      loss: o.loss,
      seed: o.seed,
      convergeS,
      udpPacketsPerNodePerS: perNodePerS(after.udpPackets - before.udpPackets),
      udpBytesPerNodePerS: perNodePerS(after.udpBytes - before.udpBytes),
      tcpBytesPerNodePerS: perNodePerS(after.tcpBytes - before.tcpBytes),
      detectFirstS: times[0] ?? NaN,
      detectMedianS: median(times),
      detectLastS: times.length === survivors ? times[times.length - 1]! : NaN,
      undetected: survivors - times.length,
      falsePositives: observer.falsePositives,
      liveSuspicions: observer.liveSuspicions,
      lagWindow,
      lagDetect,
      lagOk: lagWindow.p99Ms <= lagWarnP99Ms && lagDetect.p99Ms <= lagWarnP99Ms,
    };
  } finally {
    observer.stop();
    lag.stop();
    await stopAll(nodes);
    rmSync(root, { recursive: true, force: true });
  }
}
