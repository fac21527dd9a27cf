/**
 * One unit test per WireErrorCode, on hand-built bytes, plus the encoder's assertions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionError } from '../../src/lib/assert.js';
import type { DecodeOptions, WireErrorCode } from '../../src/wire/codec.js';
import { decodePacket, encodePacket, wireErrorCodes } from '../../src/wire/codec.js';
import { heartbeatEntriesMax, metaBytesMax, nodeNameBytesMax, streamFrameBytesMax, udpPacketBytesMax } from '../../src/wire/limits.js';
import type { Msg } from '../../src/wire/types.js';

const packet: DecodeOptions = { channel: 'packet' };

/** Envelope header with an empty label and `count` messages. */
function header(count: number): number[] {
  return [0x52, 0x4b, 1, 0, 0, count];
}

function expectError(bytes: Uint8Array | number[], code: WireErrorCode, options: DecodeOptions = packet): void {
  const res = decodePacket(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), options);
  assert.equal(res.ok, false, `expected ${code}, got a decoded packet`);
  if (!res.ok) assert.equal(res.error.code, code, res.error.detail);
}

const ping: Msg = { type: 'ping', seq: 17, target: 'n5', source: { name: 'n2', addr: '10.0.0.2:7946' } };

describe('decodePacket error codes', () => {
  it('WIRE_ERR_TRUNCATED: empty input, cut header, cut varint, body longer than the input', () => {
    expectError([], 'WIRE_ERR_TRUNCATED');
    expectError([0x52], 'WIRE_ERR_TRUNCATED');
    expectError([0x52, 0x4b, 1, 0], 'WIRE_ERR_TRUNCATED');
    expectError([0x52, 0x4b, 1, 0, 3, 0x61], 'WIRE_ERR_TRUNCATED'); // label of 3, 1 present
    expectError([...header(1), 3, 0x80], 'WIRE_ERR_TRUNCATED'); // body length varint cut
    expectError([...header(1), 3, 5, 1], 'WIRE_ERR_TRUNCATED'); // body of 5, 1 present
    expectError([...header(2), 3, 1, 7], 'WIRE_ERR_TRUNCATED'); // second message missing
    expectError([...header(1), 3, 1, 0x80], 'WIRE_ERR_TRUNCATED'); // seq varint runs past the body
    const full = encodePacket([ping], { channel: 'packet', label: 'x' });
    for (let n = 0; n < full.length; n++) {
      const res = decodePacket(full.subarray(0, n), packet);
      assert.ok(!res.ok && res.error.code === 'WIRE_ERR_TRUNCATED', `prefix ${n}`);
    }
  });

  it('WIRE_ERR_BAD_MAGIC', () => {
    expectError([0x52, 0x4c, 1, 0, 0, 1, 3, 1, 0], 'WIRE_ERR_BAD_MAGIC');
    expectError([0, 0], 'WIRE_ERR_BAD_MAGIC');
  });

  it('WIRE_ERR_UNSUPPORTED_VERSION', () => {
    expectError([0x52, 0x4b, 2, 0, 0, 1, 3, 1, 0], 'WIRE_ERR_UNSUPPORTED_VERSION');
    expectError([0x52, 0x4b, 0, 0, 0, 1, 3, 1, 0], 'WIRE_ERR_UNSUPPORTED_VERSION');
  });

  it('WIRE_ERR_LABEL_MISMATCH', () => {
    const bytes = encodePacket([ping], { channel: 'packet', label: 'prod' });
    expectError(bytes, 'WIRE_ERR_LABEL_MISMATCH', { channel: 'packet', expectedLabel: 'staging' });
    expectError(bytes, 'WIRE_ERR_LABEL_MISMATCH', { channel: 'packet', expectedLabel: '' });
    const unlabelled = encodePacket([ping], { channel: 'packet', label: '' });
    expectError(unlabelled, 'WIRE_ERR_LABEL_MISMATCH', { channel: 'packet', expectedLabel: 'prod' });
    assert.ok(decodePacket(bytes, { channel: 'packet', expectedLabel: 'prod' }).ok);
    assert.ok(decodePacket(bytes, packet).ok, 'no expectedLabel accepts any label');
  });

  it('WIRE_ERR_TOO_LARGE: over the channel limit, before anything else is looked at', () => {
    expectError(new Uint8Array(udpPacketBytesMax + 1), 'WIRE_ERR_TOO_LARGE');
    expectError(new Uint8Array(streamFrameBytesMax + 1), 'WIRE_ERR_TOO_LARGE', { channel: 'stream' });
    // The same bytes are merely bad magic on the stream channel.
    expectError(new Uint8Array(udpPacketBytesMax + 1), 'WIRE_ERR_BAD_MAGIC', { channel: 'stream' });
  });

  it('WIRE_ERR_UNKNOWN_TYPE', () => {
    expectError([...header(1), 0, 1, 0], 'WIRE_ERR_UNKNOWN_TYPE');
    expectError([...header(1), 200, 1, 0], 'WIRE_ERR_UNKNOWN_TYPE');
  });

  it('WIRE_ERR_MALFORMED: each kind of malformed field', () => {
    expectError([0x52, 0x4b, 1, 0x04, 0, 1, 3, 1, 0], 'WIRE_ERR_MALFORMED'); // reserved flag bit
    expectError(header(0), 'WIRE_ERR_MALFORMED'); // zero messages
    expectError([...header(1), 3, 2, 0x80, 0x00], 'WIRE_ERR_MALFORMED'); // overlong varint
    expectError([...header(1), 3, 5, 0xff, 0xff, 0xff, 0xff, 0x1f], 'WIRE_ERR_MALFORMED'); // seq > 2^32-1
    expectError([...header(1), 3, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'WIRE_ERR_MALFORMED'); // 6-byte varint
    expectError([...header(1), 3, 2, 7, 0], 'WIRE_ERR_MALFORMED'); // body longer than its fields
    expectError([...header(1), 6, 5, 1, 0xc3, 3, 1, 0x61], 'WIRE_ERR_MALFORMED'); // suspect: invalid UTF-8 name
    expectError([0x52, 0x4b, 1, 0, 1, 0xff, 1, 3, 1, 0], 'WIRE_ERR_MALFORMED'); // invalid UTF-8 label
    expectError([...header(1), 1, 5, 0, 0, 0, 9, 0], 'WIRE_ERR_MALFORMED'); // ping: address tag 9
    // ping with a string-tagged address holding canonical IPv4 text (must use the compact form)
    const text = [...new TextEncoder().encode('1.2.3.4:5')];
    expectError([...header(1), 1, 5 + text.length, 0, 0, 0, 0, text.length, ...text], 'WIRE_ERR_MALFORMED');
    // indirect-ping with wantNack = 2
    expectError([...header(1), 2, 8, 0, 0, 0, 0, 0, 0, 0, 2], 'WIRE_ERR_MALFORMED');
    // push-pull: one entry with member state 4
    expectError([...header(1), 8, 12, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0], 'WIRE_ERR_MALFORMED');
    // push-pull with join = 2
    expectError([...header(1), 8, 6, 2, 0, 0, 0, 0, 0], 'WIRE_ERR_MALFORMED');
  });

  it('WIRE_ERR_LIMIT_EXCEEDED: name, meta and entry counts over their limits', () => {
    const name = nodeNameBytesMax + 1;
    // suspect whose node name claims nodeNameBytesMax + 1 bytes (2-byte varint)
    expectError([...header(1), 6, 3, name & 0x7f | 0x80, name >> 7, 0], 'WIRE_ERR_LIMIT_EXCEEDED');
    const meta = metaBytesMax + 1;
    // alive: empty name, empty string address, incarnation 0, meta length 513
    expectError([...header(1), 5, 6, 0, 0, 0, 0, meta & 0x7f | 0x80, meta >> 7], 'WIRE_ERR_LIMIT_EXCEEDED');
    const entries = heartbeatEntriesMax + 1;
    // heartbeat: empty source, entry count 1025
    expectError([...header(1), 11, 5, 0, 0, 0, entries & 0x7f | 0x80, entries >> 7], 'WIRE_ERR_LIMIT_EXCEEDED');
  });

  it('WIRE_ERR_TRAILING_BYTES', () => {
    const bytes = encodePacket([ping], { channel: 'packet', label: '' });
    expectError([...bytes, 0], 'WIRE_ERR_TRAILING_BYTES');
  });

  it('every code has a test above', () => {
    assert.equal(wireErrorCodes.length, 9);
  });
});

describe('encodePacket asserts its input', () => {
  const enc = (msgs: readonly Msg[], label = '', channel: 'packet' | 'stream' = 'packet', flags = 0) => () => encodePacket(msgs, { channel, label, flags });
  const ref = { name: 'n', addr: '1.2.3.4:5' };

  it('rejects out-of-range integers', () => {
    for (const seq of [-1, 2 ** 32, 1.5, Number.NaN, Infinity]) {
      assert.throws(enc([{ type: 'ack', seq }]), AssertionError, `seq ${seq}`);
    }
    assert.throws(enc([{ type: 'alive', node: ref, incarnation: 2 ** 32, meta: new Uint8Array() }]), AssertionError);
    assert.throws(enc([{ type: 'join-req', node: ref, heartbeat: -1 }]), AssertionError);
  });

  it('rejects oversize names, addresses, meta, labels, and lone surrogates', () => {
    assert.throws(enc([{ type: 'suspect', node: 'x'.repeat(nodeNameBytesMax + 1), incarnation: 0, from: 'a' }]), AssertionError);
    assert.throws(enc([{ type: 'ping', seq: 0, target: 'a', source: { name: 'a', addr: 'h'.repeat(65) } }]), AssertionError);
    assert.throws(enc([{ type: 'alive', node: ref, incarnation: 0, meta: new Uint8Array(metaBytesMax + 1) }]), AssertionError);
    assert.throws(enc([{ type: 'ack', seq: 0 }], 'l'.repeat(256)), AssertionError);
    assert.throws(enc([{ type: 'suspect', node: 'a\uD800', incarnation: 0, from: 'a' }]), AssertionError);
    assert.throws(enc([{ type: 'suspect', node: '\uDC00a', incarnation: 0, from: 'a' }]), AssertionError);
  });

  it('rejects empty and over-full packets, unknown flags, oversize packets', () => {
    assert.throws(enc([]), AssertionError);
    assert.throws(enc(Array.from({ length: 256 }, () => ({ type: 'ack' as const, seq: 0 })), '', 'stream'), AssertionError);
    assert.throws(enc([{ type: 'ack', seq: 0 }], '', 'packet', 4), AssertionError);
    const big: Msg = { type: 'alive', node: ref, incarnation: 0, meta: new Uint8Array(metaBytesMax) };
    assert.throws(enc([big, big, big]), AssertionError);
    assert.doesNotThrow(enc([big, big, big], '', 'stream'));
  });

  it('rejects too many heartbeat entries', () => {
    const entries = Array.from({ length: heartbeatEntriesMax + 1 }, () => ({ node: ref, heartbeat: 0 }));
    assert.throws(enc([{ type: 'heartbeat', source: ref, entries }], '', 'stream'), AssertionError);
  });
});
