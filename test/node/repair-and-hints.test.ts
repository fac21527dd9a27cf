/**
 * Read repair (Dynamo §5; Cassandra read repair) and hinted handoff (Dynamo §4.6; Cassandra hints,
 * which never count toward W) through real NodeCores in the simulator. Fixed seeds in every message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import { Cluster, bytes, convergedAtMs, text } from './cluster.js';

const seed = 37;

function setup(kv = {}): { c: Cluster; key: string; replicas: string[] } {
  const c = new Cluster({ seed, nodes: 10, kv });
  c.sim.runUntil(convergedAtMs);
  const key = c.findKey((r) => !r.includes('n0'));
  const replicas = c.replicasOf(key);
  assert.equal(c.run('n0', { type: 'create', key, value: bytes('v1') }).result.ok, true, `seed=${seed}`);
  c.sim.runFor(100);
  return { c, key, replicas };
}

describe('read repair (Dynamo §5)', () => {
  it('pushes the newest value to a stale replica, with kv-read-repair and no kv-served event', () => {
    // Every replica asked at once, so the stale third one answers too (the default asks two first).
    const { c, key, replicas } = setup({ readSpeculativeRetryMs: 0 });
    const [a, b, stale] = replicas as [string, string, string];
    // A write that reached only two replicas (as if the third missed it).
    const newer = valueRecord(bytes('v2'), { physicalMs: c.sim.nowMs, logical: 0, nodeId: 7 });
    for (const r of [a, b]) assert.equal(c.storages.get(r)!.apply(key, newer).ok, true);
    const since = c.sim.nowMs;
    const read = c.run('n0', { type: 'read', key });
    assert.equal(read.result.ok && text(read.result.value), 'v2', `seed=${seed}: the newest answer wins`);
    c.sim.runFor(500);
    assert.equal(text(c.storages.get(stale)!.get(key)?.value), 'v2', `seed=${seed}: ${stale} repaired`);
    const repairs = c.kvEvents('kv-read-repair', since, key);
    assert.deepEqual(repairs.map((r) => [r.node, r.event.replica]), [['n0', stale]], `seed=${seed}`);
    const served = c.kvEvents('kv-served', since, key);
    assert.equal(served.length, 3, `seed=${seed}: only the read's own server lines`);
    assert.ok(served.every((s) => s.event.op === 'read'), `seed=${seed}: repair-write is internal`);
  });

  it('repairs a replica that holds nothing, and spreads a delete (tombstone newest ⇒ not found)', () => {
    const { c, key, replicas } = setup();
    const [a, b, stale] = replicas as [string, string, string];
    const tomb = tombstoneRecord({ physicalMs: c.sim.nowMs, logical: 0, nodeId: 7 });
    for (const r of [a, b]) assert.equal(c.storages.get(r)!.apply(key, tomb).ok, true);
    const read = c.run('n0', { type: 'read', key, consistency: 'all' });
    assert.equal(!read.result.ok && read.result.error.code, 'KV_ERR_NOT_FOUND', `seed=${seed}: ${JSON.stringify(read.result)}`);
    c.sim.runFor(500);
    assert.equal(c.storages.get(stale)!.get(key)?.value, null, `seed=${seed}: the tombstone reached ${stale}`);

    const other = c.findKey((r) => !r.includes('n0'), 'empty');
    const [x, y, z] = c.replicasOf(other) as [string, string, string];
    const rec = valueRecord(bytes('only-two'), { physicalMs: c.sim.nowMs, logical: 0, nodeId: 7 });
    for (const r of [x, y]) c.storages.get(r)!.apply(other, rec);
    const since = c.sim.nowMs;
    const r2 = c.run('n0', { type: 'read', key: other, consistency: 'all' });
    assert.equal(r2.result.ok && text(r2.result.value), 'only-two', `seed=${seed}`);
    c.sim.runFor(500);
    assert.equal(text(c.storages.get(z)!.get(other)?.value), 'only-two', `seed=${seed}: ${z} got the key it lacked`);
    assert.equal(c.kvEvents('kv-read-repair', since, other).length, 1);
  });
});

describe('hinted handoff (Dynamo §4.6, Cassandra hints)', () => {
  it('stores a hint for a paused replica and replays it after the replica resumes', () => {
    const { c, key, replicas } = setup();
    const target = replicas[2]!;
    const start = c.sim.nowMs;
    c.sim.pause(target, 3_000);
    const put = c.run('n0', { type: 'put', key, value: bytes('while-paused') });
    assert.equal(put.result.ok, true, `seed=${seed}: two acks suffice`);
    c.sim.runFor(1_500);
    const stored = c.kvEvents('kv-hint-stored', start, key);
    assert.deepEqual(stored.map((h) => [h.node, h.event.target]), [['n0', target]], `seed=${seed}`);
    assert.equal(c.core('n0').hintsHeld, 1);
    c.sim.runFor(10_000);
    const replayed = c.kvEvents('kv-hints-replayed', start).filter((e) => e.event.target === target);
    assert.equal(replayed.length, 1, `seed=${seed}: ${JSON.stringify(replayed)}`);
    assert.ok(replayed[0]!.atMs >= start + 3_000, `seed=${seed}: replayed after the resume`);
    assert.equal(text(c.storages.get(target)!.get(key)?.value), 'while-paused', `seed=${seed}`);
    assert.equal(c.core('n0').hintsHeld, 0, `seed=${seed}: acked hints are dropped`);
  });

  it('a replica that never received the write gets it from the hint alone', () => {
    const { c, key, replicas } = setup();
    const target = replicas[1]!;
    const start = c.sim.nowMs;
    c.sim.block('n0', target); // the request to it is lost; membership still reaches it indirectly
    const put = c.run('n0', { type: 'put', key, value: bytes('hinted') });
    assert.equal(put.result.ok, true, `seed=${seed}`);
    c.sim.runFor(1_500);
    assert.equal(c.kvEvents('kv-hint-stored', start, key).length, 1, `seed=${seed}`);
    assert.equal(text(c.storages.get(target)!.get(key)?.value), 'v1', `seed=${seed}: still stale while blocked`);
    c.sim.unblock('n0', target);
    c.sim.runFor(5_000);
    assert.equal(text(c.storages.get(target)!.get(key)?.value), 'hinted', `seed=${seed}: hint replay delivered it`);
    assert.equal(c.kvEvents('kv-served', start, key).filter((s) => s.node === target).length, 0, `seed=${seed}: not through a client request`);
    assert.equal(c.kvEvents('kv-hints-replayed', start).length, 1);
  });

  it('hints never count toward W and are not stored for failed writes', () => {
    const { c, key, replicas } = setup();
    c.sim.crash(replicas[1]!);
    c.sim.crash(replicas[2]!);
    const since = c.sim.nowMs;
    const put = c.run('n0', { type: 'put', key, value: bytes('x') });
    assert.equal(!put.result.ok && put.result.error.code, 'KV_ERR_QUORUM_UNAVAILABLE', `seed=${seed}`);
    c.sim.runFor(2_000);
    assert.equal(c.kvEvents('kv-hint-stored', since).length, 0, `seed=${seed}`);
  });

  it("drops a target's hints when it is declared dead (the rebalancer re-replicates instead)", () => {
    const { c, key, replicas } = setup();
    c.sim.crash(replicas[2]!);
    assert.equal(c.run('n0', { type: 'put', key, value: bytes('y') }).result.ok, true);
    c.sim.runFor(1_500);
    assert.equal(c.core('n0').hintsHeld, 1, `seed=${seed}`);
    c.sim.runFor(30_000);
    assert.ok(!c.core('n0').ring().nodes.includes(replicas[2]!), `seed=${seed}: declared dead`);
    assert.equal(c.core('n0').hintsHeld, 0, `seed=${seed}`);
  });
});
