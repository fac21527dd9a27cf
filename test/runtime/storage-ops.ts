/**
 * Random Storage operations for the differential properties of the LMDB engine against the memory
 * engine (lmdb-storage.test.ts, lmdb-storage-background.test.ts): the operation arbitrary, one
 * interpreter that runs an operation on any engine, and plain-data views comparable with deepEqual.
 */
import fc from 'fast-check';
import type { StoredRecord } from '../../src/kv/record.js';
import type { RangeEntry, Storage } from '../../src/kv/storage.js';
import { keyPosition } from '../../src/ring/ring.js';
import { ringPositionMax } from '../../src/wire/kv-limits.js';
import { recordArb } from '../kv/arbitraries.js';

const keyPool = ['a', 'b', 'c', 'é', '🙂', '\ue000', 'user:1', 'user:2', ''];
const key = fc.constantFrom(...keyPool);
const bound = fc.oneof(fc.integer({ min: 0, max: ringPositionMax }), fc.constantFrom(...keyPool.map(keyPosition)));

/** One operation: apply, get, purge, scan (with an optional cursor) or removeRange. */
export const storageOpArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('apply' as const), key, record: recordArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const), now: fc.integer({ min: 95, max: 110 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('scan' as const), start: bound, end: bound, limit: fc.integer({ min: 0, max: 5 }), cursor: fc.option(key) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeRange' as const), start: bound, end: bound, max: fc.integer({ min: 0, max: 4 }) }) },
);

export type StorageOp = typeof storageOpArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs `o` on `s` and returns a plain-data result. */
export function runStorageOp(s: Storage, o: StorageOp): unknown {
  switch (o.kind) {
    case 'apply': {
      const r = s.apply(o.key, o.record);
      return r.ok ? { won: r.value.won, current: plainRecord(r.value.current) } : r.error.code;
    }
    case 'get':
      return plainRecord(s.get(o.key));
    case 'purge':
      // A large maxCount: engines may break purge-time ties differently (the contract does not fix it).
      return s.purgeTombstones(o.now, 1000);
    case 'scan': {
      const cursor = o.cursor === null ? null : { position: keyPosition(o.cursor), key: o.cursor };
      return plainEntries(s.scanRange({ start: o.start, end: o.end }, cursor, o.limit));
    }
    case 'removeRange':
      return s.removeRange({ start: o.start, end: o.end }, o.max);
  }
}

/** Plain-data view of a record, comparable with deepEqual across engines. */
export function plainRecord(r: StoredRecord | undefined): unknown {
  return r === undefined ? undefined : { value: r.value === null ? null : [...r.value], version: { ...r.version }, purgeAfterMs: r.purgeAfterMs };
}

export function plainEntries(entries: RangeEntry[]): unknown[] {
  return entries.map((e) => ({ key: e.key, position: e.position, record: plainRecord(e.record) }));
}
