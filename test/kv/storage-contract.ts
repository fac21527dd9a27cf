/**
 * The Storage contract (src/kv/storage.ts), engine-independent: LWW apply never loses a newer
 * version (Dynamo §4.4 reconciliation at the replica), range scans match a naive filter for plain,
 * wrapping and whole-ring ranges with paging (Dynamo §4.3 key ranges, used by handoff §4.9 and
 * Merkle trees §4.7), bounded tombstone purging (Cassandra gc_grace), and the typed limits.
 * test/kv/storage.test.ts runs it on the memory engine, test/runtime/lmdb-storage.test.ts on LMDB.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { keyBytesMax, recordOverheadBytes, tombstoneRecord, valueBytesMax, valueRecord } from '../../src/kv/record.js';
import type { StoredRecord } from '../../src/kv/record.js';
import { compareInRange, rangeContains, rangePositionAt } from '../../src/kv/ring-range.js';
import type { RingRange } from '../../src/kv/ring-range.js';
import type { RangeEntry, Storage } from '../../src/kv/storage.js';
import { compareLww, lwwMerge } from '../../src/kv/version.js';
import { keyPosition } from '../../src/ring/ring.js';
import { ringPositionMax } from '../../src/wire/kv-limits.js';
import { fcParams, keyArb, recordArb } from './arbitraries.js';

/** A fresh, empty store, with byte budget `bytesMax` when given. */
export type MakeStore = (bytesMax?: number) => Storage;

/** How an engine runs the contract. */
export interface StorageContractOptions {
  /** Property runs for a case the memory engine runs `n` times (slow engines scale down). */
  readonly runs?: (n: number) => number;
  /** Runs `fn` as one bulk batch on `store` (e.g. one transaction); default: just calls it. */
  readonly bulk?: (store: Storage, fn: () => void) => void;
  /** Keys of the large-store case (default 100k). */
  readonly largeKeys?: number;
}

export const ver = (physicalMs: number, logical = 0, nodeId = 1) => ({ physicalMs, logical, nodeId });

/** Every key of `range` in range order, the slow obvious way. */
export function naive(keys: Iterable<string>, range: RingRange): string[] {
  return [...keys]
    .filter((k) => rangeContains(range, keyPosition(k)))
    .sort((a, b) => compareInRange(range, keyPosition(a), a, keyPosition(b), b));
}

/** Scans a whole range in batches of `limit`, following the cursor. */
export function scanAll(store: Storage, range: RingRange, limit: number): RangeEntry[] {
  const out: RangeEntry[] = [];
  let batch = store.scanRange(range, null, limit);
  for (;;) {
    out.push(...batch);
    if (batch.length < limit) return out;
    const last = batch[batch.length - 1]!;
    batch = store.scanRange(range, { position: last.position, key: last.key }, limit);
  }
}

/** Ranges whose bounds are random, or exactly a key's position (to test the inclusive end), or equal (whole ring). */
export function rangeArbFor(keys: string[]): fc.Arbitrary<RingRange> {
  const anyPos = fc.integer({ min: 0, max: ringPositionMax });
  const keyPos = keys.length > 0 ? fc.constantFrom(...keys.map(keyPosition)) : anyPos;
  const bound = fc.oneof(anyPos, keyPos, fc.constantFrom(0, ringPositionMax));
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ start: bound, end: bound }, { noNullPrototype: true }) },
    { weight: 1, arbitrary: bound.map((p) => ({ start: p, end: p })) },
  );
}

