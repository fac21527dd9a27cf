/**
 * Last-writer-wins ordering (Dynamo §4.4 reconciliation, with Cassandra's LWW rule in place of
 * vector clocks): a total order whose merge is commutative, associative and idempotent, so
 * replicas that receive the same writes in any order, with duplicates, converge.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import type { StoredRecord } from '../../src/kv/record.js';
import { compareBytes, compareLww, lwwMerge, lwwWins } from '../../src/kv/version.js';
import { fcParams, keyArb, recordArb } from './arbitraries.js';

const v = (physicalMs: number, logical = 0, nodeId = 0) => ({ physicalMs, logical, nodeId });
const bytes = (...b: number[]) => Uint8Array.from(b);

describe('LWW order (Dynamo §4.4, Cassandra conflict resolution)', () => {
  it('the higher version wins', () => {
    assert.equal(compareLww(valueRecord(bytes(0), v(2)), valueRecord(bytes(9), v(1))), 1);
    assert.equal(compareLww(valueRecord(bytes(0), v(1, 1)), valueRecord(bytes(9), v(1, 0))), 1);
    assert.equal(compareLww(valueRecord(bytes(0), v(1, 0, 2)), valueRecord(bytes(9), v(1, 0, 1))), 1);
    assert.equal(compareLww(valueRecord(bytes(9), v(1)), tombstoneRecord(v(2))), -1, 'a newer delete beats an older value');
    assert.equal(compareLww(tombstoneRecord(v(1)), valueRecord(bytes(9), v(2))), -1, 'a newer value beats an older delete');
  });

  it('on equal versions a tombstone beats a value, then the byte-wise larger value wins', () => {
    assert.equal(compareLww(tombstoneRecord(v(1)), valueRecord(bytes(255), v(1))), 1);
    assert.equal(compareLww(valueRecord(bytes(1, 0), v(1)), valueRecord(bytes(1), v(1))), 1);
    assert.equal(compareLww(valueRecord(bytes(2), v(1)), valueRecord(bytes(1, 9), v(1))), 1);
    assert.equal(compareLww(valueRecord(bytes(1), v(1)), valueRecord(bytes(1), v(1))), 0);
    assert.equal(compareLww(tombstoneRecord(v(1), 5), tombstoneRecord(v(1), 9)), 0);
  });

  it('compareLww is a total order: antisymmetric, transitive, 0 only for the same write', () => {
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (a, b, c) => {
        assert.equal(compareLww(a, b), -compareLww(b, a) || 0);
        if (compareLww(a, b) >= 0 && compareLww(b, c) >= 0) assert.ok(compareLww(a, c) >= 0);
        if (compareLww(a, b) === 0) {
          assert.deepEqual(a.version, b.version);
          assert.equal(a.value === null, b.value === null);
          if (a.value !== null && b.value !== null) assert.equal(compareBytes(a.value, b.value), 0);
        }
      }),
      fcParams(3000),
    );
  });

  it('merge is commutative, associative and idempotent (a semilattice)', () => {
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (a, b, c) => {
        assert.equal(compareLww(lwwMerge(a, b), lwwMerge(b, a)), 0);
        assert.equal(compareLww(lwwMerge(lwwMerge(a, b), c), lwwMerge(a, lwwMerge(b, c))), 0);
        assert.equal(compareLww(lwwMerge(a, a), a), 0);
        assert.ok(lwwWins(a, undefined));
      }),
      fcParams(3000),
    );
  });

  it('replicas applying the same writes in any order, with duplicates, converge to the LWW maximum', () => {
    const writeArb = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), recordArb);
    fc.assert(
      fc.property(
        fc.array(writeArb, { minLength: 1, maxLength: 40 }),
        fc.array(fc.array(fc.nat(), { maxLength: 60 }), { minLength: 3, maxLength: 3 }),
        (writes, orders) => {
          const expected = new Map<string, StoredRecord>();
          for (const [k, r] of writes) {
            const cur = expected.get(k);
            expected.set(k, cur === undefined ? r : lwwMerge(cur, r));
          }
          const replicas = orders.map((order) => {
            // Each replica sees every write at least once, in its own order, plus random duplicates.
            const delivery = [...writes.keys(), ...order.map((i) => i % writes.length)];
            for (let i = delivery.length - 1; i > 0; i--) {
              const j = (order[i % Math.max(order.length, 1)] ?? i) % (i + 1);
              [delivery[i], delivery[j]] = [delivery[j]!, delivery[i]!];
            }
            const store = new MemoryStorage();
            for (const i of delivery) {
              const [k, r] = writes[i]!;
              assert.ok(store.apply(k, r).ok);
            }
            return store;
          });
          for (const [k, want] of expected) {
            for (const store of replicas) assert.equal(compareLww(store.get(k)!, want), 0, `replica disagrees on ${k}`);
          }
        },
      ),
      fcParams(500),
    );
  });

  it('keys are independent: the convergence property holds per key for random key sets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, recordArb), { maxLength: 30 }), (writes) => {
        const fwd = new MemoryStorage();
        const back = new MemoryStorage();
        for (const [k, r] of writes) fwd.apply(k, r);
        for (const [k, r] of [...writes].reverse()) back.apply(k, r);
        for (const [k] of writes) assert.equal(compareLww(fwd.get(k)!, back.get(k)!), 0);
        assert.deepEqual(fwd.stats(), back.stats());
      }),
      fcParams(500),
    );
  });
});
