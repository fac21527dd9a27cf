/**
 * Storage contract (src/kv/storage.ts, cases in storage-contract.ts) on the memory engine, plus
 * the ring-range arithmetic the scans rely on and the memory engine's own purge-heap bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { tombstoneRecord } from '../../src/kv/record.js';
import { rangeContains, rangeOffset, rangePositionAt, rangeWidth } from '../../src/kv/ring-range.js';
import { ringPositionMax } from '../../src/wire/kv-limits.js';
import { fcParams } from './arbitraries.js';
import { storageContract, ver } from './storage-contract.js';

describe('ring ranges', () => {
  it('offset and position are inverse, and contains matches the offset being below the width', () => {
    const pos = fc.integer({ min: 0, max: ringPositionMax });
    fc.assert(
      fc.property(pos, pos, pos, (start, end, p) => {
        const range = { start, end };
        const o = rangeOffset(range, p);
        assert.ok(o >= 0 && o < 2 ** 53);
        assert.equal(rangePositionAt(range, o), p);
        assert.equal(rangeContains(range, p), o < rangeWidth(range));
      }),
      fcParams(5000),
    );
  });
});

storageContract('MemoryStorage', (bytesMax) => (bytesMax === undefined ? new MemoryStorage() : new MemoryStorage({ bytesMax })));

describe('MemoryStorage', () => {
  it('the purge heap stays bounded under repeated tombstone overwrites', () => {
    const store = new MemoryStorage();
    for (let i = 0; i < 20_000; i++) store.apply('k', tombstoneRecord(ver(i), 10));
    assert.equal(store.purgeTombstones(10 ** 9, 10), 1);
    assert.equal(store.stats().keys, 0);
  });
});
