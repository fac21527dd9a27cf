import { assert } from '../lib/assert.js';
import { internAscii, internBytesMax } from './intern.js';

/**
 * UTF-8 helpers. Byte lengths are computed arithmetically (the hot-path size functions must not
 * allocate); decoding is strict, because a lenient decoder would map different byte strings to the
 * same text and break the "decoded bytes re-encode identically" property.
 */

/**
 * UTF-8 byte length of `s`. Asserts that `s` is well-formed UTF-16: a lone surrogate would be
 * encoded as U+FFFD and not survive the round trip, so it is a caller bug, not a wire error.
 */
export function utf8ByteLength(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      assert(next >= 0xdc00 && next <= 0xdfff, 'string has a lone high surrogate (not encodable as UTF-8)');
      // Two UTF-16 units (already counted) become four bytes.
      bytes += 2;
      i++;
    } else {
      assert(c < 0xdc00 || c > 0xdfff, 'string has a lone low surrogate (not encodable as UTF-8)');
      bytes += 2;
    }
  }
  return bytes;
}

/** Cached encoder: TextEncoder construction is not free and this runs for every non-ASCII string. */
const encoder = new TextEncoder();

/**
 * Writes `s` (whose UTF-8 length is `byteLength`, from `utf8ByteLength`) into `buf` at `pos`.
 * ASCII strings take a plain loop; others go through the cached TextEncoder.
 */
export function writeUtf8(buf: Uint8Array, pos: number, s: string, byteLength: number): void {
  const n = s.length;
  if (byteLength === n) {
    // Byte length equals code-unit count only when every unit is ASCII.
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
    return;
  }
  const { written } = encoder.encodeInto(s, buf.subarray(pos, pos + byteLength));
  assert(written === byteLength, 'UTF-8 encoder wrote a different length than computed');
}

/**
 * Strict decoder: `fatal` rejects invalid sequences instead of substituting U+FFFD, and
 * `ignoreBOM` keeps a leading U+FEFF (the default strips it, which would lose a character).
 */
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** ASCII strings up to this many bytes are built with one String.fromCharCode call (its argument count is bounded). */
const asciiChunkBytes = 4096;

/**
 * Decodes `bytes[start, end)` as UTF-8, or returns null if the bytes are not valid UTF-8.
 * The returned string never aliases the input. Short ASCII strings (names, addresses) are interned.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | null {
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  if (i === end) {
    const len = end - start;
    if (len === 0) return '';
    if (len <= internBytesMax) return internAscii(bytes, start, end);
    if (len <= asciiChunkBytes) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch {
    // The only thing that throws here is the fatal decoder rejecting invalid UTF-8.
    return null;
  }
}
