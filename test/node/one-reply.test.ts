/**
 * Property over seeds: under packet loss, slow links, crashes, pauses and restarts, every client
 * request gets exactly one reply and one kv-coordinated event from the node it was sent to, within
 * requestTimeoutMs (Dynamo §5: one state machine per request, which fails on timeout). Each seed
 * is a full deterministic run; a failure names the seed that reproduces it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientOp, ClientOpType, ConsistencyLevel } from '../../src/kv/client-types.js';
import { Rng } from '../../src/lib/rng.js';
import { Cluster, bytes, convergedAtMs } from './cluster.js';

const seeds = [1, 2, 3, 4, 5, 6];
const requestTimeoutMs = 800;
const types: readonly ClientOpType[] = ['create', 'read', 'update', 'delete', 'put'];
const levels: readonly (ConsistencyLevel | undefined)[] = [undefined, undefined, 'one', 'all'];

describe('exactly one reply per request, under loss and crashes', () => {
  for (const seed of seeds) {
    it(`seed ${seed}`, () => {
      const c = new Cluster({
        seed,
        nodes: 10,
        kv: { requestTimeoutMs },
        link: { latency: { kind: 'lognormal', medianMs: 3, sigma: 1, maxMs: 400 }, lossProbability: 0.05, duplicateProbability: 0.02 },
        checkInvariantsEvery: 500,
      });
      c.sim.runUntil(convergedAtMs);
      const rng = new Rng(seed);
      const coordinators = ['n0', 'n1', 'n2'];
      const victims = ['n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'];
      rng.shuffleInPlace(victims);
      const t0 = c.sim.nowMs;
      c.sim.crashAt(t0 + rng.intBelow(5_000), victims[0]!);
      c.sim.crashAt(t0 + rng.intBelow(10_000), victims[1]!);
      c.sim.pauseAt(t0 + rng.intBelow(10_000), victims[2]!, 1_500);
      c.sim.at(t0 + 12_000, (sim) => sim.restart(victims[0]!, { keepDisk: true }));
      const sent: Array<{ id: number; node: string; atMs: number }> = [];
      for (let i = 0; i < 300; i++) {
        const atMs = t0 + rng.intBelow(20_000);
        const node = rng.pick(coordinators);
        const type = rng.pick(types);
        const key = `key${rng.intBelow(20)}`;
        const level = rng.pick(levels);
        const op: ClientOp = {
          type,
          key,
          ...(type === 'create' || type === 'update' || type === 'put' ? { value: bytes(`v${i}`) } : {}),
          ...(level !== undefined ? { consistency: level } : {}),
        };
        sent.push({ id: c.op(atMs, node, op), node, atMs });
      }
      c.sim.runUntil(t0 + 20_000 + requestTimeoutMs + 1_000);
      c.sim.checkAllInvariants();

      const coordinated = new Map<number, number>();
      for (const e of c.kvEvents('kv-coordinated')) coordinated.set(e.event.requestId, (coordinated.get(e.event.requestId) ?? 0) + 1);
      let succeeded = 0;
      for (const s of sent) {
        const replies = c.replies.filter((r) => r.requestId === s.id);
        assert.equal(replies.length, 1, `seed=${seed}: request ${s.id} got ${replies.length} replies`);
        const r = replies[0]!;
        assert.equal(r.node, s.node, `seed=${seed}: request ${s.id} answered by its coordinator`);
        assert.ok(r.atMs - s.atMs <= requestTimeoutMs, `seed=${seed}: request ${s.id} answered after ${r.atMs - s.atMs} ms`);
        assert.equal(coordinated.get(s.id), 1, `seed=${seed}: request ${s.id} has one kv-coordinated event`);
        if (r.result.ok) succeeded++;
      }
      assert.equal(c.replies.length, sent.length, `seed=${seed}: no stray replies`);
      assert.ok(succeeded > sent.length / 4, `seed=${seed}: only ${succeeded} of ${sent.length} succeeded`);
      for (const n of coordinators) assert.equal(c.core(n).inflightRequests, 0, `seed=${seed}: ${n} finished every request`);
    });
  }
});
