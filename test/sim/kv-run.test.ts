/**
 * The KV run end to end on real NodeCores: a bounded seeded sweep with random faults (one at a
 * time, a permanent crash included) finds no violation; one permanent crash in 50 nodes is
 * re-replicated within kvRereplicationBoundMs; the same seed gives the identical report. Every
 * failure message names the seed and the command that replays it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvRereplicationBoundMs } from '../../src/sim/kv-faults.js';
import { kvJoinIntervalMsDefault, kvWarmupSettleMsDefault, runKvSim } from '../../src/sim/kv-run.js';
import { kvReportToJson, type KvRunReport } from '../../src/sim/kv-report.js';
import { runKvSimCommand } from '../../src/cli/commands/sim-kv.js';
import { UsageError } from '../../src/cli/commands/options.js';

/** Seeds of the CI sweep (20 nodes, 40 s: room for the permanent crash's window and 1-2 more faults). */
const sweepSeeds = [1, 2, 3, 4, 5, 6];
const sweepNodes = 20;
const sweepDurationMs = 40_000;

function explain(r: KvRunReport): string {
  return `seed=${r.seed}: ${r.violationCount} violation(s)\n${r.violations
    .slice(0, 10)
    .map((v) => `  ${v.kind}: ${v.detail}`)
    .join('\n')}\nfaults: ${r.faults.join('; ')}\nreproduce: ${r.reproduce}`;
}

test('seeded sweep with random faults: no lost write, no stale read, convergence, one reply each', () => {
  for (const seed of sweepSeeds) {
    const r = runKvSim({ seed, nodes: sweepNodes, durationMs: sweepDurationMs });
    assert.equal(r.violationCount, 0, explain(r));
    assert.ok(r.faults.length >= 2, `seed=${seed}: only ${r.faults.length} faults planned`);
    assert.notEqual(r.permanentlyCrashed, null, `seed=${seed}: no permanent crash`);
    assert.notEqual(r.convergedAtMs, null, `seed=${seed}: never converged`);
    assert.ok(r.checks.readYourWrites.readsChecked > 500, `seed=${seed}: ${r.checks.readYourWrites.readsChecked} reads checked`);
    assert.ok(r.checks.lostWrites.keysChecked > 400, `seed=${seed}: ${r.checks.lostWrites.keysChecked} keys judged`);
  }
});

test('without faults every request is answered meaningfully and the cluster converges at once', () => {
  const r = runKvSim({ seed: 7, nodes: 10, durationMs: 15_000, faults: 'none', quietMs: 5_000 });
  assert.equal(r.violationCount, 0, explain(r));
  assert.equal(r.ops.answeredRatio, 1, `seed=7: ${JSON.stringify(r.ops.byError)}`);
  assert.equal(r.convergenceMs, 1_000, 'seed=7: converged at the first check');
});

test(`one of 50 nodes crashing for good: every key back on exactly N replicas within ${kvRereplicationBoundMs} ms`, () => {
  const seed = 3;
  const nodes = 50;
  const warmupMs = (nodes - 1) * kvJoinIntervalMsDefault + kvWarmupSettleMsDefault;
  const crashAtMs = warmupMs + 2_000;
  const r = runKvSim({
    seed,
    nodes,
    // The workload writes keys for 2 s, runs through the crash for 1 s more, then stops; the quiet
    // period checks convergence every second, so convergedAtMs is the re-replication time.
    durationMs: crashAtMs + 1_000,
    quietMs: kvRereplicationBoundMs + 5_000,
    faultPlan: [{ kind: 'permanent-crash', node: 'n7', atMs: crashAtMs, durationMs: 0, loss: 0 }],
  });
  assert.equal(r.violationCount, 0, explain(r));
  assert.notEqual(r.convergedAtMs, null, `seed=${seed}: never converged`);
  const took = r.convergedAtMs! - crashAtMs;
  assert.ok(took <= kvRereplicationBoundMs, `seed=${seed}: re-replication took ${took} ms > ${kvRereplicationBoundMs} ms`);
  assert.ok(r.activity.keysTransferred > 0, `seed=${seed}: nothing transferred`);
  assert.equal(r.checks.convergence.liveNodes, nodes - 1);
  assert.ok(r.checks.convergence.keysHeld > 200, `seed=${seed}: only ${r.checks.convergence.keysHeld} keys held`);
});

