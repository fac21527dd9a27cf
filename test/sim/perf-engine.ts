/**
 * Engine speed, measured on its own: N nodes of the fake probe protocol (SWIM's traffic shape: one
 * ping + ack and two timers per node per second), through the real codec. Not a test (it reads the
 * clock); run by hand after `npx tsc -p .`:
 *
 *   node dist/test/sim/perf-engine.js [nodes=10000] [durationMs=60000]
 *
 * Prints events/s, simulated packets per wall second and peak RSS.
 */
import { runMembershipSim } from '../../src/sim/membership-run.js';
import { fakeProbeFactory } from './fakes.js';

const nodes = Number(process.argv[2] ?? 10_000);
const durationMs = Number(process.argv[3] ?? 60_000);
let rssPeak = 0;
const report = runMembershipSim({
  nodes,
  seed: 1,
  protocol: 'swim',
  protocols: { swim: fakeProbeFactory, gossip: fakeProbeFactory },
  durationMs,
  fail: { percent: 1 },
  converged: true,
  wallClockMs: () => performance.now(),
  progress: () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  },
});
const perSec = (x: number | null): string => (x === null ? '-' : Math.round(x).toLocaleString('en-US'));
process.stdout.write(
  `nodes ${nodes}, ${durationMs} virtual ms: ${report.eventsProcessed.toLocaleString('en-US')} events, ` +
    `${report.totalMessages.toLocaleString('en-US')} packets in ${((report.wallMs ?? 0) / 1000).toFixed(1)} s wall; ` +
    `${perSec(report.eventsPerWallSec)} events/s, ${perSec(report.simMsgsPerWallSec)} packets/s, peak RSS ${(rssPeak / 2 ** 20).toFixed(0)} MiB\n`,
);
