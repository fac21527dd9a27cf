/**
 * Non-cryptographic hashing for ring positions: MurmurHash3 (x86, 32-bit), and a 53-bit position
 * built from two independent 32-bit hashes so that tens of thousands of ring tokens rarely collide
 * and every position is an exact JavaScript number.
 */

const utf8 = new TextEncoder();

/** MurmurHash3 x86 32-bit of `bytes` with `seed`. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // Tail: the last 1-3 bytes, little-endian, as in the reference implementation.
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2]! << 16;
    if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Size of the position space: positions are integers in [0, 2^53). */
export const hashSpaceSize = 2 ** 53;

/** A 53-bit position for `bytes`: 21 high bits from one murmur3 seed, 32 low bits from another. */
export function hash53(bytes: Uint8Array): number {
  const high = murmur3(bytes, 0x2f1a3c5d) & 0x1fffff;
  const low = murmur3(bytes, 0x7b4e9d21);
  return high * 4294967296 + low;
}

/** `hash53` of a string's UTF-8 bytes. */
export function hashString53(text: string): number {
  return hash53(utf8.encode(text));
}