/** Registers the contract's cases for one engine under `describe(name)`. */
export function storageContract(name: string, makeStore: MakeStore, options: StorageContractOptions = {}): void {
  const runs = options.runs ?? ((n: number) => n);
  const bulk = options.bulk ?? ((_store: Storage, fn: () => void) => fn());
  const largeKeys = options.largeKeys ?? 100_000;

  describe(`${name} (Storage contract)`, () => {
    it('apply never loses a newer version: each key ends at the LWW maximum, and `won` says whether it changed (Dynamo §4.4)', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'é', '🙂', '\ue000'), recordArb), { maxLength: 60 }), (writes) => {
          const store = makeStore();
          const best = new Map<string, StoredRecord>();
          for (const [k, r] of writes) {
            const prev = best.get(k);
            const res = store.apply(k, r);
            assert.ok(res.ok);
            const shouldWin = prev === undefined || compareLww(r, prev) > 0;
            assert.equal(res.value.won, shouldWin);
            best.set(k, prev === undefined ? r : lwwMerge(prev, r));
            assert.equal(compareLww(res.value.current, best.get(k)!), 0);
            assert.equal(compareLww(store.get(k)!, best.get(k)!), 0);
          }
          const tombstones = [...best.values()].filter((r) => r.value === null).length;
          assert.equal(store.stats().keys, best.size);
          assert.equal(store.stats().tombstones, tombstones);
        }),
        fcParams(runs(1000)),
      );
    });

    it('range scans equal a naive filter, for plain, wrapping and whole-ring ranges, in batches of any size', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(keyArb, { maxLength: 80 }).chain((keys) => fc.tuple(fc.constant(keys), rangeArbFor(keys), fc.integer({ min: 1, max: 10 }))),
          ([keys, range, limit]) => {
            const store = makeStore();
            bulk(store, () => {
              for (const k of keys) assert.ok(store.apply(k, valueRecord(Uint8Array.of(1), ver(1))).ok);
            });
            const got = scanAll(store, range, limit);
            assert.deepEqual(got.map((e) => e.key), naive(keys, range));
            for (const e of got) assert.equal(e.position, keyPosition(e.key));
          },
        ),
        fcParams(runs(1000)),
      );
    });

    it('the index stays exact across interleaved inserts, removals, re-inserts and scans', () => {
      const op = fc.oneof(
        fc.record({ kind: fc.constant('put' as const), key: keyArb }),
        fc.record({ kind: fc.constant('removeRange' as const), start: fc.integer({ min: 0, max: ringPositionMax }), end: fc.integer({ min: 0, max: ringPositionMax }), max: fc.integer({ min: 0, max: 5 }) }),
        fc.record({ kind: fc.constant('scan' as const), start: fc.integer({ min: 0, max: ringPositionMax }), end: fc.integer({ min: 0, max: ringPositionMax }) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
          const store = makeStore();
          const model = new Set<string>();
          let t = 1;
          for (const o of ops) {
            if (o.kind === 'put') {
              assert.ok(store.apply(o.key, valueRecord(Uint8Array.of(1), ver(t++))).ok);
              model.add(o.key);
            } else if (o.kind === 'removeRange') {
              const range = { start: o.start, end: o.end };
              const expected = naive(model, range).slice(0, o.max);
              assert.equal(store.removeRange(range, o.max), expected.length);
              for (const k of expected) model.delete(k);
            } else {
              const range = { start: o.start, end: o.end };
              assert.deepEqual(scanAll(store, range, 3).map((e) => e.key), naive(model, range));
            }
          }
          assert.deepEqual(scanAll(store, { start: 0, end: 0 }, 7).map((e) => e.key).sort(), [...model].sort());
          assert.equal(store.stats().keys, model.size);
        }),
        fcParams(runs(500)),
      );
    });

    it('a cursor outside the range yields nothing; limit 0 yields nothing', () => {
      const store = makeStore();
      store.apply('k', valueRecord(Uint8Array.of(1), ver(1)));
      const p = keyPosition('k');
      const outside = { start: rangePositionAt({ start: p, end: p }, 9), end: rangePositionAt({ start: p, end: p }, 19) };
      assert.deepEqual(store.scanRange(outside, { position: p, key: 'k' }, 10), []);
      assert.deepEqual(store.scanRange({ start: 0, end: 0 }, null, 0), []);
    });

    it('purges only expired tombstones, at most maxCount per call, and never a tombstone overwritten by a newer value', () => {
      const store = makeStore();
      for (let i = 0; i < 10; i++) store.apply(`t${i}`, tombstoneRecord(ver(100 + i), 1000));
      store.apply('v', valueRecord(Uint8Array.of(1), ver(1)));
      // t0 is later overwritten by a value: its purge entry must go.
      store.apply('t0', valueRecord(Uint8Array.of(2), ver(500)));
      // t1 is overwritten by a newer tombstone with a later purge time.
      store.apply('t1', tombstoneRecord(ver(5000), 1000));
      assert.equal(store.stats().tombstones, 9);
      assert.equal(store.purgeTombstones(1099, 100), 0, 'nothing is due before purgeAfterMs');
      assert.equal(store.purgeTombstones(2000, 3), 3, 'bounded per call');
      assert.equal(store.purgeTombstones(2000, 100), 5);
      assert.equal(store.purgeTombstones(2000, 100), 0);
      assert.ok(store.get('t0')?.value !== null, 'the value that replaced a tombstone survives');
      assert.ok(store.get('t1') !== undefined, 'the newer tombstone is not due yet');
      assert.ok(store.get('v') !== undefined);
      assert.equal(store.purgeTombstones(6000, 100), 1);
      assert.deepEqual(store.stats(), { keys: 2, tombstones: 0, bytes: 1 + 1 + recordOverheadBytes + 2 + 1 + recordOverheadBytes });
    });

    it('rejects bad input with typed errors and enforces the byte budget (KV_ERR_*)', () => {
      const store = makeStore(200);
      const r = (n: number) => valueRecord(new Uint8Array(n), ver(1));
      const codeOf = (res: ReturnType<Storage['apply']>) => (res.ok ? 'ok' : res.error.code);
      assert.equal(codeOf(store.apply('x'.repeat(keyBytesMax + 1), r(1))), 'KV_ERR_KEY_TOO_LARGE');
      assert.equal(codeOf(store.apply('é'.repeat(keyBytesMax / 2 + 1), r(1))), 'KV_ERR_KEY_TOO_LARGE');
      assert.equal(codeOf(store.apply('bad\ud800', r(1))), 'KV_ERR_KEY_INVALID');
      assert.equal(codeOf(makeStore().apply('k', r(valueBytesMax + 1))), 'KV_ERR_VALUE_TOO_LARGE');
      assert.equal(codeOf(makeStore().apply('x'.repeat(keyBytesMax), r(valueBytesMax))), 'ok');
      // The longest keys in every width class are storable and scannable.
      const wide = makeStore();
      for (const k of ['x'.repeat(keyBytesMax), 'é'.repeat(keyBytesMax / 2), '\ue000'.repeat(Math.floor(keyBytesMax / 3)), '🙂'.repeat(keyBytesMax / 4)]) {
        assert.equal(codeOf(wide.apply(k, r(1))), 'ok');
        assert.equal(wide.get(k)?.value?.length, 1);
      }
      assert.equal(scanAll(wide, { start: 0, end: 0 }, 2).length, 4);
      assert.equal(store.get('x'.repeat(keyBytesMax + 1)), undefined);
      assert.equal(store.get('bad\ud800'), undefined);
      assert.equal(codeOf(store.apply('a', r(100))), 'ok');
      assert.equal(codeOf(store.apply('b', r(100))), 'KV_ERR_STORAGE_FULL');
      // Shrinking writes are always allowed, so a full store can still take deletes.
      assert.equal(codeOf(store.apply('a', tombstoneRecord(ver(2)))), 'ok');
      assert.equal(codeOf(store.apply('b', r(100))), 'ok');
      assert.equal(store.stats().keys, 2);
    });

    it(`handles ${largeKeys} keys: bulk load, full scan in batches, range scans and removal`, () => {
      const store = makeStore();
      const n = largeKeys;
      const value = new Uint8Array(8);
      bulk(store, () => {
        for (let i = 0; i < n; i++) store.apply(`user:${i}`, valueRecord(value, ver(i + 1)));
      });
      assert.equal(scanAll(store, { start: 0, end: 0 }, 4096).length, n);
      // A quarter of the ring, wrapping.
      const range = { start: 3 * 2 ** 51, end: 2 ** 50 };
      const inRange = scanAll(store, range, 1000);
      assert.ok(inRange.length > n / 8 && inRange.length < n / 2);
      // Interleave writes with scans: each scan sees the few new keys.
      for (let i = 0; i < 100; i++) {
        store.apply(`extra:${i}`, valueRecord(value, ver(1)));
        store.scanRange(range, null, 10);
      }
      let removed = 0;
      for (let got = -1; got !== 0; ) {
        got = store.removeRange(range, 5000);
        removed += got;
      }
      assert.equal(scanAll(store, range, 1000).length, 0);
      assert.equal(store.stats().keys, n + 100 - removed);
    });
  });
}
