/**
 * NodeCore end to end in the simulator: the course's CRUD semantics on a 10-node cluster
 * (original-framework.md §6, §7.2: every replica logs success or fail for every op it serves, the
 * coordinator exactly once) with Dynamo §4.5 strict quorums. Fixed seeds, named in every message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, bytes, convergedAtMs, text } from './cluster.js';

const seed = 11;

function converged(nodes = 10, extra: Partial<ConstructorParameters<typeof Cluster>[0]> = {}): Cluster {
  // The course's coordinator sent every read to all three replicas: these tests count its lines.
  const c = new Cluster({ seed, nodes, ...extra, kv: { readSpeculativeRetryMs: 0, ...extra.kv } });
  c.sim.runUntil(convergedAtMs);
  for (const n of c.names) assert.equal(c.ringSize(n), nodes, `seed=${seed}: ${n} sees ${c.ringSize(n)} of ${nodes} nodes on its ring`);
  return c;
}

describe('NodeCore CRUD on 10 nodes (course MP2 semantics, Dynamo §4.5)', () => {
  it('create, read, update, read, delete, read, put: the happy path', () => {
    const c = converged();
    const key = 'alpha';
    const since = c.sim.nowMs;
    const created = c.run('n3', { type: 'create', key, value: bytes('v1') });
    assert.equal(created.result.ok, true, `seed=${seed}: ${JSON.stringify(created.result)}`);
    // The course's CREATE test: exactly 3 server successes + 1 coordinator success per key.
    c.sim.runFor(100);
    const served = c.kvEvents('kv-served', since, key);
    assert.equal(served.length, 3, `seed=${seed}: served events ${JSON.stringify(served.map((s) => s.node))}`);
    assert.ok(served.every((s) => s.event.success && s.event.op === 'create' && s.event.coordinator === 'n3'), `seed=${seed}`);
    assert.deepEqual(served.map((s) => s.node).sort(), c.replicasOf(key).sort(), `seed=${seed}: served by the home replicas`);
    const coordinated = c.kvEvents('kv-coordinated', since, key);
    assert.equal(coordinated.length, 1, `seed=${seed}`);
    assert.equal(coordinated[0]!.node, 'n3');
    assert.equal(coordinated[0]!.event.success, true);
    // Replica lines pair with the coordinator's by reqId (the course's transID).
    assert.ok(served.every((s) => s.event.reqId === coordinated[0]!.event.reqId), `seed=${seed}: one reqId per request`);

    const read1 = c.run('n7', { type: 'read', key });
    assert.equal(read1.result.ok, true, `seed=${seed}`);
    assert.equal(read1.result.ok && text(read1.result.value), 'v1');

    const updated = c.run('n0', { type: 'update', key, value: bytes('v2') });
    assert.equal(updated.result.ok, true, `seed=${seed}`);
    const read2 = c.run('n9', { type: 'read', key });
    assert.equal(read2.result.ok && text(read2.result.value), 'v2', `seed=${seed}: read after update`);
    assert.ok(
      read2.result.ok && created.result.ok && updated.result.ok && read2.result.version!.physicalMs >= created.result.version!.physicalMs,
      `seed=${seed}: versions move forward`,
    );

    const deleted = c.run('n5', { type: 'delete', key });
    assert.equal(deleted.result.ok, true, `seed=${seed}`);
    const read3 = c.run('n1', { type: 'read', key });
    assert.equal(read3.result.ok, false);
    assert.equal(!read3.result.ok && read3.result.error.code, 'KV_ERR_NOT_FOUND', `seed=${seed}: read after delete`);

    const put = c.run('n2', { type: 'put', key, value: bytes('v3') });
    assert.equal(put.result.ok, true, `seed=${seed}: put writes whatever the key holds`);
    const read4 = c.run('n4', { type: 'read', key });
    assert.equal(read4.result.ok && text(read4.result.value), 'v3', `seed=${seed}: put after delete`);
    // Every home replica holds the final value.
    c.sim.runFor(100);
    for (const r of c.replicasOf(key)) assert.equal(text(c.storages.get(r)!.get(key)?.value), 'v3', `seed=${seed}: replica ${r}`);
  });

  it('many keys from many coordinators: every create lands on exactly its 3 home replicas', () => {
    const c = converged();
    const since = c.sim.nowMs;
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) ids.push(c.op(since, `n${i % 10}`, { type: 'create', key: `k${i}`, value: bytes(`value${i}`) }));
    c.sim.runFor(2_000);
    for (const id of ids) assert.equal(c.replyFor(id)?.result.ok, true, `seed=${seed}: request ${id}`);
    const served = c.kvEvents('kv-served', since).filter((e) => e.event.success);
    assert.equal(served.length, 300, `seed=${seed}: 3 server successes per key`);
    assert.equal(c.kvEvents('kv-coordinated', since).filter((e) => e.event.success).length, 100, `seed=${seed}`);
    let copies = 0;
    for (const s of c.storages.values()) copies += s.size;
    assert.equal(copies, 300, `seed=${seed}: never more, never fewer than N copies`);
  });

  it('create of an existing key fails with KV_ERR_EXISTS: 3 server fails + 1 coordinator fail', () => {
    const c = converged();
    const key = 'taken';
    assert.equal(c.run('n1', { type: 'create', key, value: bytes('a') }).result.ok, true);
    c.sim.runFor(100);
    const since = c.sim.nowMs;
    const again = c.run('n6', { type: 'create', key, value: bytes('b') });
    assert.equal(!again.result.ok && again.result.error.code, 'KV_ERR_EXISTS', `seed=${seed}: ${JSON.stringify(again.result)}`);
    c.sim.runFor(100);
    const served = c.kvEvents('kv-served', since, key);
    assert.equal(served.length, 3, `seed=${seed}`);
    assert.ok(served.every((s) => !s.event.success), `seed=${seed}: every replica refused`);
    const coordinated = c.kvEvents('kv-coordinated', since, key);
    assert.equal(coordinated.length, 1);
    assert.equal(coordinated[0]!.event.error, 'KV_ERR_EXISTS');
    for (const r of c.replicasOf(key)) assert.equal(text(c.storages.get(r)!.get(key)?.value), 'a', `seed=${seed}: ${r} kept the first value`);
  });

  for (const type of ['read', 'update', 'delete'] as const) {
    it(`${type} of a missing key fails with KV_ERR_NOT_FOUND: 3 server fails + 1 coordinator fail`, () => {
      const c = converged();
      const since = c.sim.nowMs;
      const key = 'invalidKey';
      const r = c.run('n4', type === 'update' ? { type, key, value: bytes('invalidValue') } : { type, key });
      assert.equal(!r.result.ok && r.result.error.code, 'KV_ERR_NOT_FOUND', `seed=${seed}: ${JSON.stringify(r.result)}`);
      c.sim.runFor(100);
      const served = c.kvEvents('kv-served', since, key);
      assert.equal(served.length, 3, `seed=${seed}: one server line per home replica`);
      assert.ok(served.every((s) => !s.event.success && s.event.op === type), `seed=${seed}`);
      const coordinated = c.kvEvents('kv-coordinated', since, key);
      assert.equal(coordinated.length, 1, `seed=${seed}`);
      assert.equal(coordinated[0]!.event.success, false);
      assert.equal(coordinated[0]!.event.error, 'KV_ERR_NOT_FOUND');
      for (const s of c.storages.values()) assert.equal(s.get(key), undefined, `seed=${seed}: nothing was written`);
    });
  }
});
