/**
 * Merkle anti-entropy (Dynamo §4.7; Cassandra repair): leaves partition a range exactly; the diff
 * of two replicas' trees finds exactly the leaves holding differing keys; the incremental message
 * plan finds the same leaves; incremental updates equal a rebuild; digests decide what to move.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { diffTrees, MerkleTree } from '../../src/kv/merkle.js';
import { diffDigests, MerkleExchange } from '../../src/kv/merkle-exchange.js';
import { tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import { rangeContains, rangeOffset, rangePositionAt, rangeWidth } from '../../src/kv/ring-range.js';
import type { RingRange } from '../../src/kv/ring-range.js';
import { keyPosition } from '../../src/ring/ring.js';
import { ringPositionMax } from '../../src/wire/kv-limits.js';
import { fcParams } from './arbitraries.js';

const ver = (physicalMs: number, logical = 0, nodeId = 1) => ({ physicalMs, logical, nodeId });
const pos = fc.integer({ min: 0, max: ringPositionMax });
const rangeArb: fc.Arbitrary<RingRange> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ start: pos, end: pos }, { noNullPrototype: true }) },
  { weight: 1, arbitrary: pos.map((p) => ({ start: p, end: p })) },
  // Narrow ranges: fewer positions than leaves, so some leaves are empty.
  { weight: 1, arbitrary: fc.tuple(pos, fc.integer({ min: 1, max: 3000 })).map(([s, w]) => ({ start: s, end: rangePositionAt({ start: s, end: s }, w - 1) })) },
);

/** The one-position range holding `key` (positions are exact only below 2^53, so no modular sums). */
function justKey(key: string): RingRange {
  const p = keyPosition(key);
  return { start: p === 0 ? ringPositionMax : p - 1, end: p };
}

/** Two replicas of the same keys, differing on a random subset: changed version, deleted, or missing on one side. */
const replicasArb = fc
  .tuple(fc.integer({ min: 0, max: 400 }), fc.array(fc.tuple(fc.nat(399), fc.constantFrom('newer', 'tombstone', 'missing-a', 'missing-b', 'same-version-delete')), { maxLength: 30 }), fc.integer({ min: 4, max: 10 }))
  .map(([n, edits, depth]) => ({ n, edits, depth }));

