/**
 * Requests refused before any replica is contacted: KV_ERR_OVERLOADED at inflightRequestsMax,
 * KV_ERR_BAD_REQUEST for malformed input (never a throw), KV_ERR_NOT_READY before the node has a
 * ring. Each still gets exactly one reply and one kv-coordinated event, and no kv-served event.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientOp } from '../../src/kv/client-types.js';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { Rng } from '../../src/lib/rng.js';
import { NodeCore } from '../../src/node/node-core.js';
import type { NodeOutput } from '../../src/node/types.js';
import { Cluster, bytes, convergedAtMs } from './cluster.js';

const seed = 41;

describe('refused requests', () => {
  it('KV_ERR_OVERLOADED once inflightRequestsMax requests are in flight, immediately', () => {
    const c = new Cluster({ seed, nodes: 5, kv: { inflightRequestsMax: 2 } });
    c.sim.runUntil(convergedAtMs);
    const at = c.sim.nowMs;
    const ids = [0, 1, 2].map((i) => c.op(at, 'n1', { type: 'put', key: `k${i}`, value: bytes('v') }));
    c.sim.runFor(2_000);
    const replies = ids.map((id) => c.replyFor(id)!);
    assert.equal(replies[0]!.result.ok, true, `seed=${seed}`);
    assert.equal(replies[1]!.result.ok, true, `seed=${seed}`);
    assert.equal(!replies[2]!.result.ok && replies[2]!.result.error.code, 'KV_ERR_OVERLOADED', `seed=${seed}`);
    assert.equal(replies[2]!.atMs, at, `seed=${seed}: refused at once`);
    assert.equal(c.kvEvents('kv-served', at, 'k2').length, 0, `seed=${seed}: no replica saw it`);
    const coordinated = c.kvEvents('kv-coordinated', at, 'k2');
    assert.equal(coordinated.length, 1);
    assert.equal(coordinated[0]!.event.error, 'KV_ERR_OVERLOADED');
    // Once the first two finished, there is room again.
    assert.equal(c.run('n1', { type: 'put', key: 'k3', value: bytes('v') }).result.ok, true, `seed=${seed}`);
  });

  it('KV_ERR_BAD_REQUEST for missing values, oversized or invalid keys, oversized values, unknown types', () => {
    const c = new Cluster({ seed, nodes: 3 });
    c.sim.runUntil(convergedAtMs);
    const bad: ClientOp[] = [
      { type: 'create', key: 'no-value' },
      { type: 'update', key: 'no-value' },
      { type: 'put', key: 'no-value' },
      { type: 'put', key: 'x'.repeat(1025), value: bytes('v') },
      { type: 'read', key: 'lone\ud800surrogate' },
      { type: 'put', key: 'huge', value: new Uint8Array(1024 * 1024 + 1) },
      { type: 'frobnicate', key: 'k' } as unknown as ClientOp,
      { type: 'read', key: 42 } as unknown as ClientOp,
      { type: 'read', key: 'k', consistency: 'most' } as unknown as ClientOp,
      { type: 'put', key: 'k', value: 'not bytes' } as unknown as ClientOp,
    ];
    const at = c.sim.nowMs;
    const ids = bad.map((op) => c.op(at, 'n0', op));
    c.sim.runFor(100);
    for (const [i, id] of ids.entries()) {
      const r = c.replyFor(id);
      assert.ok(r !== undefined, `seed=${seed}: op ${i} answered`);
      assert.equal(!r.result.ok && r.result.error.code, 'KV_ERR_BAD_REQUEST', `seed=${seed}: op ${i} ${JSON.stringify(r.result)}`);
      assert.equal(r.atMs, at);
    }
    assert.equal(c.kvEvents('kv-served', at).length, 0);
    assert.equal(c.kvEvents('kv-coordinated', at).length, bad.length, `seed=${seed}: one event per request`);
    // A key of exactly 1024 bytes is fine.
    assert.equal(c.run('n0', { type: 'put', key: 'y'.repeat(1024), value: bytes('v') }).result.ok, true);
  });

  it('KV_ERR_NOT_READY before start and while still joining; QUORUM_UNAVAILABLE when the ring is too small', () => {
    const storage = new MemoryStorage();
    const core = new NodeCore({ self: { name: 'solo', addr: '10.0.0.1:7946' }, rng: new Rng(seed), storage });
    const out: NodeOutput[] = [];
    core.handle({ kind: 'client', requestId: 1, op: { type: 'read', key: 'k' } }, 0, out);
    const replyOf = (id: number) => out.find((o) => o.kind === 'reply' && o.requestId === id);
    const r1 = replyOf(1);
    assert.ok(r1 !== undefined && r1.kind === 'reply' && !r1.result.ok && r1.result.error.code === 'KV_ERR_NOT_READY', JSON.stringify(r1));

    // Joining through a seed that never answers: still not ready.
    core.handle({ kind: 'start', seeds: ['10.0.0.9:7946'] }, 10, out);
    core.handle({ kind: 'client', requestId: 2, op: { type: 'read', key: 'k' } }, 20, out);
    const r2 = replyOf(2);
    assert.ok(r2 !== undefined && r2.kind === 'reply' && !r2.result.ok && r2.result.error.code === 'KV_ERR_NOT_READY', JSON.stringify(r2));
    core.checkInvariants();

    // A cluster of one: ready, but a QUORUM needs 2 home replicas and the ring has 1.
    const alone = new NodeCore({ self: { name: 'alone', addr: '10.0.0.2:7946' }, rng: new Rng(seed), storage: new MemoryStorage() });
    const out2: NodeOutput[] = [];
    alone.handle({ kind: 'start', seeds: [] }, 0, out2);
    alone.handle({ kind: 'client', requestId: 3, op: { type: 'put', key: 'k', value: bytes('v') } }, 1, out2);
    alone.handle({ kind: 'client', requestId: 4, op: { type: 'put', key: 'k', value: bytes('v'), consistency: 'one' } }, 2, out2);
    const q = out2.find((o) => o.kind === 'reply' && o.requestId === 3);
    assert.ok(q !== undefined && q.kind === 'reply' && !q.result.ok && q.result.error.code === 'KV_ERR_QUORUM_UNAVAILABLE', JSON.stringify(q));
    const one = out2.find((o) => o.kind === 'reply' && o.requestId === 4);
    assert.ok(one !== undefined && one.kind === 'reply' && one.result.ok, 'ONE succeeds on the single local replica');
    alone.checkInvariants();
  });

  it('an invalid KV config is refused at construction', () => {
    assert.throws(
      () => new NodeCore({ self: { name: 'x', addr: '10.0.0.3:7946' }, rng: new Rng(seed), storage: new MemoryStorage(), kv: { readQuorum: 4 } }),
      /readQuorum/,
    );
  });
});
