/**
 * KV message codecs (src/wire/kv-codecs.ts), exercised directly through their codec functions
 * because KvMsg is not yet part of the packet-level Msg union: round trips with exact sizes,
 * canonical re-encoding of anything accepted, total decoding of arbitrary bytes, and the encoder's
 * limit assertions (architecture §8: codec round trips and total decoding).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AssertionError } from '../../src/lib/assert.js';
import { kvCodecFor, kvMessageCodecs } from '../../src/wire/kv-codecs.js';
import type { KvMessageCodec } from '../../src/wire/kv-codecs.js';
import { kvBatchEntriesMax, kvKeyBytesMax, kvValueBytesMax } from '../../src/wire/kv-limits.js';
import { kvTypeIds } from '../../src/wire/kv-type-ids.js';
import type { KvMsg } from '../../src/wire/kv-types.js';
import { Reader } from '../../src/wire/reader.js';
import { typeIds } from '../../src/wire/type-ids.js';
import { wireErrorCodes } from '../../src/wire/wire-error.js';
import { Writer } from '../../src/wire/writer.js';
import { fcParams } from './helpers.js';
import { kvMsgArb, kvMsgArbs } from './kv-arbitraries.js';

function encode(msg: KvMsg): Uint8Array {
  const codec = kvCodecFor(msg);
  const size = codec.bodyBytes(msg);
  const w = new Writer(new Uint8Array(size));
  codec.write(w, msg);
  w.expectEnd();
  return w.buf;
}

type Decoded = { ok: true; msg: KvMsg } | { ok: false; code: string };

function decode(codec: KvMessageCodec<KvMsg>, bytes: Uint8Array): Decoded {
  const r = new Reader(bytes);
  const msg = codec.read(r);
  if (r.failed) return { ok: false, code: r.error!.code };
  // As decodePacket does: a body must be consumed exactly.
  if (r.pos !== bytes.length) return { ok: false, code: 'WIRE_ERR_MALFORMED' };
  return { ok: true, msg };
}

const codecs = Object.values(kvMessageCodecs) as KvMessageCodec<KvMsg>[];
const codeSet = new Set<string>(wireErrorCodes);

describe('KV wire codecs', () => {
  it('type ids are 32..41, unique, and disjoint from the membership ids', () => {
    const ids = Object.values(kvTypeIds);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(id >= 32 && id < 256);
    const kvTypes = new Set<string>(Object.keys(kvTypeIds));
    const membershipIds = new Set<number>(Object.entries(typeIds).filter(([type]) => !kvTypes.has(type)).map(([, id]) => id));
    for (const id of ids) assert.ok(!membershipIds.has(id), `id ${id} collides with a membership message`);
    for (const [type, codec] of Object.entries(kvMessageCodecs)) assert.equal(codec.typeId, kvTypeIds[type as keyof typeof kvTypeIds]);
  });

  for (const [type, arb] of Object.entries(kvMsgArbs(8)) as [string, fc.Arbitrary<KvMsg>][]) {
    it(`${type} round-trips with an exact size`, () => {
      fc.assert(
        fc.property(arb, (msg) => {
          const bytes = encode(msg);
          const res = decode(kvCodecFor(msg) as KvMessageCodec<KvMsg>, bytes);
          assert.ok(res.ok, res.ok ? '' : res.code);
          assert.deepEqual(res.msg, msg);
        }),
        fcParams(800),
      );
    });
  }

  it('every strict prefix of a body fails to decode as TRUNCATED or MALFORMED (never throws)', () => {
    fc.assert(
      fc.property(kvMsgArb(4), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (msg, frac) => {
        const bytes = encode(msg);
        fc.pre(bytes.length > 0);
        const cut = Math.floor(frac * bytes.length);
        const res = decode(kvCodecFor(msg) as KvMessageCodec<KvMsg>, bytes.subarray(0, cut));
        assert.ok(!res.ok, 'a truncated body must not decode');
      }),
      fcParams(2000),
    );
  });

  it('decoding is total: arbitrary bytes give a typed error or a message that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codecs), fc.uint8Array({ maxLength: 80 }), (codec, bytes) => {
        const res = decode(codec, bytes);
        if (!res.ok) {
          assert.ok(codeSet.has(res.code), res.code);
          return;
        }
        assert.deepEqual(encode(res.msg), bytes, 'accepted bytes must re-encode identically (canonical form)');
      }),
      fcParams(20000),
    );
  });

  it('mutated valid bodies either fail with a typed error or re-encode identically', () => {
    fc.assert(
      fc.property(kvMsgArb(4), fc.nat(), fc.integer({ min: 0, max: 7 }), (msg, at, bit) => {
        const bytes = encode(msg).slice();
        fc.pre(bytes.length > 0);
        bytes[at % bytes.length]! ^= 1 << bit;
        const res = decode(kvCodecFor(msg) as KvMessageCodec<KvMsg>, bytes);
        if (!res.ok) assert.ok(codeSet.has(res.code));
        else assert.deepEqual(encode(res.msg), bytes);
      }),
      fcParams(5000),
    );
  });

  it('rejects lengths and counts beyond the limits before allocating', () => {
    // kv-fetch-req claiming 2^31 keys in a 6-byte body.
    const huge = Uint8Array.of(0x01, 0x80, 0x80, 0x80, 0x80, 0x08);
    const res = decode(kvMessageCodecs['kv-fetch-req'] as KvMessageCodec<KvMsg>, huge);
    assert.deepEqual(res, { ok: false, code: 'WIRE_ERR_LIMIT_EXCEEDED' });
    // kv-rep with a value length of 1 MiB + 1.
    const big = new Writer(new Uint8Array(8));
    big.varint(1);
    big.u8(0);
    big.u8(1);
    big.varint(kvValueBytesMax + 1);
    const res2 = decode(kvMessageCodecs['kv-rep'] as KvMessageCodec<KvMsg>, big.buf.subarray(0, big.pos));
    assert.deepEqual(res2, { ok: false, code: 'WIRE_ERR_LIMIT_EXCEEDED' });
  });

  it('rejects a non-canonical presence byte and a position above 2^53', () => {
    const presence = decode(kvMessageCodecs['kv-rep'] as KvMessageCodec<KvMsg>, Uint8Array.of(0x01, 0x00, 0x04));
    assert.deepEqual(presence, { ok: false, code: 'WIRE_ERR_MALFORMED' });
    const body = new Uint8Array(1 + 16 + 1 + 1);
    body[0] = 0x01;
    body[1] = 0x00;
    body[2] = 0x20; // high word 0x00200000 = 2^21: position 2^53
    body[18] = 0x01; // limit 1 (cursor byte at 17 is 0)
    const pos = decode(kvMessageCodecs['kv-keys-req'] as KvMessageCodec<KvMsg>, body);
    assert.deepEqual(pos, { ok: false, code: 'WIRE_ERR_MALFORMED' });
  });

  it('the encoder asserts its limits (bad input is a caller bug)', () => {
    const version = { physicalMs: 1, logical: 0, nodeId: 1 };
    assert.throws(() => encode({ type: 'kv-req', reqId: 1, op: 'put', key: 'x'.repeat(kvKeyBytesMax + 1), value: null, version }), AssertionError);
    assert.throws(() => encode({ type: 'kv-req', reqId: 1, op: 'put', key: 'k', value: new Uint8Array(kvValueBytesMax + 1), version }), AssertionError);
    assert.throws(() => encode({ type: 'kv-req', reqId: 1, op: 'put', key: 'k', value: null, version: { ...version, logical: 70000 } }), AssertionError);
    assert.throws(() => encode({ type: 'kv-keys-req', reqId: 1, range: { start: 2 ** 53, end: 0 }, after: null, limit: 1 }), AssertionError);
    assert.throws(() => encode({ type: 'kv-keys-req', reqId: 1, range: { start: 0, end: 0 }, after: null, limit: kvBatchEntriesMax + 1 }), AssertionError);
    assert.throws(() => encode({ type: 'kv-merkle-req', reqId: 1, range: { start: 0, end: 0 }, depth: 4, level: 2, nodes: [4] }), AssertionError);
    assert.throws(() => encode({ type: 'kv-merkle-rep', reqId: 1, status: 'ok', level: 2, hashes: [1] }), AssertionError);
  });

  it('a range batch of kvBatchEntriesMax small records fits a stream frame', () => {
    const entries = Array.from({ length: kvBatchEntriesMax }, (_, i) => ({ key: `key-${i}`, value: new Uint8Array(100), version: { physicalMs: 1_700_000_000_000 + i, logical: 0, nodeId: 7 } }));
    const bytes = encode({ type: 'kv-range-batch', streamId: 1, seq: 0, kind: 'transfer', range: { start: 5, end: 5 }, entries, last: true });
    assert.ok(bytes.length < 8 * 1024 * 1024);
  });
});
