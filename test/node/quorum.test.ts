/**
 * Strict quorums under crashed home replicas (Dynamo §4.5; docs/consistency.md promise 5): with one
 * of three home replicas down QUORUM operations succeed on the other two; with two down (before
 * membership even notices) they fail with KV_ERR_QUORUM_UNAVAILABLE within requestTimeoutMs,
 * exactly as the course's READ/UPDATE tests T2 and T3 expect. ONE and ALL levels.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, bytes, convergedAtMs, text } from './cluster.js';

const seed = 23;
const requestTimeoutMs = 1000;

function setup(): { c: Cluster; key: string; replicas: string[]; coordinator: string } {
  const c = new Cluster({ seed, nodes: 10, kv: { requestTimeoutMs } });
  c.sim.runUntil(convergedAtMs);
  const key = c.findKey((r) => !r.includes('n0'));
  const replicas = c.replicasOf(key);
  assert.equal(c.run('n0', { type: 'create', key, value: bytes('original') }).result.ok, true, `seed=${seed}`);
  c.sim.runFor(100);
  return { c, key, replicas, coordinator: 'n0' };
}

describe('strict quorum with crashed home replicas', () => {
  it('1 of 3 crashed: QUORUM read and update succeed with exactly 2 server successes + 1 coordinator (course T2)', () => {
    const { c, key, replicas, coordinator } = setup();
    c.sim.crash(replicas[2]!); // the tertiary, as the course's test does; not yet detected
    let since = c.sim.nowMs;
    const read = c.run(coordinator, { type: 'read', key });
    assert.equal(read.result.ok && text(read.result.value), 'original', `seed=${seed}: ${JSON.stringify(read.result)}`);
    c.sim.runFor(500);
    let served = c.kvEvents('kv-served', since, key);
    assert.equal(served.length, 2, `seed=${seed}: ${served.map((s) => s.node).join(',')}`);
    assert.ok(served.every((s) => s.event.success));
    assert.equal(c.kvEvents('kv-coordinated', since, key).length, 1);

    since = c.sim.nowMs;
    const upd = c.run(coordinator, { type: 'update', key, value: bytes('newValue') });
    assert.equal(upd.result.ok, true, `seed=${seed}: ${JSON.stringify(upd.result)}`);
    c.sim.runFor(1500);
    served = c.kvEvents('kv-served', since, key);
    assert.equal(served.length, 2, `seed=${seed}`);
    assert.ok(served.every((s) => s.event.success && s.event.op === 'update'));
    const coordinated = c.kvEvents('kv-coordinated', since, key);
    assert.equal(coordinated.length, 1);
    assert.equal(coordinated[0]!.event.success, true);
  });

  it('2 of 3 crashed before detection: QUORUM read and update fail with KV_ERR_QUORUM_UNAVAILABLE within requestTimeoutMs (course T3)', () => {
    const { c, key, replicas, coordinator } = setup();
    c.sim.crash(replicas[2]!);
    c.sim.crash(replicas[1]!);
    for (const op of [{ type: 'read' as const, key }, { type: 'update' as const, key, value: bytes('newValue') }]) {
      const since = c.sim.nowMs;
      const r = c.run(coordinator, op);
      assert.equal(!r.result.ok && r.result.error.code, 'KV_ERR_QUORUM_UNAVAILABLE', `seed=${seed} ${op.type}: ${JSON.stringify(r.result)}`);
      assert.ok(r.atMs - since <= requestTimeoutMs, `seed=${seed} ${op.type}: answered after ${r.atMs - since} ms`);
      assert.ok(!r.result.ok && r.result.error.acks === 1 && r.result.error.required === 2, `seed=${seed}: acks/required in the error`);
      c.sim.runFor(500);
      // The course counts only fail lines here: exactly the coordinator's; the lone replica succeeded.
      const fails = [...c.kvEvents('kv-served', since, key), ...c.kvEvents('kv-coordinated', since, key)].filter((e) => !e.event.success);
      assert.equal(fails.length, 1, `seed=${seed} ${op.type}: ${JSON.stringify(fails)}`);
      assert.equal(fails[0]!.node, coordinator);
    }
  });

  it('after the crashed replicas are declared dead, the ring moves on and operations succeed again', () => {
    const { c, key, replicas, coordinator } = setup();
    c.sim.crash(replicas[2]!);
    c.sim.crash(replicas[1]!);
    c.sim.runFor(30_000);
    const now = c.replicasOf(key, coordinator);
    assert.ok(!now.includes(replicas[1]!) && !now.includes(replicas[2]!), `seed=${seed}: ${now.join(',')}`);
    assert.equal(c.core(coordinator).ring().size, 8, `seed=${seed}`);
    const r = c.run(coordinator, { type: 'put', key, value: bytes('later') });
    assert.equal(r.result.ok, true, `seed=${seed}: ${JSON.stringify(r.result)}`);
  });
});

describe('consistency levels ONE and ALL', () => {
  it('ALL needs every home replica: fails with one crashed, succeeds with all up', () => {
    const { c, key, replicas, coordinator } = setup();
    const ok = c.run(coordinator, { type: 'put', key, value: bytes('all-up'), consistency: 'all' });
    assert.equal(ok.result.ok, true, `seed=${seed}`);
    const readAll = c.run(coordinator, { type: 'read', key, consistency: 'all' });
    assert.equal(readAll.result.ok && text(readAll.result.value), 'all-up');
    c.sim.crash(replicas[0]!);
    const since = c.sim.nowMs;
    const fail = c.run(coordinator, { type: 'put', key, value: bytes('x'), consistency: 'all' });
    assert.equal(!fail.result.ok && fail.result.error.code, 'KV_ERR_QUORUM_UNAVAILABLE', `seed=${seed}`);
    assert.equal(fail.atMs - since, requestTimeoutMs, `seed=${seed}: ALL waits for the deadline`);
  });

  it('ONE answers at the first success, even with two home replicas crashed', () => {
    const { c, key, replicas, coordinator } = setup();
    c.sim.crash(replicas[1]!);
    c.sim.crash(replicas[2]!);
    const since = c.sim.nowMs;
    const w = c.run(coordinator, { type: 'put', key, value: bytes('one'), consistency: 'one' });
    assert.equal(w.result.ok, true, `seed=${seed}: ${JSON.stringify(w.result)}`);
    assert.ok(w.atMs - since < 50, `seed=${seed}: one round trip, got ${w.atMs - since} ms`);
    const r = c.run(coordinator, { type: 'read', key, consistency: 'one' });
    assert.equal(r.result.ok && text(r.result.value), 'one', `seed=${seed}`);
  });

  it('a coordinator that is itself a home replica serves its own copy without the network', () => {
    const c = new Cluster({ seed, nodes: 10 });
    c.sim.runUntil(convergedAtMs);
    const key = c.findKey((r) => r[0] === 'n3');
    const since = c.sim.nowMs;
    const r = c.run('n3', { type: 'create', key, value: bytes('local'), consistency: 'one' });
    assert.equal(r.result.ok, true);
    assert.equal(r.atMs, since, `seed=${seed}: ONE with a local home replica settles in the same step`);
  });
});
