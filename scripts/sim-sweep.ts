/**
 * Membership sweep: `ringkv sim` for seeds S..S+K-1 with the same settings, one line per seed and
 * a summary (medians across seeds, total false positives). The acceptance sweep of the membership
 * issue is:
 *
 *   node dist/scripts/sim-sweep.js --nodes 1000 --loss 0.2 --fail 1 --seeds 1..20
 *
 * Exits 1 if any run had a false positive or an undetected failure.
 */
import { parseArgs } from 'node:util';
import { membershipProtocols } from '../src/sim/protocols.js';
import { runMembershipSim } from '../src/sim/membership-run.js';
import { parseNodeShare } from '../src/sim/scenario-spec.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    loss: { type: 'string', default: '0.2' },
    fail: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '1..20' },
    protocol: { type: 'string', default: 'swim' },
    'duration-ms': { type: 'string', default: '60000' },
  },
});
const [first, last] = values.seeds.split('..').map(Number);
if (first === undefined || last === undefined || !Number.isInteger(first) || !Number.isInteger(last) || last < first) {
  console.error('--seeds must look like 1..20');
  process.exit(2);
}
const protocol = values.protocol === 'gossip' ? 'gossip' : 'swim';
const failText = values.fail;
const parsedFail = parseNodeShare(failText);
if (!parsedFail.ok) {
  console.error(`--fail: ${parsedFail.error}`);
  process.exit(2);
}
const fail = parsedFail.value;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const firsts: number[] = [];
const medians: number[] = [];
const lasts: number[] = [];
const bytes: number[] = [];
const datagrams: number[] = [];
let falsePositives = 0;
let incomplete = 0;
const started = performance.now();
console.log(`sweep: ${protocol}, ${values.nodes} nodes, loss ${values.loss}, fail ${failText}, seeds ${first}..${last}, ${values['duration-ms']} ms`);
for (let seed = first; seed <= last; seed++) {
  const r = runMembershipSim({
    nodes: Number(values.nodes),
    seed,
    protocol,
    protocols: membershipProtocols,
    durationMs: Number(values['duration-ms']),
    loss: Number(values.loss),
    fail,
    wallClockMs: () => performance.now(),
  });
  const t = r.traffic;
  firsts.push(r.detection.firstMs);
  medians.push(r.detection.medianMs);
  lasts.push(r.detection.lastMs);
  bytes.push(t.bytesPerNodePerSec);
  datagrams.push(t.datagramsPerNodePerSec);
  falsePositives += r.accuracy.falsePositives;
  if (!r.detection.complete) incomplete++;
  console.log(
    `seed ${seed}: detection first ${r.detection.firstMs} median ${r.detection.medianMs} last ${r.detection.lastMs} ms, ` +
      `false positives ${r.accuracy.falsePositives}, ${t.datagramsPerNodePerSec.toFixed(2)} datagrams and ${t.bytesPerNodePerSec.toFixed(0)} bytes /node/s, wall ${((r.wallMs ?? 0) / 1000).toFixed(1)} s`,
  );
}
console.log(
  `summary: ${last - first + 1} runs, medians across runs: first ${median(firsts)} ms, median ${median(medians)} ms, last ${median(lasts)} ms; ` +
    `${median(datagrams).toFixed(2)} datagrams/node/s, ${median(bytes).toFixed(0)} bytes/node/s; false positives ${falsePositives}; incomplete ${incomplete}; wall ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exitCode = falsePositives === 0 && incomplete === 0 ? 0 : 1;