describe('Merkle trees (Dynamo §4.7)', () => {
  it('leaves partition the range: every non-empty leaf range is contiguous, and leafOf agrees with leafRange', () => {
    fc.assert(
      fc.property(rangeArb, fc.integer({ min: 0, max: 12 }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 20 }), (range, depth, fracs) => {
        const tree = new MerkleTree(range, depth);
        let covered = 0;
        let prevEnd = range.start;
        for (let leaf = 0; leaf < tree.leaves; leaf++) {
          if (tree.leafIsEmpty(leaf)) continue;
          const r = tree.leafRange(leaf);
          assert.equal(r.start, prevEnd, 'leaf ranges are contiguous');
          prevEnd = r.end;
          covered += rangeWidth(r);
        }
        assert.equal(prevEnd, range.end);
        assert.equal(covered, rangeWidth(range));
        for (const f of fracs) {
          const offset = Math.floor(f * rangeWidth(range));
          const p = rangePositionAt(range, offset);
          const leaf = tree.leafOf(p);
          assert.ok(rangeContains(tree.leafRange(leaf), p));
          assert.ok(rangeOffset(range, p) >= 0);
        }
      }),
      fcParams(300),
    );
  });

  it('the tree is independent of insertion order and matches a tree built from storage', () => {
    const range = { start: 2 ** 52, end: 2 ** 50 };
    const store = new MemoryStorage();
    const items = [];
    for (let i = 0; i < 3000; i++) {
      const key = `k${i}`;
      const record = i % 7 === 0 ? tombstoneRecord(ver(i)) : valueRecord(Uint8Array.of(i & 0xff), ver(i));
      store.apply(key, record);
      if (rangeContains(range, keyPosition(key))) items.push({ key, position: keyPosition(key), record });
    }
    const a = MerkleTree.build(range, items);
    const b = MerkleTree.build(range, [...items].reverse());
    const c = MerkleTree.fromStorage(store, range);
    assert.deepEqual(a.root(), b.root());
    assert.deepEqual(a.root(), c.root());
    assert.equal(c.keyCount, items.length);
    assert.deepEqual(diffTrees(a, c), []);
  });

  it('diff finds exactly the leaves holding keys that differ between two replicas, and the message plan finds the same', () => {
    fc.assert(
      fc.property(rangeArb, replicasArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 16 }), (range, { n, edits, depth }, levelsPerRound, nodesPerMsgMax) => {
        const a = new MemoryStorage();
        const b = new MemoryStorage();
        const keys: string[] = [];
        for (let i = 0; i < n; i++) {
          // Keys spread over the range so narrow ranges hold some too.
          const key = `key-${i}`;
          keys.push(key);
          const r = valueRecord(Uint8Array.of(1), ver(100 + i));
          a.apply(key, r);
          b.apply(key, r);
        }
        const differing = new Set<string>();
        for (const [i, kind] of edits) {
          const key = `key-${i % Math.max(n, 1)}`;
          if (n === 0) break;
          const cur = a.get(key) ?? b.get(key);
          if (cur === undefined) continue;
          if (kind === 'newer') b.apply(key, valueRecord(Uint8Array.of(2), ver(cur.version.physicalMs + 1000)));
          else if (kind === 'tombstone') b.apply(key, tombstoneRecord(ver(cur.version.physicalMs + 1000)));
          else if (kind === 'same-version-delete') b.apply(key, tombstoneRecord(cur.version));
          else if (kind === 'missing-a') a.removeRange(justKey(key), 10);
          else b.removeRange(justKey(key), 10);
          differing.add(key);
        }
        // A key that differs and then got removed on both sides no longer differs; recompute the truth.
        const truth = new Set<number>();
        const ta = MerkleTree.fromStorage(a, range, depth);
        const tb = MerkleTree.fromStorage(b, range, depth);
        for (const key of keys) {
          const ra = a.get(key);
          const rb = b.get(key);
          const same = ra !== undefined && rb !== undefined ? ra.version.physicalMs === rb.version.physicalMs && (ra.value === null) === (rb.value === null) : ra === rb;
          if (!same && rangeContains(range, keyPosition(key))) truth.add(ta.leafOf(keyPosition(key)));
        }
        const expected = [...truth].sort((x, y) => x - y);
        assert.deepEqual(diffTrees(ta, tb).map((l) => l.leaf), expected);
        assert.deepEqual(diffTrees(tb, ta).map((l) => l.leaf), expected);

        // The same answer through the message plan, with the peer answering by hashesAt.
        const ex = new MerkleExchange(ta, { levelsPerRound, nodesPerMsgMax });
        let rounds = 0;
        while (!ex.done) {
          const q = ex.nextQuery();
          assert.ok(q !== undefined);
          assert.ok(q.nodes.length <= nodesPerMsgMax);
          assert.ok(ex.onReply(q, tb.hashesAt(q.level, q.nodes)));
          assert.ok(rounds++ < 100_000);
        }
        const found = ex.differingLeaves();
        assert.deepEqual(found.map((l) => l.leaf), expected);
        // Every differing key lies in one of the returned sub-ranges.
        for (const key of differing) {
          const p = keyPosition(key);
          if (!rangeContains(range, p) || !truth.has(ta.leafOf(p))) continue;
          assert.ok(found.some((l) => rangeContains(l.range, p)));
        }
      }),
      fcParams(300),
    );
  });

  it('incremental update equals a rebuild', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.nat(3), fc.boolean()), { maxLength: 80 }), (ops) => {
        const range = { start: 12345, end: 12345 };
        const store = new MemoryStorage();
        const tree = new MerkleTree(range, 6);
        let t = 1;
        for (const [k, v, del] of ops) {
          const key = `k${k}`;
          const before = store.get(key);
          const rec = del ? tombstoneRecord(ver(t++)) : valueRecord(Uint8Array.of(v), ver(t++));
          store.apply(key, rec);
          tree.update(key, keyPosition(key), before, store.get(key));
        }
        assert.deepEqual(tree.root(), MerkleTree.fromStorage(store, range, 6).root());
      }),
      fcParams(300),
    );
  });

  it('an exchange over equal trees costs one root query; a malformed reply is refused', () => {
    const range = { start: 0, end: 0 };
    const tree = new MerkleTree(range);
    const ex = new MerkleExchange(tree);
    const q = ex.nextQuery()!;
    assert.deepEqual(q, { level: 0, nodes: [0] });
    assert.equal(ex.onReply(q, [1]), false);
    assert.ok(ex.onReply(q, tree.hashesAt(0, [0])));
    assert.ok(ex.done);
    assert.deepEqual(ex.differingLeaves(), []);
  });

  it('diffDigests pulls what the peer has newer and pushes what is newer here (tombstone wins version ties)', () => {
    const d = (key: string, physicalMs: number, tombstone = false) => ({ key, version: ver(physicalMs), tombstone });
    const res = diffDigests(
      [d('same', 1), d('mine-newer', 5), d('theirs-newer', 1), d('only-mine', 1), d('tie-my-delete', 3, true), d('tie-their-delete', 3)],
      [d('same', 1), d('mine-newer', 4), d('theirs-newer', 2), d('only-theirs', 1), d('tie-my-delete', 3), d('tie-their-delete', 3, true)],
    );
    assert.deepEqual(res.pull.sort(), ['only-theirs', 'theirs-newer', 'tie-their-delete']);
    assert.deepEqual(res.push.sort(), ['mine-newer', 'only-mine', 'tie-my-delete']);
  });
});
