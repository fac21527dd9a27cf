import { stringBytes, writeString } from './fields.js';
import { assertFailed } from './invariant.js';
import { hlcLogicalMax, hlcPhysicalMsMax, kvKeyBytesMax, kvValueBytesMax, ringPositionMax } from './kv-limits.js';
import type { KvBatchKind, KvCursor, KvDigestEntry, KvOp, KvRange, KvRecordEntry, KvStatus, KvVersion } from './kv-types.js';
import type { Reader } from './reader.js';
import { isU32, varintBytes } from './varint.js';
import type { Writer } from './writer.js';

/**
 * Field codecs of the KV messages, in the style of fields.ts: `xBytes` (exact size, asserting the
 * value is valid), `writeX`, `readX` (total; failures go to the reader's sticky error). Fixed-width
 * fields are big-endian, so an encoded version or position compares byte-wise like the number.
 */

/** Writes a big-endian u32 (Writer has only u8/u16/varint). */
export function writeU32(w: Writer, v: number): void {
  w.u16(v >>> 16);
  w.u16(v & 0xffff);
}

// --- version: 12 bytes = physicalMs (u16 high, u32 low) · logical u16 · nodeId u32 ---------------

/** Encoded size of a version. */
export const versionBytes = 12;

/** Asserts `v` is a valid version (the encoder's contract). */
export function checkVersion(v: KvVersion): void {
  const p = v.physicalMs;
  if (!Number.isSafeInteger(p) || p < 0 || p > hlcPhysicalMsMax) assertFailed(`version physicalMs ${p} out of range`);
  if (!Number.isInteger(v.logical) || v.logical < 0 || v.logical > hlcLogicalMax) assertFailed(`version logical ${v.logical} out of range`);
  if (!isU32(v.nodeId)) assertFailed(`version nodeId ${v.nodeId} is not a u32`);
}

/** Writes a version (already checked). */
export function writeVersion(w: Writer, v: KvVersion): void {
  const high = Math.floor(v.physicalMs / 4294967296);
  w.u16(high);
  writeU32(w, v.physicalMs - high * 4294967296);
  w.u16(v.logical);
  writeU32(w, v.nodeId);
}

/** Reads a version; every 12-byte string is a valid version. */
export function readVersion(r: Reader): KvVersion {
  const high = r.u16();
  const low = r.u32();
  const logical = r.u16();
  const nodeId = r.u32();
  return { physicalMs: high * 4294967296 + low, logical, nodeId };
}

// --- ring position: 8 bytes = u32 high (< 2^21) · u32 low -----------------------------------------

/** Encoded size of a ring position. */
export const positionBytes = 8;

/** Asserts `p` is a ring position. */
export function checkPosition(p: number, what: string): void {
  if (!Number.isSafeInteger(p) || p < 0 || p > ringPositionMax) assertFailed(`${what} ${p} is not a ring position`);
}

/** Writes a ring position (already checked). */
export function writePosition(w: Writer, p: number): void {
  const high = Math.floor(p / 4294967296);
  writeU32(w, high);
  writeU32(w, p - high * 4294967296);
}

/** Reads a ring position; a high word of 2^21 or more is malformed (not a 53-bit position). */
export function readPosition(r: Reader, what: string): number {
  const high = r.u32();
  const low = r.u32();
  if (high > 0x1fffff) {
    r.fail('WIRE_ERR_MALFORMED', `${what}: high word ${high} exceeds 21 bits`);
    return 0;
  }
  return high * 4294967296 + low;
}

// --- range: two positions ---------------------------------------------------------------------------

/** Encoded size of a range; asserts its bounds. */
export function rangeBytes(range: KvRange): number {
  checkPosition(range.start, 'range start');
  checkPosition(range.end, 'range end');
  return 2 * positionBytes;
}

/** Writes a range. */
export function writeRange(w: Writer, range: KvRange): void {
  writePosition(w, range.start);
  writePosition(w, range.end);
}

/** Reads a range. */
export function readRange(r: Reader): KvRange {
  const start = readPosition(r, 'range start');
  const end = readPosition(r, 'range end');
  return { start, end };
}

// --- key and value ----------------------------------------------------------------------------------

/** Encoded size of a key (string of at most kvKeyBytesMax UTF-8 bytes). */
export function keyBytes(key: string): number {
  return stringBytes(key, kvKeyBytesMax, 'key');
}

/** Reads a key. */
export function readKey(r: Reader): string {
  return r.string('key', kvKeyBytesMax);
}

/** Encoded size of a present value (varint length + bytes); asserts the bound. */
export function valueBytes(value: Uint8Array): number {
  if (value.length > kvValueBytesMax) assertFailed(`value is ${value.length} bytes, limit ${kvValueBytesMax}`);
  return varintBytes(value.length) + value.length;
}

/** Writes a present value. */
export function writeValue(w: Writer, value: Uint8Array): void {
  w.varint(value.length);
  w.bytes(value);
}

/** Reads a present value as a fresh copy (never aliases the input). */
export function readValue(r: Reader): Uint8Array {
  return r.copy(r.length('value', kvValueBytesMax));
}

// --- enums: one byte each, stable, never renumber ---------------------------------------------------

