/**
 * Regressions: bugs the KV checkers found in other components, kept as tests after their fix.
 *
 * 1. SWIM (src/membership/swim): a member that misses the one "alive n21 inc=1" broadcast of a
 *    node that rejoined after being declared dead keeps it dead until the next push-pull (30 s ×
 *    2 at N = 50) or until the rejoined node happens to probe it (round-robin, up to ~N s). Seed
 *    57 (50 nodes, default KV run with the permanent crash): n21 crashes at 33.9 s, is declared
 *    dead at ~42.5 s, restarts with its disk at 45.743 s; its alive broadcast reaches 47 of the 48
 *    other live nodes by 47.16 s and stops; n2 never gets it, so 34 s later (end of the 20 s quiet
 *    period) n2's ring still lacks n21, n2 believes it owns n21's keys (k388 held by 4 live nodes)
 *    and the convergence check fails. Fixed in SWIM: gossip to a member held dead carries the
 *    verdict, and the restarted member answers the stale verdict with its current alive. Reproduce:
 *      ringkv sim --workload kv --nodes 50 --seed 57 --duration-ms 60000 --ops-per-second 200 \
 *        --keys 500 --faults random --loss 0 --quiet-ms 20000 --permanent-crash
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKvSim } from '../../src/sim/kv-run.js';

test('seed 57: every live node learns that n21 rejoined within the 20 s quiet period', () => {
  const r = runKvSim({ seed: 57, nodes: 50, permanentCrash: true });
  const rings = r.violations.filter((v) => v.kind === 'not-converged' && v.key === null);
  assert.equal(rings.length, 0, `seed=57: ${rings.map((v) => v.detail).join('; ')}`);
  assert.equal(r.violationCount, 0, `seed=57: ${r.violations.map((v) => v.detail).join('\n')}`);
});
