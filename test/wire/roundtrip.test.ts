/**
 * Round-trip and size-exactness properties (architecture §8: codec round trips).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodePacket, encodePacket, envelopeBytes, messageBytes } from '../../src/wire/codec.js';
import { streamFrameBytesMax, udpPacketBytesMax } from '../../src/wire/limits.js';
import type { Msg } from '../../src/wire/types.js';
import { labelArb, msgArb, msgArbs } from './arbitraries.js';
import { fcParams, fitPrefix } from './helpers.js';

function roundTrip(msgs: readonly Msg[], label: string, channel: 'packet' | 'stream'): void {
  const bytes = encodePacket(msgs, { channel, label });
  const expected = envelopeBytes(label) + msgs.reduce((sum, m) => sum + messageBytes(m), 0);
  assert.equal(bytes.length, expected, 'envelopeBytes + sum(messageBytes) must equal the encoded length');
  const res = decodePacket(bytes, { channel, expectedLabel: label });
  assert.ok(res.ok, res.ok ? '' : `${res.error.code}: ${res.error.detail}`);
  assert.deepEqual(res.value, { version: 1, flags: 0, label, msgs });
}

describe('wire codec round trip', () => {
  for (const [type, arb] of Object.entries(msgArbs(6)) as [string, fc.Arbitrary<Msg>][]) {
    it(`single ${type} message round-trips on the stream channel`, () => {
      fc.assert(fc.property(arb, labelArb, (msg, label) => roundTrip([msg], label, 'stream')), fcParams(1000));
    });
  }

  it('multi-message packets round-trip within udpPacketBytesMax', () => {
    fc.assert(
      fc.property(fc.array(msgArb(3), { minLength: 1, maxLength: 30 }), labelArb, (msgs, label) => {
        const fit = fitPrefix(msgs, label, udpPacketBytesMax);
        fc.pre(fit.length > 0);
        roundTrip(fit, label, 'packet');
      }),
      fcParams(3000),
    );
  });

  it('multi-message frames round-trip on the stream channel', () => {
    fc.assert(
      fc.property(fc.array(msgArb(40), { minLength: 1, maxLength: 12 }), labelArb, (msgs, label) => {
        roundTrip(fitPrefix(msgs, label, streamFrameBytesMax), label, 'stream');
      }),
      fcParams(500),
    );
  });

  it('the same message gets the same bytes whatever the packet around it', () => {
    fc.assert(
      fc.property(msgArb(4), msgArb(4), (a, b) => {
        const alone = encodePacket([a], { channel: 'stream', label: '' });
        const pair = encodePacket([b, a], { channel: 'stream', label: '' });
        const tail = pair.subarray(pair.length - (alone.length - envelopeBytes('')));
        assert.deepEqual(tail, alone.subarray(envelopeBytes('')));
      }),
      fcParams(500),
    );
  });

  it('a full 255-message packet round-trips', () => {
    const msgs: Msg[] = Array.from({ length: 255 }, (_, i) => ({ type: 'ack', seq: i }));
    roundTrip(msgs, '', 'stream');
  });

  it('a 10,000-member push-pull fits a stream frame and round-trips', () => {
    const members = Array.from({ length: 10_000 }, (_, i) => ({
      node: { name: `node-${i}`, addr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:7946` },
      incarnation: i,
      state: 'alive' as const,
      meta: new Uint8Array(16).fill(i & 255),
    }));
    const msg: Msg = { type: 'push-pull', join: false, reply: true, source: { name: 'node-0', addr: '10.0.0.0:7946' }, members };
    const bytes = encodePacket([msg], { channel: 'stream', label: 'prod' });
    assert.ok(bytes.length < 400 * 1024, `10k members took ${bytes.length} bytes`);
    roundTrip([msg], 'prod', 'stream');
  });

  it('decoded meta is a copy, not a view of the input', () => {
    const meta = Uint8Array.of(1, 2, 3);
    const bytes = encodePacket([{ type: 'alive', node: { name: 'n1', addr: '1.2.3.4:5' }, incarnation: 1, meta }], { channel: 'packet', label: '' });
    const res = decodePacket(bytes, { channel: 'packet' });
    assert.ok(res.ok);
    const decoded = res.value.msgs[0];
    assert.ok(decoded?.type === 'alive');
    bytes.fill(0);
    assert.deepEqual(decoded.meta, meta);
    assert.notEqual(decoded.meta.buffer, bytes.buffer);
  });

  it('encodePacket returns a fresh array each call', () => {
    const msg: Msg = { type: 'ack', seq: 1 };
    const a = encodePacket([msg], { channel: 'packet', label: '' });
    const b = encodePacket([{ type: 'ack', seq: 2 }], { channel: 'packet', label: '' });
    assert.notEqual(a.buffer, b.buffer);
    assert.equal(a[a.length - 1], 1);
  });

  it('flags round-trip', () => {
    for (const flags of [0, 1, 2, 3]) {
      const bytes = encodePacket([{ type: 'ack', seq: 9 }], { channel: 'packet', label: '', flags });
      const res = decodePacket(bytes, { channel: 'packet' });
      assert.ok(res.ok);
      assert.equal(res.value.flags, flags);
    }
  });
});

describe('messageBytes / envelopeBytes', () => {
  it('are exact for every message on both channels', () => {
    fc.assert(
      fc.property(fc.array(msgArb(8), { minLength: 1, maxLength: 8 }), labelArb, (msgs, label) => {
        const bytes = encodePacket(msgs, { channel: 'stream', label });
        assert.equal(bytes.length, envelopeBytes(label) + msgs.reduce((s, m) => s + messageBytes(m), 0));
        for (const m of msgs) {
          const one = encodePacket([m], { channel: 'stream', label });
          assert.equal(one.length - envelopeBytes(label), messageBytes(m));
        }
      }),
      fcParams(1000),
    );
  });

  it('envelopeBytes counts UTF-8 bytes of the label', () => {
    assert.equal(envelopeBytes(''), 6);
    assert.equal(envelopeBytes('prod'), 10);
    assert.equal(envelopeBytes('é'), 8);
    assert.equal(envelopeBytes('🙂'), 10);
  });

  it('a compact IPv4 address costs 7 bytes, other addresses tag + length + text', () => {
    const ping = (addr: string): Msg => ({ type: 'ping', seq: 1, target: 'b', source: { name: 'a', addr } });
    // type 1 + length 1 + seq 1 + target 2 + name 2 + address
    assert.equal(messageBytes(ping('10.0.0.2:7946')), 7 + 7);
    assert.equal(messageBytes(ping('010.0.0.2:7946')), 7 + 2 + 14);
    assert.equal(messageBytes(ping('[::1]:7946')), 7 + 2 + 10);
  });
});
