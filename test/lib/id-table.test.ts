/**
 * IdTable (src/lib/id-table.ts) behaves like a Map from ids to values under any sequence of sets
 * and deletes: sequential ids (how requests are numbered), clustered and sparse ones, ids beyond
 * 32 bits, growth past a spike and shrinking back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IdTable } from '../../src/lib/id-table.js';
import { fcParams } from '../kv/arbitraries.js';

type Op = { kind: 'set'; id: number; value: number } | { kind: 'delete'; id: number };

function check(table: IdTable<number>, model: Map<number, number>, probes: readonly number[]): void {
  assert.equal(table.size, model.size);
  for (const id of probes) {
    assert.equal(table.get(id), model.get(id), `get(${id})`);
    assert.equal(table.has(id), model.has(id), `has(${id})`);
  }
  assert.deepEqual(
    table.valuesSnapshot().sort((a, b) => a - b),
    [...model.values()].sort((a, b) => a - b),
  );
}

describe('IdTable', () => {
  const idArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 32 + 5 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1));
  const opArb: fc.Arbitrary<Op> = fc.oneof(fc.record({ kind: fc.constant('set' as const), id: idArb, value: fc.integer() }), fc.record({ kind: fc.constant('delete' as const), id: idArb }));

  it('agrees with a Map over random sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const table = new IdTable<number>();
        const model = new Map<number, number>();
        for (const op of ops) {
          if (op.kind === 'set') {
            table.set(op.id, op.value);
            model.set(op.id, op.value);
          } else {
            assert.equal(table.delete(op.id), model.delete(op.id));
          }
        }
        check(table, model, [...new Set(ops.map((o) => o.id))]);
      }),
      { seed: 3, ...fcParams(300) },
    );
  });

  it('a sliding window of sequential ids (requests in flight), with a spike that grows the table and shrinks back', () => {
    const table = new IdTable<number>();
    const model = new Map<number, number>();
    let next = 2 ** 32 - 3_000; // crosses 2^32 on the way
    let oldest = next;
    const window = (inFlight: number, steps: number): void => {
      for (let s = 0; s < steps; s++) {
        table.set(next, next * 2);
        model.set(next, next * 2);
        next++;
        while (next - oldest > inFlight) {
          // Finish out of order now and then, as replies do.
          const id = oldest % 7 === 0 && model.has(oldest + 1) ? oldest + 1 : oldest;
          assert.equal(table.delete(id), true);
          model.delete(id);
          while (!model.has(oldest) && oldest < next) oldest++;
        }
      }
    };
    window(50, 2_000);
    check(table, model, [oldest - 1, oldest, next - 1, next]);
    window(5_000, 6_000);
    check(table, model, [oldest - 1, oldest, next - 1, next]);
    window(10, 6_000);
    check(table, model, [oldest - 1, oldest, next - 1, next]);
    for (const id of [...model.keys()]) {
      assert.equal(table.delete(id), true);
      model.delete(id);
    }
    check(table, model, [0, next]);
    table.set(1, 1);
    assert.equal(table.get(1), 1);
    table.clear();
    assert.equal(table.size, 0);
    assert.equal(table.get(1), undefined);
  });

  it('refuses ids that are not non-negative safe integers (an invariant, not input)', () => {
    const table = new IdTable<number>();
    for (const id of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => table.set(id, 0));
    // Looking up such an id finds nothing (-1 is the empty slots' marker) and changes nothing.
    table.set(5, 5);
    for (const id of [-1, -2, Number.NaN]) {
      assert.equal(table.has(id), false);
      assert.equal(table.get(id), undefined);
      assert.equal(table.delete(id), false);
    }
    assert.equal(table.size, 1);
  });
});
