/**
 * Shared fast-check arbitraries and helpers for the KV tests.
 */
import fc from 'fast-check';
import type { StoredRecord } from '../../src/kv/record.js';
import { tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import type { Version } from '../../src/kv/version.js';

/** Small versions, so that equal versions (the LWW tie rules) are common. */
export const smallVersionArb: fc.Arbitrary<Version> = fc.record(
  { physicalMs: fc.integer({ min: 0, max: 5 }), logical: fc.integer({ min: 0, max: 2 }), nodeId: fc.integer({ min: 0, max: 2 }) },
  { noNullPrototype: true },
);

/** Short values, often equal. */
export const smallValueArb: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 3, max: 3 });

/** A value record or a tombstone with a small version. */
export const recordArb: fc.Arbitrary<StoredRecord> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(smallValueArb, smallVersionArb).map(([v, ver]) => valueRecord(v, ver)) },
  { weight: 1, arbitrary: smallVersionArb.map((ver) => tombstoneRecord(ver, 100)) },
);

/** Keys: short ASCII (frequent collisions between writes) and some Unicode. */
export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
);

/** fast-check parameters honouring FC_SEED / FC_PATH for replaying a failure. */
export function fcParams<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env['FC_SEED'];
  const path = process.env['FC_PATH'];
  return { numRuns, ...(seed !== undefined ? { seed: Number(seed) } : {}), ...(path !== undefined ? { path } : {}) };
}
