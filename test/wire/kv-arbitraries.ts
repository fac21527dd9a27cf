/**
 * fast-check arbitraries for the KV wire messages (src/wire/kv-types.ts), within kv-limits.ts.
 */
import fc from 'fast-check';
import { hlcLogicalMax, hlcPhysicalMsMax, kvKeyBytesMax, kvMerkleDepthMax, ringPositionMax } from '../../src/wire/kv-limits.js';
import type { KvCursor, KvDigestEntry, KvMsg, KvMsgType, KvRange, KvRecordEntry, KvStatus, KvVersion } from '../../src/wire/kv-types.js';
import { boundedString, u32Arb } from './base-arbitraries.js';

/** A version, biased to the field boundaries. */
export const kvVersionArb: fc.Arbitrary<KvVersion> = fc.record(
  {
    physicalMs: fc.oneof(fc.integer({ min: 0, max: hlcPhysicalMsMax }), fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, hlcPhysicalMsMax), fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 })),
    logical: fc.oneof(fc.integer({ min: 0, max: hlcLogicalMax }), fc.constantFrom(0, hlcLogicalMax)),
    nodeId: u32Arb,
  },
  { noNullPrototype: true },
);

/** A ring position, biased to the ends of the ring. */
export const positionArb: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 0, max: ringPositionMax }), fc.constantFrom(0, 1, 2 ** 32, ringPositionMax));

/** A ring range (wrapping, whole-ring and plain). */
export const kvRangeArb: fc.Arbitrary<KvRange> = fc.record({ start: positionArb, end: positionArb }, { noNullPrototype: true });

/** A key within kvKeyBytesMax. */
export const kvKeyArb: fc.Arbitrary<string> = boundedString(kvKeyBytesMax);

const valueArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 200, maxLength: 2000 }) },
);
const maybeValueArb: fc.Arbitrary<Uint8Array | null> = fc.option(valueArb, { nil: null });

const statusArb: fc.Arbitrary<KvStatus> = fc.constantFrom(
  'ok', 'not-found', 'exists', 'stale', 'key-too-large', 'value-too-large', 'key-invalid', 'clock-drift', 'storage-full', 'not-owner', 'overloaded', 'bad-request',
);

const recordEntryArb: fc.Arbitrary<KvRecordEntry> = fc.record({ key: kvKeyArb, value: maybeValueArb, version: kvVersionArb }, { noNullPrototype: true });
const digestEntryArb: fc.Arbitrary<KvDigestEntry> = fc.record({ key: kvKeyArb, version: kvVersionArb, tombstone: fc.boolean() }, { noNullPrototype: true });
const cursorArb: fc.Arbitrary<KvCursor | null> = fc.option(fc.record({ position: positionArb, key: kvKeyArb }, { noNullPrototype: true }), { nil: null });

const merkleReqArb = fc
  .tuple(u32Arb, kvRangeArb, fc.integer({ min: 0, max: kvMerkleDepthMax }), fc.nat(), fc.array(fc.nat(), { maxLength: 40 }))
  .map(([reqId, range, depth, levelSeed, nodeSeeds]) => {
    const level = levelSeed % (depth + 1);
    const nodes = nodeSeeds.map((n) => n % 2 ** level);
    return { type: 'kv-merkle-req' as const, reqId, range, depth, level, nodes };
  });

/** Per-type arbitraries; `maxEntries` bounds the list-carrying messages. */
export function kvMsgArbs(maxEntries: number): { readonly [K in KvMsgType]: fc.Arbitrary<Extract<KvMsg, { type: K }>> } {
  const opts = { noNullPrototype: true } as const;
  return {
    'kv-req': fc.record({
      type: fc.constant('kv-req' as const),
      reqId: u32Arb,
      op: fc.constantFrom('create', 'read', 'update', 'delete', 'put', 'repair-write'),
      key: kvKeyArb,
      value: maybeValueArb,
      version: fc.option(kvVersionArb, { nil: null }),
    }, opts),
    'kv-rep': fc.record({ type: fc.constant('kv-rep' as const), reqId: u32Arb, status: statusArb, value: maybeValueArb, version: fc.option(kvVersionArb, { nil: null }) }, opts),
    'kv-range-batch': fc.record({
      type: fc.constant('kv-range-batch' as const),
      streamId: u32Arb,
      seq: u32Arb,
      kind: fc.constantFrom('transfer', 'hint', 'repair'),
      range: kvRangeArb,
      entries: fc.array(recordEntryArb, { maxLength: maxEntries }),
      last: fc.boolean(),
    }, opts),
    'kv-range-ack': fc.record({ type: fc.constant('kv-range-ack' as const), streamId: u32Arb, seq: u32Arb, status: statusArb, applied: u32Arb }, opts),
    'kv-merkle-req': merkleReqArb,
    'kv-merkle-rep': fc.record({
      type: fc.constant('kv-merkle-rep' as const),
      reqId: u32Arb,
      status: statusArb,
      level: fc.integer({ min: 0, max: kvMerkleDepthMax }),
      hashes: fc.array(fc.tuple(u32Arb, u32Arb), { maxLength: 40 }).map((pairs) => pairs.flat()),
    }, opts),
    'kv-keys-req': fc.record({ type: fc.constant('kv-keys-req' as const), reqId: u32Arb, range: kvRangeArb, after: cursorArb, limit: fc.integer({ min: 1, max: 4096 }) }, opts),
    'kv-keys-rep': fc.record({ type: fc.constant('kv-keys-rep' as const), reqId: u32Arb, status: statusArb, entries: fc.array(digestEntryArb, { maxLength: maxEntries }), more: fc.boolean() }, opts),
    'kv-fetch-req': fc.record({ type: fc.constant('kv-fetch-req' as const), reqId: u32Arb, keys: fc.array(kvKeyArb, { maxLength: maxEntries }) }, opts),
    'kv-fetch-rep': fc.record({ type: fc.constant('kv-fetch-rep' as const), reqId: u32Arb, status: statusArb, entries: fc.array(recordEntryArb, { maxLength: maxEntries }) }, opts),
  };
}

/** Any KV message. */
export function kvMsgArb(maxEntries: number): fc.Arbitrary<KvMsg> {
  return fc.oneof(...(Object.values(kvMsgArbs(maxEntries)) as fc.Arbitrary<KvMsg>[]));
}
