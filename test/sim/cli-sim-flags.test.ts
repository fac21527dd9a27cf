/**
 * `ringkv sim` flag validation (src/cli/commands/sim.ts): defaults, the clock-derived seed, and a
 * clear UsageError (exit status 2) for every bad value; plus the reproduce command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSimFlags } from '../../src/cli/commands/sim.js';
import { reproduceCommand } from '../../src/cli/commands/sim-format.js';
import { UsageError } from '../../src/cli/commands/options.js';

test('defaults, and a seed from the clock when none is given', () => {
  const f = parseSimFlags({ nodes: '10' }, 4_294_967_296 + 77);
  assert.equal(f.seed, 77);
  assert.equal(f.seedGiven, false);
  assert.equal(f.protocol, 'swim');
  assert.equal(f.durationMs, 60_000);
  assert.equal(f.failAtMs, 10_000);
  assert.equal(f.converged, undefined);
  const g = parseSimFlags({ nodes: '10000', seed: '1', fail: '1%', durationMs: '60000', converged: false, json: true, partition: '30%@20000-40000' }, 0);
  assert.deepEqual([g.seed, g.seedGiven, g.converged, g.json], [1, true, false, true]);
  assert.deepEqual(g.fail, { percent: 1 });
  assert.deepEqual(g.partition, { share: { percent: 30 }, startMs: 20000, endMs: 40000 });
});

test('bad flags are UsageErrors that name the flag', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{}, /--nodes is required/],
    [{ nodes: '0' }, /--nodes/],
    [{ nodes: '10', seed: '-1' }, /--seed/],
    [{ nodes: '10', protocol: 'raft' }, /--protocol/],
    [{ nodes: '10', loss: '2' }, /--loss/],
    [{ nodes: '10', fail: 'many' }, /--fail/],
    [{ nodes: '10', fail: '10' }, /at least one must survive/],
    [{ nodes: '10', fail: '1', failAtMs: '70000' }, /--fail-at-ms/],
    [{ nodes: '10', partition: '30%' }, /--partition/],
    [{ nodes: '10', fail: '5', partition: '6@1-2' }, /--partition/],
    [{ nodes: '10', durationMs: '1.5' }, /--duration-ms/],
  ];
  for (const [raw, message] of bad) {
    assert.throws(() => parseSimFlags(raw, 0), (e: unknown) => e instanceof UsageError && message.test(e.message), JSON.stringify(raw));
  }
});

test('the reproduce command carries every flag that shapes the run', () => {
  assert.equal(
    reproduceCommand({ nodes: 10, seed: 5, protocol: 'swim', durationMs: 1000, loss: 0.1, fail: '1%', failAtMs: 500, partition: '2@1-2', converged: false }),
    'ringkv sim --nodes 10 --seed 5 --protocol swim --duration-ms 1000 --loss 0.1 --fail 1% --fail-at-ms 500 --partition 2@1-2 --no-converged',
  );
  assert.equal(
    reproduceCommand({ nodes: 3, seed: 0, protocol: 'gossip', durationMs: 9, loss: 0, fail: '0', failAtMs: 10000, partition: undefined, converged: undefined }),
    'ringkv sim --nodes 3 --seed 0 --protocol gossip --duration-ms 9',
  );
});
