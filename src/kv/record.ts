import type { Result } from '../lib/result.js';
import { err, ok } from '../lib/result.js';
import { kvKeyBytesMax, kvValueBytesMax } from '../wire/kv-limits.js';
import type { KvError } from './errors.js';
import { kvError } from './errors.js';
import type { Version, Versioned } from './version.js';

/**
 * What a replica stores per key: the LWW winner so far. A delete is stored as a tombstone (value
 * null) so that an older value arriving later (a late write, a hint, a repair) loses to it instead
 * of resurrecting the key. Tombstones are kept for a grace period, then purged (Cassandra's
 * gc_grace_seconds); see `tombstoneGraceMsDefault` for the trade-off.
 */

/** Longest key, in UTF-8 bytes (the wire limit, so every stored key can be streamed). */
export const keyBytesMax = kvKeyBytesMax;

/** Largest value, in bytes (the wire limit). */
export const valueBytesMax = kvValueBytesMax;

/**
 * How long a tombstone is kept after its write, in ms: 1 day. It must outlast the time a delete
 * can take to reach every replica: the hint window (hints.ts, 3 h) plus enough anti-entropy rounds
 * for every range to be compared at least once, with margin. If a replica missed the delete and
 * no hint or repair reaches it before the tombstones elsewhere are purged, the old value comes back
 * ("zombie" data, docs/consistency.md). Longer grace costs disk and scan time for deleted keys;
 * Cassandra defaults to 10 days because its repair is run by operators, typically weekly, while
 * ringkv runs anti-entropy continuously. See `tombstoneGraceIsSafe`.
 */
export const tombstoneGraceMsDefault = 24 * 60 * 60 * 1000;

/** Fixed per-record overhead counted in storage byte stats (version, purge time, bookkeeping). */
export const recordOverheadBytes = 32;

/** A stored record: a value or a tombstone (value null), its version, and when a tombstone may go. */
export interface StoredRecord extends Versioned {
  readonly value: Uint8Array | null;
  readonly version: Version;
  /**
   * For a tombstone: the time (ms, same clock as the version) after which it may be purged,
   * `version.physicalMs + graceMs`. Derived from the version rather than from arrival time, so
   * every replica purges a given tombstone at about the same moment. 0 for values.
   */
  readonly purgeAfterMs: number;
}

/** A live value record. */
export function valueRecord(value: Uint8Array, version: Version): StoredRecord {
  return { value, version, purgeAfterMs: 0 };
}

/** A tombstone record, purgeable `graceMs` after its version's physical time. */
export function tombstoneRecord(version: Version, graceMs: number = tombstoneGraceMsDefault): StoredRecord {
  return { value: null, version, purgeAfterMs: version.physicalMs + graceMs };
}

/** A stored record from a wire record (value null = tombstone). */
export function recordFrom(value: Uint8Array | null, version: Version, graceMs: number = tombstoneGraceMsDefault): StoredRecord {
  return value === null ? tombstoneRecord(version, graceMs) : valueRecord(value, version);
}

/** True for a tombstone. */
export function isTombstone(record: Versioned): boolean {
  return record.value === null;
}

/**
 * UTF-8 byte length of `key`, or -1 if it has a lone surrogate (not encodable as UTF-8, so it
 * could not be stored by a byte-keyed engine or sent on the wire).
 */
export function keyUtf8Bytes(key: string): number {
  let bytes = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < key.length ? key.charCodeAt(i + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return -1;
      bytes += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else bytes += 3;
  }
  return bytes;
}

/** Checks a client key: well-formed UTF-16 and at most `keyBytesMax` UTF-8 bytes. Returns its UTF-8 length. */
export function validateKey(key: string): Result<number, KvError> {
  const bytes = keyUtf8Bytes(key);
  if (bytes < 0) return err(kvError('KV_ERR_KEY_INVALID', 'key contains a lone surrogate (not valid UTF-8)'));
  if (bytes > keyBytesMax) return err(kvError('KV_ERR_KEY_TOO_LARGE', `key is ${bytes} bytes, limit ${keyBytesMax}`));
  return ok(bytes);
}

/** Checks a value's size. */
export function validateValue(value: Uint8Array | null): Result<null, KvError> {
  if (value !== null && value.length > valueBytesMax) {
    return err(kvError('KV_ERR_VALUE_TOO_LARGE', `value is ${value.length} bytes, limit ${valueBytesMax}`));
  }
  return ok(null);
}

/** Bytes a record of a key with `keyBytes` UTF-8 bytes counts for in storage stats. */
export function recordBytes(keyBytes: number, record: StoredRecord): number {
  return keyBytes + (record.value === null ? 0 : record.value.length) + recordOverheadBytes;
}

/**
 * True when `graceMs` leaves room for a delete to reach every replica: longer than the hint window
 * plus `antiEntropyRounds` full anti-entropy cycles of `antiEntropyCycleMs` (every range compared
 * once per cycle). Default 3 rounds: one may fail, one may overlap a membership change.
 */
export function tombstoneGraceIsSafe(graceMs: number, hintWindowMs: number, antiEntropyCycleMs: number, antiEntropyRounds = 3): boolean {
  return graceMs > hintWindowMs + antiEntropyRounds * antiEntropyCycleMs;
}
