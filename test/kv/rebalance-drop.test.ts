/**
 * removeKeys (rebalance-drop.ts): removes exactly the given keys through Storage.removeRange, in
 * runs, and never a key that must stay, even when two keys share a ring position (a 53-bit hash
 * collision, simulated here with a store whose positions are given explicitly).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { removeKeys } from '../../src/kv/rebalance-drop.js';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { valueRecord } from '../../src/kv/record.js';
import { compareInRange, rangeContains } from '../../src/kv/ring-range.js';
import type { RingRange } from '../../src/kv/ring-range.js';
import type { RangeEntry, Storage } from '../../src/kv/storage.js';
import { keyPosition } from '../../src/ring/ring.js';
import { ringPositionMax } from '../../src/wire/kv-limits.js';
import type { KvCursor } from '../../src/wire/kv-types.js';

const rec = valueRecord(new Uint8Array([1]), { physicalMs: 1, logical: 0, nodeId: 1 });

/** Just enough of a Storage over explicit (key, position) pairs; counts removeRange calls. */
class PositionedStore {
  entries: Array<{ key: string; position: number }>;
  removeCalls = 0;
  constructor(entries: Array<[string, number]>) {
    this.entries = entries.map(([key, position]) => ({ key, position }));
  }
  scanRange(range: RingRange, after: KvCursor | null, limit: number): RangeEntry[] {
    const inRange = this.entries
      .filter((e) => rangeContains(range, e.position))
      .sort((a, b) => compareInRange(range, a.position, a.key, b.position, b.key))
      .filter((e) => after === null || compareInRange(range, e.position, e.key, after.position, after.key) > 0);
    return inRange.slice(0, limit).map((e) => ({ ...e, record: rec }));
  }
  removeRange(range: RingRange, maxCount: number): number {
    this.removeCalls++;
    const victims = new Set(this.scanRange(range, null, maxCount).map((e) => e.key));
    this.entries = this.entries.filter((e) => !victims.has(e.key));
    return victims.size;
  }
}

describe('removeKeys', () => {
  it('removes runs of consecutive keys with one call each', () => {
    const s = new PositionedStore([['a', 10], ['b', 20], ['c', 30], ['d', 40], ['e', 50]]);
    const out = removeKeys(s as unknown as Storage, [{ key: 'b', position: 20 }, { key: 'c', position: 30 }, { key: 'e', position: 50 }], 100);
    assert.deepEqual([...out.removed].sort(), ['b', 'c', 'e']);
    assert.deepEqual(out.skipped, []);
    assert.deepEqual(s.entries.map((e) => e.key), ['a', 'd']);
    assert.equal(s.removeCalls, 2);
  });

  it('never removes a key sharing a position with the one to remove; skips it instead', () => {
    const s = new PositionedStore([['a', 5], ['b', 5], ['c', 7]]);
    const out = removeKeys(s as unknown as Storage, [{ key: 'b', position: 5 }, { key: 'c', position: 7 }], 100);
    assert.deepEqual(out.skipped, ['b']);
    assert.deepEqual(out.removed, ['c']);
    assert.deepEqual(s.entries.map((e) => e.key), ['a', 'b']);
  });

  it('handles position 0 and the top of the ring, and bounds the keys per call', () => {
    const s = new PositionedStore([['z', 0], ['y', 1], ['top', ringPositionMax]]);
    const out = removeKeys(s as unknown as Storage, [{ key: 'z', position: 0 }, { key: 'y', position: 1 }, { key: 'top', position: ringPositionMax }], 1);
    assert.equal(out.removed.length, 3);
    assert.equal(s.entries.length, 0);
    assert.equal(s.removeCalls, 3);
  });

  it('works against MemoryStorage', () => {
    const m = new MemoryStorage();
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    for (const k of keys) m.apply(k, rec);
    const victims = keys.filter((_, i) => i % 3 !== 0).map((key) => ({ key, position: keyPosition(key) }));
    const out = removeKeys(m, victims, 16);
    assert.equal(out.removed.length, victims.length);
    assert.equal(m.size, 200 - victims.length);
    for (const k of keys) assert.equal(m.get(k) !== undefined, Number(k.slice(1)) % 3 === 0, k);
  });
});
