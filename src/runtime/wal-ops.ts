import { assert } from '../lib/assert.js';
import { RecordCorruptError } from './record-codec.js';

/**
 * The payload of a write-ahead log frame (write-ahead-log.ts): the raw LMDB operations of one
 * storage batch, in order. Each is `db (u8) | key length (u16 LE) | key | value length (u32 LE) |
 * value`, where the value length 0xFFFFFFFF marks a removal. Replaying raw puts and removals (not
 * LWW applies) in order is what makes recovery exact: any suffix of the sequence that starts at or
 * before LMDB's state, replayed over it, ends in the state after the last operation.
 */

/** The LMDB databases a logged operation targets (lmdb-storage.ts). */
export const walDbRecords = 0;
export const walDbPurge = 1;
export const walDbMeta = 2;
export type WalDb = typeof walDbRecords | typeof walDbPurge | typeof walDbMeta;

/** One logged operation: a put of `value`, or a removal when `value` is null. */
export interface WalOp {
  readonly db: WalDb;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

const removal = 0xffff_ffff;
const keyBytesMax = 0xffff;

/** Bytes a frame builder starts with; it doubles as a group's operations need. */
export const walFrameBuilderBytesInitial = 1024;

/**
 * Builds one frame payload operation by operation. Each `add` returns the operation's offset, so
 * the store can point at a queued write's bytes (`walOpKeyAt`, `walOpValueAt`) instead of keeping
 * it as JavaScript objects: queued writes live for a checkpoint interval, long enough for the
 * garbage collector to copy and promote every object they hold (docs/benchmarks.md), while bytes
 * in an ArrayBuffer are never copied by it. Bytes once added are never written again, and a
 * buffer outgrown is left as it was, so views into earlier results stay valid.
 */
export class WalFrameBuilder {
  private bytes = new Uint8Array(walFrameBuilderBytesInitial);
  private view = new DataView(this.bytes.buffer);
  private used = 0;
  private count = 0;

  /** Operations added since the last `take`. */
  get ops(): number {
    return this.count;
  }

  /** Appends a put of `value`, or a removal when `value` is null; returns the operation's offset. */
  add(db: WalDb, key: Uint8Array, value: Uint8Array | null): number {
    assert(key.length <= keyBytesMax, 'a logged key fits a u16 length');
    assert(value === null || value.length < removal, 'a logged value fits below the removal marker');
    const at = this.used;
    this.reserve(7 + key.length + (value?.length ?? 0));
    const out = this.bytes;
    out[at] = db;
    this.view.setUint16(at + 1, key.length, true);
    out.set(key, at + 3);
    let end = at + 3 + key.length;
    if (value === null) {
      this.view.setUint32(end, removal, true);
      end += 4;
    } else {
      this.view.setUint32(end, value.length, true);
      out.set(value, end + 4);
      end += 4 + value.length;
    }
    this.used = end;
    this.count++;
    return at;
  }

  /** The operations added since the last `take`, as a view (valid as long as the caller keeps it). */
  current(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }

  /**
   * The payload of the operations added since the last `take`; the builder starts a new one. A
   * payload using less than half its buffer is copied out, so a frame kept until its checkpoint
   * never holds on to much more memory than its operations (say, after one group's large value).
   */
  take(): Uint8Array {
    const payload = 2 * this.used < this.bytes.length ? this.bytes.slice(0, this.used) : this.current();
    this.bytes = new Uint8Array(Math.max(walFrameBuilderBytesInitial, Math.min(this.bytes.length, 2 * this.used)));
    this.view = new DataView(this.bytes.buffer);
    this.used = 0;
    this.count = 0;
    return payload;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < this.used + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** Encodes `ops` (in order) as one frame payload. */
export function encodeWalOps(ops: readonly WalOp[], from = 0, to = ops.length): Uint8Array {
  const builder = new WalFrameBuilder();
  for (let i = from; i < to; i++) builder.add(ops[i]!.db, ops[i]!.key, ops[i]!.value);
  return builder.take();
}

/** Where the key of the operation at `at` starts (after its db byte and u16 key length). */
export function walOpKeyStart(at: number): number {
  return at + 3;
}

/** The key of the operation at `at` in a payload this process built (a view). */
export function walOpKeyAt(payload: Uint8Array, at: number): Uint8Array {
  const keyLength = payload[at + 1]! | (payload[at + 2]! << 8);
  return payload.subarray(walOpKeyStart(at), walOpKeyStart(at) + keyLength);
}

/** The value of the operation at `at` in a payload this process built (a view), or null for a removal. */
export function walOpValueAt(payload: Uint8Array, at: number): Uint8Array | null {
  const valueAt = walOpKeyStart(at) + (payload[at + 1]! | (payload[at + 2]! << 8));
  const valueLength = (payload[valueAt]! | (payload[valueAt + 1]! << 8) | (payload[valueAt + 2]! << 16) | (payload[valueAt + 3]! << 24)) >>> 0;
  return valueLength === removal ? null : payload.subarray(valueAt + 4, valueAt + 4 + valueLength);
}

/**
 * Decodes a payload that passed its frame's CRC; a payload that still does not parse means the log
 * was written wrongly (RecordCorruptError). Keys and values are views into `payload`.
 */
export function decodeWalOps(payload: Uint8Array): WalOp[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const ops: WalOp[] = [];
  let at = 0;
  const need = (n: number): void => {
    if (payload.length - at < n) throw new RecordCorruptError('a write-ahead log frame ends inside an operation');
  };
  while (at < payload.length) {
    need(3);
    const db = payload[at]!;
    if (db !== walDbRecords && db !== walDbPurge && db !== walDbMeta) throw new RecordCorruptError(`a write-ahead log operation names db ${db}`);
    const keyLength = view.getUint16(at + 1, true);
    at += 3;
    need(keyLength + 4);
    const key = payload.subarray(at, at + keyLength);
    at += keyLength;
    const valueLength = view.getUint32(at, true);
    at += 4;
    if (valueLength === removal) {
      ops.push({ db, key, value: null });
      continue;
    }
    need(valueLength);
    ops.push({ db, key, value: payload.subarray(at, at + valueLength) });
    at += valueLength;
  }
  return ops;
}
