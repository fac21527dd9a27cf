/**
 * Unsigned LEB128 varints for 32-bit values: 7 bits per byte, low group first, high bit set on
 * every byte but the last. Encodings are canonical (no redundant trailing zero groups), so every
 * value has exactly one encoding and decode(encode(x)) re-encodes to the same bytes.
 */

/** Largest value a varint field may carry: fields are unsigned 32-bit integers. */
export const u32Max = 0xffff_ffff;

/** Most bytes a u32 varint takes (ceil(32 / 7)). */
export const varintBytesMax = 5;

/** True when `n` is an integer in [0, 2^32 - 1] (the `>>> 0` round trip rejects fractions, negatives, NaN and larger values). */
export function isU32(n: number): boolean {
  return n >>> 0 === n;
}

/** Bytes the varint encoding of the u32 `n` takes. Arithmetic only, no allocation. */
export function varintBytes(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x20_0000) return 3;
  if (n < 0x1000_0000) return 4;
  return 5;
}
