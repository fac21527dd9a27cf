import { RecordCorruptError } from './record-codec.js';

/**
 * Binary keys of the LMDB engine, built so that LMDB's byte-wise key order is the Storage
 * contract's range order.
 *
 * A `records` key is the key's ring position as 8 bytes big-endian (positions are < 2^53, so
 * byte order = numeric order), followed by the key string in CESU-8: every UTF-16 code unit
 * encoded on its own as UTF-8 encodes a BMP code point (1 to 3 bytes; a surrogate pair becomes
 * two 3-byte sequences). Plain UTF-8 would not do: it orders supplementary characters (4-byte
 * sequences, lead F0..F4) after U+E000..U+FFFF (lead EE..EF), while UTF-16 code-unit order puts
 * them before (surrogates D800..DFFF < E000). CESU-8 byte order is exactly UTF-16 code-unit order,
 * a proper prefix sorts first, and any string round-trips (lone surrogates included).
 *
 * Size: a key of at most 1024 UTF-8 bytes (record.ts keyBytesMax) takes at most 1536 CESU-8 bytes
 * (4 UTF-8 bytes become 6 only for supplementary characters), so 8 + 1536 + 1 (a cursor successor)
 * stays under lmdb-js's 1978-byte key limit at the default page size.
 *
 * A `purge` key (the tombstone index) is purgeAfterMs as 8 bytes big-endian followed by the
 * `records` key of the tombstone, so tombstones are visited by purge time.
 */

/** Bytes of the big-endian position / time prefix. */
export const prefixBytes = 8;

/** Longest key lmdb-js accepts at the default page size. */
export const lmdbKeyBytesMax = 1978;

const two32 = 4294967296;

/** `n` (an integer in [0, 2^53]) as 8 bytes big-endian. */
export function u64Prefix(n: number): Uint8Array {
  const out = new Uint8Array(prefixBytes);
  writeU64(out, 0, n);
  return out;
}

function writeU64(out: Uint8Array, at: number, n: number): void {
  const high = Math.floor(n / two32);
  const low = n - high * two32;
  out[at] = 0;
  out[at + 1] = high >>> 16;
  out[at + 2] = (high >>> 8) & 0xff;
  out[at + 3] = high & 0xff;
  out[at + 4] = low >>> 24;
  out[at + 5] = (low >>> 16) & 0xff;
  out[at + 6] = (low >>> 8) & 0xff;
  out[at + 7] = low & 0xff;
}

/** The u64 (below 2^53) at `at`: a `records` key's position, read where the key lies (e.g. inside a log frame). */
export function readU64(bytes: Uint8Array, at: number): number {
  const high = (bytes[at]! * 0x1000000 + bytes[at + 1]! * 0x10000 + bytes[at + 2]! * 0x100 + bytes[at + 3]!) >>> 0;
  if (high > 0x1fffff) throw new RecordCorruptError('stored key prefix is beyond 2^53');
  const low = (bytes[at + 4]! * 0x1000000 + bytes[at + 5]! * 0x10000 + bytes[at + 6]! * 0x100 + bytes[at + 7]!) >>> 0;
  return high * two32 + low;
}

/** CESU-8 length of `s`. */
function cesu8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

/** The `records` key of (position, key). */
export function encodeRecordKey(position: number, key: string): Uint8Array {
  const out = new Uint8Array(prefixBytes + cesu8Bytes(key));
  writeU64(out, 0, position);
  let at = prefixBytes;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = 0xc0 | (c >>> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      out[at++] = 0xe0 | (c >>> 12);
      out[at++] = 0x80 | ((c >>> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/** Position and key of a `records` key; throws RecordCorruptError on malformed bytes. */
export function decodeRecordKey(bytes: Uint8Array): { position: number; key: string } {
  if (bytes.length < prefixBytes) throw new RecordCorruptError(`stored key is ${bytes.length} bytes, shorter than its position`);
  const position = readU64(bytes, 0);
  const units: number[] = [];
  for (let i = prefixBytes; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      units.push(b);
      i += 1;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) {
      const b1 = continuation(bytes, i + 1);
      units.push(((b & 0x1f) << 6) | b1);
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      const c = ((b & 0x0f) << 12) | (continuation(bytes, i + 1) << 6) | continuation(bytes, i + 2);
      if (c < 0x800) throw new RecordCorruptError('stored key has an overlong sequence');
      units.push(c);
      i += 3;
    } else {
      throw new RecordCorruptError(`stored key has an invalid CESU-8 lead byte 0x${b.toString(16)}`);
    }
  }
  // Keys are at most ~1.5 KiB, so one fromCharCode call is safe (no argument-count limit issue).
  return { position, key: String.fromCharCode(...units) };
}

function continuation(bytes: Uint8Array, at: number): number {
  const b = bytes[at];
  if (b === undefined || (b & 0xc0) !== 0x80) throw new RecordCorruptError('stored key has a truncated or invalid CESU-8 sequence');
  return b & 0x3f;
}

/** The smallest key strictly greater than `key` in byte order: `key` followed by a 0 byte. */
export function keySuccessor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/** The `purge` index key of a tombstone: purgeAfterMs, then its `records` key. */
export function encodePurgeKey(purgeAfterMs: number, recordKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefixBytes + recordKey.length);
  writeU64(out, 0, purgeAfterMs);
  out.set(recordKey, prefixBytes);
  return out;
}

/** Purge time and `records` key of a `purge` index key (the latter a view into `bytes`). */
export function decodePurgeKey(bytes: Uint8Array): { purgeAfterMs: number; recordKey: Uint8Array } {
  if (bytes.length < 2 * prefixBytes) throw new RecordCorruptError(`stored purge key is ${bytes.length} bytes, too short`);
  return { purgeAfterMs: readU64(bytes, 0), recordKey: bytes.subarray(prefixBytes) };
}