function enumCodec<T extends string>(what: string, values: readonly T[]): { id(v: T): number; read(r: Reader): T } {
  const ids = new Map<string, number>(values.map((v, i) => [v, i]));
  return {
    id(v: T): number {
      const id = ids.get(v);
      if (id === undefined) assertFailed(`unknown ${what} ${String(v)}`);
      return id;
    },
    read(r: Reader): T {
      const id = r.u8();
      const v = values[id];
      if (v === undefined) {
        r.fail('WIRE_ERR_MALFORMED', `unknown ${what} ${id}`);
        return values[0]!;
      }
      return v;
    },
  };
}

/** KV operations, by wire byte. */
export const opCodec = enumCodec<KvOp>('kv op', ['create', 'read', 'update', 'delete', 'put', 'repair-write']);

/** KV statuses, by wire byte. */
export const statusCodec = enumCodec<KvStatus>('kv status', [
  'ok',
  'not-found',
  'exists',
  'stale',
  'key-too-large',
  'value-too-large',
  'key-invalid',
  'clock-drift',
  'storage-full',
  'not-owner',
  'overloaded',
  'bad-request',
]);

/** Batch kinds, by wire byte. */
export const batchKindCodec = enumCodec<KvBatchKind>('batch kind', ['transfer', 'hint', 'repair']);

// --- optional value + optional version behind one presence byte -------------------------------------

const hasValueBit = 1;
const hasVersionBit = 2;

/** Encoded size of (value | null, version | null): presence byte + the present fields. */
export function maybeValueVersionBytes(value: Uint8Array | null, version: KvVersion | null): number {
  let bytes = 1;
  if (value !== null) bytes += valueBytes(value);
  if (version !== null) {
    checkVersion(version);
    bytes += versionBytes;
  }
  return bytes;
}

/** Writes (value | null, version | null). */
export function writeMaybeValueVersion(w: Writer, value: Uint8Array | null, version: KvVersion | null): void {
  w.u8((value !== null ? hasValueBit : 0) | (version !== null ? hasVersionBit : 0));
  if (value !== null) writeValue(w, value);
  if (version !== null) writeVersion(w, version);
}

/** Reads (value | null, version | null); unknown presence bits are malformed (canonical form). */
export function readMaybeValueVersion(r: Reader): { value: Uint8Array | null; version: KvVersion | null } {
  const flags = r.u8();
  if ((flags & ~(hasValueBit | hasVersionBit)) !== 0) {
    r.fail('WIRE_ERR_MALFORMED', `presence byte ${flags} has unknown bits`);
    return { value: null, version: null };
  }
  const value = (flags & hasValueBit) !== 0 ? readValue(r) : null;
  const version = (flags & hasVersionBit) !== 0 ? readVersion(r) : null;
  return { value, version };
}

// --- record and digest entries ------------------------------------------------------------------------

/** Smallest record entry: empty key (1) + presence byte (1) + version (12). */
export const recordEntryBytesMin = 2 + versionBytes;

/** Encoded size of a record entry: key · presence byte · [value] · version. Senders pack batches by this. */
export function kvRecordEntryBytes(e: KvRecordEntry): number {
  return keyBytes(e.key) + maybeValueVersionBytes(e.value, e.version);
}

/** Writes a record entry. */
export function writeRecordEntry(w: Writer, e: KvRecordEntry): void {
  writeString(w, e.key);
  writeMaybeValueVersion(w, e.value, e.version);
}

/** Reads a record entry; a missing version is malformed (every stored record has one). */
export function readRecordEntry(r: Reader): KvRecordEntry {
  const key = readKey(r);
  const { value, version } = readMaybeValueVersion(r);
  if (version === null) {
    r.fail('WIRE_ERR_MALFORMED', 'record entry without a version');
    return { key, value, version: { physicalMs: 0, logical: 0, nodeId: 0 } };
  }
  return { key, value, version };
}

/** Smallest digest entry: empty key (1) + version (12) + tombstone byte (1). */
export const digestEntryBytesMin = 2 + versionBytes;

/** Encoded size of a digest entry: key · version · tombstone bool. */
export function digestEntryBytes(e: KvDigestEntry): number {
  checkVersion(e.version);
  return keyBytes(e.key) + versionBytes + 1;
}

/** Writes a digest entry. */
export function writeDigestEntry(w: Writer, e: KvDigestEntry): void {
  writeString(w, e.key);
  writeVersion(w, e.version);
  w.u8(e.tombstone ? 1 : 0);
}

/** Reads a digest entry. */
export function readDigestEntry(r: Reader): KvDigestEntry {
  const key = readKey(r);
  const version = readVersion(r);
  const tombstone = r.bool('tombstone');
  return { key, version, tombstone };
}

// --- cursor: presence bool · [position · key] ----------------------------------------------------------

/** Encoded size of an optional cursor. */
export function cursorBytes(c: KvCursor | null): number {
  if (c === null) return 1;
  checkPosition(c.position, 'cursor position');
  return 1 + positionBytes + keyBytes(c.key);
}

/** Writes an optional cursor. */
export function writeCursor(w: Writer, c: KvCursor | null): void {
  w.u8(c === null ? 0 : 1);
  if (c === null) return;
  writePosition(w, c.position);
  writeString(w, c.key);
}

/** Reads an optional cursor. */
export function readCursor(r: Reader): KvCursor | null {
  if (!r.bool('cursor present')) return null;
  const position = readPosition(r, 'cursor position');
  const key = readKey(r);
  return { position, key };
}
