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

/** Encodes `ops` (in order) as one frame payload. */
export function encodeWalOps(ops: readonly WalOp[], from = 0, to = ops.length): Uint8Array {
  let bytes = 0;
  for (let i = from; i < to; i++) {
    const op = ops[i]!;
    bytes += 7 + op.key.length + (op.value?.length ?? 0);
  }
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = from; i < to; i++) {
    const op = ops[i]!;
    assert(op.key.length <= keyBytesMax, 'a logged key fits a u16 length');
    out[at] = op.db;
    view.setUint16(at + 1, op.key.length, true);
    out.set(op.key, at + 3);
    at += 3 + op.key.length;
    if (op.value === null) {
      view.setUint32(at, removal, true);
      at += 4;
    } else {
      assert(op.value.length < removal, 'a logged value fits below the removal marker');
      view.setUint32(at, op.value.length, true);
      out.set(op.value, at + 4);
      at += 4 + op.value.length;
    }
  }
  assert(at === bytes, 'encoded exactly the computed size');
  return out;
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
