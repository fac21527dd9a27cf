/** Basic arbitraries shared by the membership and KV message arbitraries (no cycle between them). */
import fc from 'fast-check';
import { utf8ByteLength } from '../../src/wire/utf8.js';

/** A string of at most `maxBytes` UTF-8 bytes, biased towards ASCII and the exact limit. */
export function boundedString(maxBytes: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: Math.min(maxBytes, 24) }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: Math.floor(maxBytes / 4) }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: Math.floor(maxBytes / 4) }).filter((s) => utf8ByteLength(s) <= maxBytes) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(maxBytes)) },
    // Exactly at the limit with multi-byte characters: "é" is 2 bytes.
    { weight: 1, arbitrary: fc.constant('é'.repeat(Math.floor(maxBytes / 2))) },
    { weight: 1, arbitrary: fc.constantFrom('\uFEFFbom', 'ñødé-1', '節点', '🙂node', 'a\u0000b') },
  );
}

/** An unsigned 32-bit integer, biased to the varint boundaries. */
export const u32Arb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.constantFrom(0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 0xffff_ffff),
  fc.nat({ max: 300 }),
);
