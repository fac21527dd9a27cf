/**
 * The membership runner end to end: the same seed gives the identical report and the identical
 * trace (hashed), a different seed a different trace; crashes are detected and judged; loss makes
 * the crude fake protocol produce false positives that the report names; the real protocols run
 * through the codec without decode errors. Seeds are fixed and named in every message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportToJson, type MembershipRunReport } from '../../src/sim/membership-report.js';
import { runMembershipSim, type MembershipRunOptions } from '../../src/sim/membership-run.js';
import { membershipProtocols } from '../../src/sim/protocols.js';
import { TraceHash } from '../../src/sim/trace.js';
import { fakeProbeFactory } from './fakes.js';

const fakes = { swim: fakeProbeFactory, gossip: fakeProbeFactory };

function run(seed: number, extra: Partial<MembershipRunOptions> = {}): { report: MembershipRunReport; trace: TraceHash } {
  const trace = new TraceHash();
  const report = runMembershipSim({
    nodes: 30,
    seed,
    protocol: 'swim',
    protocols: fakes,
    durationMs: 20_000,
    fail: { count: 2 },
    failAtMs: 5_000,
    converged: true,
    trace: (line) => trace.add(line),
    ...extra,
  });
  return { report, trace };
}

test('same seed: identical report and trace; different seed: different trace', () => {
  const a = run(11);
  const b = run(11);
  const c = run(12);
  assert.equal(reportToJson(a.report), reportToJson(b.report), 'seed=11');
  assert.equal(a.trace.hex, b.trace.hex, 'seed=11');
  assert.ok(a.trace.count > 1000, `seed=11: ${a.trace.count} trace lines`);
  assert.notEqual(a.trace.hex, c.trace.hex, 'seeds 11 and 12');
});

test('a trace or a listener does not change the run', () => {
  const traced = run(13).report;
  const untraced = runMembershipSim({
    nodes: 30,
    seed: 13,
    protocol: 'swim',
    protocols: fakes,
    durationMs: 20_000,
    fail: { count: 2 },
    failAtMs: 5_000,
    converged: true,
  });
  assert.equal(reportToJson(traced), reportToJson(untraced), 'seed=13');
});

test('crashes are detected by every live node and judged complete, without false positives', () => {
  const { report } = run(14);
  assert.equal(report.failedNodes.length, 2);
  assert.equal(report.detection.complete, true, 'seed=14');
  assert.equal(report.accuracy.falsePositives, 0, 'seed=14');
  assert.equal(report.agreement.agreed, true, 'seed=14');
  for (const s of report.detection.subjects) {
    assert.equal(s.detectedBy, 28, `seed=14: ${s.member}`);
    assert.ok(s.firstMs >= 0 && s.firstMs <= s.medianMs && s.medianMs <= s.lastMs, `seed=14: ${JSON.stringify(s)}`);
  }
  assert.deepEqual(report.violations, []);
  assert.equal(report.wallMs, null, 'no clock given: no wall time');
  assert.ok(report.traffic.msgsPerNodePerSec > 1.5 && report.traffic.msgsPerNodePerSec < 6, `seed=14: ${report.traffic.msgsPerNodePerSec}`);
});

test('loss makes the fake protocol wrongly declare nodes dead; the report says so', () => {
  const { report } = run(15, { loss: 0.2 });
  assert.ok(report.accuracy.falsePositives > 0, 'seed=15');
  assert.ok(report.violations.some((v) => v.includes('false positive')), `seed=15: ${report.violations.join('; ')}`);
  assert.ok(report.drops.loss > 0);
});

test('a partition is scheduled on nodes that do not fail, and its verdicts are excused', () => {
  const { report } = run(16, { partition: { share: { percent: 20 }, startMs: 8_000, endMs: 12_000 } });
  assert.equal(report.partitionedNodes.length, 6);
  for (const n of report.partitionedNodes) assert.ok(!report.failedNodes.includes(n), `seed=16: ${n}`);
  assert.ok(report.drops.partition > 0);
  assert.ok(report.accuracy.excusedDead.partitioned > 0, 'seed=16: the fake declares the other side dead');
  assert.equal(report.partition, '20%@8000-12000');
});

test('progress is reported in virtual time up to the duration', () => {
  const seen: number[] = [];
  runMembershipSim({ nodes: 5, seed: 17, protocol: 'swim', protocols: fakes, durationMs: 3_500, converged: true, progress: (t) => seen.push(t) });
  assert.deepEqual(seen, [1000, 2000, 3000, 3500]);
});

test('the real protocols run through the codec deterministically and detect a crash', () => {
  for (const protocol of ['swim', 'gossip'] as const) {
    const options: MembershipRunOptions = { nodes: 12, seed: 21, protocol, protocols: membershipProtocols, durationMs: 40_000, fail: { count: 1 }, failAtMs: 10_000, checkInvariantsEvery: 500 };
    const a = runMembershipSim(options);
    const b = runMembershipSim(options);
    assert.equal(reportToJson(a), reportToJson(b), `seed=21 ${protocol}`);
    assert.equal(a.decodeErrors, 0, `seed=21 ${protocol}`);
    assert.equal(a.converged, false);
    assert.ok(a.totalMessages > 0);
    assert.equal(a.detection.subjects[0]!.detectedBy, 11, `seed=21 ${protocol}: ${JSON.stringify(a.detection.subjects[0])}`);
  }
});