test('same seed, same report; another seed, another run', () => {
  const options = { nodes: 10, durationMs: 20_000, quietMs: 5_000, opsPerSecond: 100, keys: 100 };
  const a = kvReportToJson(runKvSim({ seed: 11, ...options }));
  const b = kvReportToJson(runKvSim({ seed: 11, ...options }));
  const c = kvReportToJson(runKvSim({ seed: 12, ...options }));
  assert.equal(a, b, 'seed=11 twice');
  assert.notEqual(a, c, 'seeds 11 and 12');
});

test('ringkv sim --workload kv: the seed first, an aligned report or one JSON object, true on a pass', () => {
  const options = { nodes: 8, seed: 21, durationMs: 12_000, quietMs: 3_000, opsPerSecond: 50, keys: 50, faults: 'none' as const };
  const text: string[] = [];
  assert.equal(runKvSimCommand(options, (l) => text.push(l)), true, 'seed=21');
  assert.equal(text[0], 'seed: 21');
  assert.ok(text.some((l) => /^result\s+PASS$/.test(l)), text.join('\n'));
  const out: string[] = [];
  const err: string[] = [];
  assert.equal(
    runKvSimCommand({ ...options, json: true }, (l) => out.push(l), (l) => err.push(l)),
    true,
  );
  assert.deepEqual(err, ['seed: 21']);
  assert.equal(out.length, 1);
  const parsed = JSON.parse(out[0]!) as KvRunReport;
  assert.equal(parsed.seed, 21);
  assert.equal(parsed.violationCount, 0);
});

test('the checkers have teeth: with R = W = 1 (R + W <= N) faults produce stale reads', () => {
  // Seeds are tried in order until one shows it, so a change of timing elsewhere cannot hide the
  // check behind one unlucky seed; at 20 nodes and 40 s, 3 of seeds 1-4 did at the time of writing.
  const found: string[] = [];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const r = runKvSim({ seed, nodes: 20, durationMs: 40_000, kv: { readQuorum: 1, writeQuorum: 1 } });
    const stale = r.violations.filter((v) => v.kind === 'stale-read');
    if (stale.length > 0) {
      found.push(`seed=${seed}: ${stale[0]!.detail}`);
      break;
    }
  }
  assert.ok(found.length > 0, 'no stale read with R = W = 1 in seeds 1-6');
});

test('keys that lost more than N - W home replicas at once are excused, not judged', () => {
  const seed = 5;
  const nodes = 10;
  const warmupMs = (nodes - 1) * kvJoinIntervalMsDefault + kvWarmupSettleMsDefault;
  const r = runKvSim({
    seed,
    nodes,
    durationMs: warmupMs + 6_000,
    quietMs: 15_000,
    faultPlan: [
      { kind: 'permanent-crash', node: 'n3', atMs: warmupMs + 3_000, durationMs: 0, loss: 0 },
      { kind: 'permanent-crash', node: 'n4', atMs: warmupMs + 3_000, durationMs: 0, loss: 0 },
    ],
  });
  assert.ok(r.checks.lostWrites.keysExcused > 0, `seed=${seed}: no key excused`);
  assert.equal(r.checks.lostWrites.violations, 0, explain(r));
});

test('ringkv sim --workload kv: options that cannot run are a usage error, before the seed is printed', () => {
  const printed: string[] = [];
  assert.throws(
    () => runKvSimCommand({ nodes: 50, seed: 1, durationMs: 5_000 }, (l) => printed.push(l)),
    (e: unknown) => e instanceof UsageError && /warm-up of 9900 ms for 50 nodes/.test(e.message),
  );
  assert.deepEqual(printed, []);
});
