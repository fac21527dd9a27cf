/**
 * Non-cryptographic hashing for ring positions: MurmurHash3 (x86, 32-bit), and a 53-bit position
 * built from two independent 32-bit hashes so that tens of thousands of ring tokens rarely collide
 * and every position is an exact JavaScript number.
 */

const utf8 = new TextEncoder();

/** MurmurHash3 x86 32-bit of `bytes` with `seed`. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  return murmur3Prefix(bytes, bytes.length, seed);
}

/** MurmurHash3 x86 32-bit of `bytes[0, length)` (no subarray view allocated). */
function murmur3Prefix(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = length & ~3;
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
  const tail = length & 3;
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
  h ^= length;
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
  return hash53Prefix(bytes, bytes.length);
}

function hash53Prefix(bytes: Uint8Array, length: number): number {
  const high = murmur3Prefix(bytes, length, 0x2f1a3c5d) & 0x1fffff;
  const low = murmur3Prefix(bytes, length, 0x7b4e9d21);
  return high * 4294967296 + low;
}

/**
 * Scratch space for hashing strings: every client operation hashes its key, and encoding into a
 * fresh array each time was a visible share of the coordinator's allocations.
 */
const scratch = new Uint8Array(4096);

/** `hash53` of a string's UTF-8 bytes. */
export function hashString53(text: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit, so a string this short always fits.
  const n = text.length;
  if (n * 3 > scratch.length) return hash53(utf8.encode(text));
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    scratch[i] = c;
  }
  if (i === n) return hash53Prefix(scratch, n); // ASCII: one byte per code unit
  const { written } = utf8.encodeInto(text, scratch);
  return hash53Prefix(scratch, written);
}
