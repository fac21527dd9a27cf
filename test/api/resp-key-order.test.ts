/**
 * KeyOrder: per-key ordering of one connection's pipelined operations (reads wait for earlier
 * writes of their key, writes for everything earlier on their key, other keys never wait), checked
 * against a model over random operation sequences and completion orders.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KeyOrder } from '../../src/api/resp/resp-key-order.js';

interface Op {
  readonly id: number;
  readonly key: string;
  readonly isWrite: boolean;
}

/** Lets every queued microtask run (settled promises propagate through a few hops). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('KeyOrder', () => {
  it('starts an operation with nothing pending on its key synchronously', () => {
    const order = new KeyOrder();
    let started = false;
    void order.run('k', true, () => {
      started = true;
      return Promise.resolve(1);
    });
    assert.equal(started, true);
  });

  it('a read waits for an earlier write; reads run together; a write waits for earlier reads', async () => {
    const order = new KeyOrder();
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const op = (name: string, isWrite: boolean) =>
      order.run('k', isWrite, () => {
        started.push(name);
        return new Promise<string>((resolve) => finish.set(name, () => resolve(name)));
      });
    const w1 = op('w1', true);
    const r1 = op('r1', false);
    const r2 = op('r2', false);
    const w2 = op('w2', true);
    const other = order.run('other', true, () => Promise.resolve('o'));
    assert.deepEqual(started, ['w1']);
    assert.equal(await other, 'o', 'another key does not wait');
    finish.get('w1')!();
    assert.equal(await w1, 'w1');
    await settle();
    assert.deepEqual(started, ['w1', 'r1', 'r2'], 'both reads start once the write finished');
    finish.get('r2')!();
    await settle();
    assert.deepEqual(started, ['w1', 'r1', 'r2'], 'the write waits for every earlier read');
    finish.get('r1')!();
    await settle();
    assert.deepEqual(started, ['w1', 'r1', 'r2', 'w2']);
    finish.get('w2')!();
    assert.deepEqual(await Promise.all([r1, r2, w2]), ['r1', 'r2', 'w2']);
    await settle();
    assert.equal(order.pendingKeys, 0, 'idle keys are forgotten');
  });

  it('matches the ordering model for random operations and completion orders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), isWrite: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        async (specs, picks) => {
          const order = new KeyOrder();
          const ops: Op[] = specs.map((s, id) => ({ id, ...s }));
          const running = new Map<number, () => void>();
          const done = new Set<number>();
          const startedAt = new Map<number, Set<number>>(); // op id → ops finished when it started
          const results = ops.map((o) =>
            order.run(o.key, o.isWrite, () => {
              startedAt.set(o.id, new Set(done));
              return new Promise<number>((resolve) =>
                running.set(o.id, () => {
                  running.delete(o.id);
                  done.add(o.id);
                  resolve(o.id);
                }),
              );
            }),
          );
          let step = 0;
          while (done.size < ops.length) {
            await settle();
            const ids = [...running.keys()];
            assert.ok(ids.length > 0, 'nothing runs while operations are still pending');
            running.get(ids[picks[step++ % picks.length]! % ids.length]!)!();
          }
          assert.deepEqual(await Promise.all(results), ops.map((o) => o.id));
          for (const o of ops) {
            const before = startedAt.get(o.id)!;
            for (const earlier of ops.slice(0, o.id)) {
              if (earlier.key !== o.key || (!o.isWrite && !earlier.isWrite)) continue;
              assert.ok(before.has(earlier.id), `op ${o.id} (${o.isWrite ? 'write' : 'read'} ${o.key}) started before op ${earlier.id} finished`);
            }
          }
          await settle();
          assert.equal(order.pendingKeys, 0);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
