import { isHlcTimestamp } from '../kv/hlc.js';
import type { StoredRecord } from '../kv/record.js';

/**
 * The on-disk encoding of a StoredRecord (the value half of an LMDB `records` entry), format 1:
 *
 *   | byte 0    | bytes 1..6      | 7..8    | 9..12  | 13..20             | 21..             |
 *   | flags     | physicalMs u48  | logical | nodeId | purgeAfterMs u64   | value bytes      |
 *
 * All integers big-endian. `flags` = 0x10 (format 1) | 0x01 for a tombstone; a tombstone has no
 * value bytes, a value record has zero or more. purgeAfterMs must be a non-negative safe integer.
 *
 * `decodeRecord` is total: any byte string either decodes to a valid record or throws
 * RecordCorruptError. Only this module writes these bytes, so a throw means the file on disk was
 * damaged (or written by an incompatible version): it is an assertion of disk corruption, not an
 * input error, and callers let it propagate.
 */

/** Bytes before the value. */
export const recordHeaderBytes = 21;

const formatV1 = 0x10;
const tombstoneFlag = 0x01;
const two32 = 4294967296;

/** Thrown when stored bytes are not a valid encoding: the data directory is corrupt. */
export class RecordCorruptError extends Error {
  override readonly name = 'RecordCorruptError';
  readonly code = 'RINGKV_ERR_STORAGE_CORRUPT';
}

/** True when `n` can be stored as purgeAfterMs (a non-negative safe integer). */
export function isStorablePurgeAfterMs(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Encodes a record. The caller has checked the version (isHlcTimestamp) and purgeAfterMs. */
export function encodeRecord(record: StoredRecord): Uint8Array {
  const { version, value, purgeAfterMs } = record;
  const out = new Uint8Array(recordHeaderBytes + (value === null ? 0 : value.length));
  const view = new DataView(out.buffer);
  out[0] = formatV1 | (value === null ? tombstoneFlag : 0);
  const high = Math.floor(version.physicalMs / two32);
  view.setUint16(1, high);
  view.setUint32(3, version.physicalMs - high * two32);
  view.setUint16(7, version.logical);
  view.setUint32(9, version.nodeId);
  const purgeHigh = Math.floor(purgeAfterMs / two32);
  view.setUint32(13, purgeHigh);
  view.setUint32(17, purgeAfterMs - purgeHigh * two32);
  if (value !== null) out.set(value, recordHeaderBytes);
  return out;
}

/** Whether encoded record bytes are a tombstone, from the flags byte alone (decodeRecord checks the rest). */
export function isEncodedTombstone(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (bytes[0]! & tombstoneFlag) !== 0;
}

/**
 * Decodes `encodeRecord` output. The value is a view into `bytes` (not copied): pass a buffer
 * nobody else writes to (lmdb-js returns a fresh copy from `get` and range reads of binary dbs).
 * Throws RecordCorruptError on anything else.
 */
export function decodeRecord(bytes: Uint8Array): StoredRecord {
  if (bytes.length < recordHeaderBytes) throw new RecordCorruptError(`stored record is ${bytes.length} bytes, shorter than its ${recordHeaderBytes}-byte header`);
  const flags = bytes[0]!;
  if ((flags & ~tombstoneFlag) !== formatV1) throw new RecordCorruptError(`stored record has unknown flags 0x${flags.toString(16)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = { physicalMs: view.getUint16(1) * two32 + view.getUint32(3), logical: view.getUint16(7), nodeId: view.getUint32(9) };
  const purgeHigh = view.getUint32(13);
  if (purgeHigh > 0x1fffff) throw new RecordCorruptError('stored record has a purge time beyond 2^53');
  const purgeAfterMs = purgeHigh * two32 + view.getUint32(17);
  if (!isHlcTimestamp(version)) throw new RecordCorruptError('stored record has an invalid version');
  if ((flags & tombstoneFlag) !== 0) {
    if (bytes.length !== recordHeaderBytes) throw new RecordCorruptError('stored tombstone carries value bytes');
    return { value: null, version, purgeAfterMs };
  }
  const value = new Uint8Array(bytes.buffer, bytes.byteOffset + recordHeaderBytes, bytes.length - recordHeaderBytes);
  return { value, version, purgeAfterMs };
}
