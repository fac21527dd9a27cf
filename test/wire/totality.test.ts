/**
 * Total decoding (architecture §5): any byte string decodes to a message list or a typed error,
 * never a throw; and any accepted byte string re-encodes to exactly itself. Well over 100,000 cases
 * in total across the properties below; `npm run fuzz` runs millions.
 */
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodePacket } from '../../src/wire/codec.js';
import { streamFrameBytesMax, udpPacketBytesMax } from '../../src/wire/limits.js';
import { labelArb, msgArb } from './arbitraries.js';
import { applyMutation, channelArb, checkTotal, fcParams, fitPrefix, mutationArb } from './helpers.js';

/** A valid header (magic, version 1, flags, empty label, message count) so random tails reach the message decoders. */
const headerArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 })).map(([flags, count]) => Uint8Array.of(0x52, 0x4b, 1, flags, 0, count));

/** A message header: a known type id (1..11) or not, then a small body length. */
const msgHeaderArb = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 127 })).map(([t, len]) => Uint8Array.of(t, len));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

describe('decodePacket is total', () => {
  it('random byte strings never throw (30,000 cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200, size: 'medium' }), channelArb, (bytes, channel) => {
        checkTotal(bytes, { channel });
      }),
      fcParams(30_000),
    );
  });

  it('random bodies behind a valid header never throw (30,000 cases)', () => {
    fc.assert(
      fc.property(headerArb, msgHeaderArb, fc.uint8Array({ maxLength: 160, size: 'medium' }), channelArb, (header, msgHeader, tail, channel) => {
        checkTotal(concat(header, msgHeader, tail), { channel });
      }),
      fcParams(30_000),
    );
  });

  it('mutated valid packets never throw, and accepted ones re-encode identically (40,000 cases)', () => {
    const packetArb = fc
      .tuple(fc.array(msgArb(3), { minLength: 1, maxLength: 4 }), labelArb)
      .map(([msgs, label]) => ({ msgs: fitPrefix(msgs, label, udpPacketBytesMax), label }))
      .filter((p) => p.msgs.length > 0);
    fc.assert(
      fc.property(packetArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), channelArb, fc.boolean(), ({ msgs, label }, mutations, channel, checkLabel) => {
        let bytes = encodePacket(msgs, { channel: 'packet', label });
        for (const m of mutations) bytes = applyMutation(bytes, m);
        checkTotal(bytes, checkLabel ? { channel, expectedLabel: label } : { channel });
      }),
      fcParams(40_000),
    );
  });

  it('a varint length claiming 2^31 bytes is rejected at once, without allocating', () => {
    // ping body: seq 0, then a name length of 2^31.
    const body = Uint8Array.of(0, 0x80, 0x80, 0x80, 0x80, 0x08);
    const bytes = concat(Uint8Array.of(0x52, 0x4b, 1, 0, 0, 1, 1, body.length), body);
    checkTotal(bytes, { channel: 'stream' });
    // And as a message body length.
    const big = Uint8Array.of(0x52, 0x4b, 1, 0, 0, 1, 8, 0x80, 0x80, 0x80, 0x80, 0x08);
    checkTotal(big, { channel: 'stream' });
  });

  it('stream-size input is bounded by streamFrameBytesMax', () => {
    checkTotal(new Uint8Array(streamFrameBytesMax + 1), { channel: 'stream' });
  });
});
