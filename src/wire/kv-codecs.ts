import {
  batchKindCodec,
  checkVersion,
  cursorBytes,
  digestEntryBytes,
  digestEntryBytesMin,
  keyBytes,
  kvRecordEntryBytes,
  maybeValueVersionBytes,
  opCodec,
  rangeBytes,
  readCursor,
  readDigestEntry,
  readKey,
  readMaybeValueVersion,
  readRange,
  readRecordEntry,
  recordEntryBytesMin,
  statusCodec,
  writeCursor,
  writeDigestEntry,
  writeMaybeValueVersion,
  writeRange,
  writeRecordEntry,
  writeU32,
} from './kv-fields.js';
import { kvBatchEntriesMax, kvFetchKeysMax, kvMerkleDepthMax, kvMerkleNodesPerMsgMax } from './kv-limits.js';
import { kvTypeIds } from './kv-type-ids.js';
import type {
  KvDigestEntry,
  KvFetchReplyMsg,
  KvFetchRequestMsg,
  KvKeysReplyMsg,
  KvKeysRequestMsg,
  KvMerkleReplyMsg,
  KvMerkleRequestMsg,
  KvMsg,
  KvMsgType,
  KvRangeAckMsg,
  KvRangeBatchMsg,
  KvRecordEntry,
  KvRequestMsg,
  KvResponseMsg,
} from './kv-types.js';
import { writeString, u32Bytes } from './fields.js';
import { assertFailed } from './invariant.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/**
 * Codecs of the KV messages, one per type, in the shape of `MessageCodec` (message-codecs.ts) so
 * they drop into `messageCodecs` when `KvMsg` joins `Msg`. Bodies (docs/protocol.md at merge):
 *
 * | type | body |
 * |---|---|
 * | kv-req | reqId: varint · op: u8 · key: string(1024) · presence: u8 (bit0 value, bit1 version) · [value: bytes(1 MiB)] · [version: 12 bytes] |
 * | kv-rep | reqId: varint · status: u8 · presence: u8 · [value] · [version] |
 * | kv-range-batch | streamId: varint · seq: varint · kind: u8 · range: 16 bytes · last: bool · count: varint (≤ 4096) · count × record |
 * | kv-range-ack | streamId: varint · seq: varint · status: u8 · applied: varint |
 * | kv-merkle-req | reqId: varint · range · depth: u8 (≤ 16) · level: u8 (≤ depth) · count: varint (≤ 4096) · count × node: varint (< 2^level) |
 * | kv-merkle-rep | reqId: varint · status: u8 · level: u8 (≤ 16) · count: varint (≤ 4096) · count × (u32 · u32) |
 * | kv-keys-req | reqId: varint · range · cursor: bool · [position: 8 bytes · key] · limit: varint (1..4096) |
 * | kv-keys-rep | reqId: varint · status: u8 · more: bool · count: varint (≤ 4096) · count × (key · version · tombstone: bool) |
 * | kv-fetch-req | reqId: varint · count: varint (≤ 1024) · count × key |
 * | kv-fetch-rep | reqId: varint · status: u8 · count: varint (≤ 4096) · count × record |
 *
 * record = key · presence: u8 (bit1 must be set; bit0 set unless tombstone) · [value] · version.
 * version = physicalMs (u16 high, u32 low) · logical u16 · nodeId u32, big-endian.
 * position = u32 high (< 2^21) · u32 low; range = start position · end position.
 */
export interface KvMessageCodec<M extends KvMsg> {
  /** The stable wire id (kv-type-ids.ts). */
  readonly typeId: number;
  /** Exact body size in bytes; asserts that `msg` is valid and within limits. */
  bodyBytes(msg: M): number;
  /** Writes the body; `bodyBytes(msg)` has already run and validated `msg`. */
  write(w: Writer, msg: M): void;
  /** Reads a body. Total: on bad input the reader's sticky error is set and the result is discarded. */
  read(r: Reader): M;
}

type KvCodecTable = { readonly [T in KvMsgType]: KvMessageCodec<Extract<KvMsg, { type: T }>> };

function checkCount(n: number, max: number, what: string): void {
  if (n > max) assertFailed(`${what}: ${n} exceeds limit ${max}`);
}

function recordsBytes(entries: readonly KvRecordEntry[], what: string): number {
  checkCount(entries.length, kvBatchEntriesMax, what);
  let bytes = u32Bytes(entries.length, 'entry count');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    // A record must carry its version: a versionless record cannot be ordered by LWW.
    checkVersion(e.version);
    bytes += kvRecordEntryBytes(e);
  }
  return bytes;
}

function writeRecords(w: Writer, entries: readonly KvRecordEntry[]): void {
  w.varint(entries.length);
  for (const e of entries) writeRecordEntry(w, e);
}

function readRecords(r: Reader): KvRecordEntry[] {
  const n = r.count('entry count', kvBatchEntriesMax, recordEntryBytesMin);
  const entries: KvRecordEntry[] = [];
  for (let i = 0; i < n && !r.failed; i++) entries.push(readRecordEntry(r));
  return entries;
}

const request: KvMessageCodec<KvRequestMsg> = {
  typeId: kvTypeIds['kv-req'],
  bodyBytes: (m) => {
    opCodec.id(m.op);
    return u32Bytes(m.reqId, 'reqId') + 1 + keyBytes(m.key) + maybeValueVersionBytes(m.value, m.version);
  },
  write: (w, m) => {
    w.varint(m.reqId);
    w.u8(opCodec.id(m.op));
    writeString(w, m.key);
    writeMaybeValueVersion(w, m.value, m.version);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const op = opCodec.read(r);
    const key = readKey(r);
    const { value, version } = readMaybeValueVersion(r);
    return { type: 'kv-req', reqId, op, key, value, version };
  },
};

const response: KvMessageCodec<KvResponseMsg> = {
  typeId: kvTypeIds['kv-rep'],
  bodyBytes: (m) => {
    statusCodec.id(m.status);
    return u32Bytes(m.reqId, 'reqId') + 1 + maybeValueVersionBytes(m.value, m.version);
  },
  write: (w, m) => {
    w.varint(m.reqId);
    w.u8(statusCodec.id(m.status));
    writeMaybeValueVersion(w, m.value, m.version);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const status = statusCodec.read(r);
    const { value, version } = readMaybeValueVersion(r);
    return { type: 'kv-rep', reqId, status, value, version };
  },
};

const rangeBatch: KvMessageCodec<KvRangeBatchMsg> = {
  typeId: kvTypeIds['kv-range-batch'],
  bodyBytes: (m) => {
    batchKindCodec.id(m.kind);
    return u32Bytes(m.streamId, 'streamId') + u32Bytes(m.seq, 'seq') + 1 + rangeBytes(m.range) + 1 + recordsBytes(m.entries, 'range batch');
  },
  write: (w, m) => {
    w.varint(m.streamId);
    w.varint(m.seq);
    w.u8(batchKindCodec.id(m.kind));
    writeRange(w, m.range);
    w.u8(m.last ? 1 : 0);
    writeRecords(w, m.entries);
  },
  read: (r) => {
    const streamId = r.varint('streamId');
    const seq = r.varint('seq');
    const kind = batchKindCodec.read(r);
    const range = readRange(r);
    const last = r.bool('last');
    const entries = readRecords(r);
    return { type: 'kv-range-batch', streamId, seq, kind, range, last, entries };
  },
};

const rangeAck: KvMessageCodec<KvRangeAckMsg> = {
  typeId: kvTypeIds['kv-range-ack'],
  bodyBytes: (m) => {
    statusCodec.id(m.status);
    return u32Bytes(m.streamId, 'streamId') + u32Bytes(m.seq, 'seq') + 1 + u32Bytes(m.applied, 'applied');
  },
  write: (w, m) => {
    w.varint(m.streamId);
    w.varint(m.seq);
    w.u8(statusCodec.id(m.status));
    w.varint(m.applied);
  },
  read: (r) => {
    const streamId = r.varint('streamId');
    const seq = r.varint('seq');
    const status = statusCodec.read(r);
    const applied = r.varint('applied');
    return { type: 'kv-range-ack', streamId, seq, status, applied };
  },
};

function checkLevel(depth: number, level: number): void {
  if (!Number.isInteger(depth) || depth < 0 || depth > kvMerkleDepthMax) assertFailed(`merkle depth ${depth} out of range`);
  if (!Number.isInteger(level) || level < 0 || level > depth) assertFailed(`merkle level ${level} out of range 0..${depth}`);
}

const merkleRequest: KvMessageCodec<KvMerkleRequestMsg> = {
  typeId: kvTypeIds['kv-merkle-req'],
  bodyBytes: (m) => {
    checkLevel(m.depth, m.level);
    checkCount(m.nodes.length, kvMerkleNodesPerMsgMax, 'merkle nodes');
    let bytes = u32Bytes(m.reqId, 'reqId') + rangeBytes(m.range) + 2 + u32Bytes(m.nodes.length, 'node count');
    const width = 2 ** m.level;
    for (const n of m.nodes) {
      if (!Number.isInteger(n) || n < 0 || n >= width) assertFailed(`merkle node ${n} outside level ${m.level}`);
      bytes += u32Bytes(n, 'node');
    }
    return bytes;
  },
  write: (w, m) => {
    w.varint(m.reqId);
    writeRange(w, m.range);
    w.u8(m.depth);
    w.u8(m.level);
    w.varint(m.nodes.length);
    for (const n of m.nodes) w.varint(n);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const range = readRange(r);
    const depth = r.u8();
    const level = r.u8();
    if (depth > kvMerkleDepthMax) r.fail('WIRE_ERR_LIMIT_EXCEEDED', `merkle depth ${depth} exceeds ${kvMerkleDepthMax}`);
    if (level > depth) r.fail('WIRE_ERR_MALFORMED', `merkle level ${level} deeper than depth ${depth}`);
    const n = r.count('node count', kvMerkleNodesPerMsgMax, 1);
    const width = 2 ** level;
    const nodes: number[] = [];
    for (let i = 0; i < n && !r.failed; i++) {
      const node = r.varint('node');
      if (node >= width) r.fail('WIRE_ERR_MALFORMED', `merkle node ${node} outside level ${level}`);
      nodes.push(node);
    }
    return { type: 'kv-merkle-req', reqId, range, depth, level, nodes };
  },
};

const merkleReply: KvMessageCodec<KvMerkleReplyMsg> = {
  typeId: kvTypeIds['kv-merkle-rep'],
  bodyBytes: (m) => {
    checkLevel(kvMerkleDepthMax, m.level);
    if (m.hashes.length % 2 !== 0) assertFailed('merkle hashes come in pairs of u32 words');
    const n = m.hashes.length / 2;
    checkCount(n, kvMerkleNodesPerMsgMax, 'merkle hashes');
    for (const h of m.hashes) if (h >>> 0 !== h) assertFailed(`merkle hash word ${h} is not a u32`);
    statusCodec.id(m.status);
    return u32Bytes(m.reqId, 'reqId') + 2 + u32Bytes(n, 'hash count') + 8 * n;
  },
  write: (w, m) => {
    w.varint(m.reqId);
    w.u8(statusCodec.id(m.status));
    w.u8(m.level);
    w.varint(m.hashes.length / 2);
    for (const h of m.hashes) writeU32(w, h);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const status = statusCodec.read(r);
    const level = r.u8();
    if (level > kvMerkleDepthMax) r.fail('WIRE_ERR_LIMIT_EXCEEDED', `merkle level ${level} exceeds ${kvMerkleDepthMax}`);
    const n = r.count('hash count', kvMerkleNodesPerMsgMax, 8);
    const hashes: number[] = [];
    for (let i = 0; i < 2 * n && !r.failed; i++) hashes.push(r.u32());
    return { type: 'kv-merkle-rep', reqId, status, level, hashes };
  },
};

const keysRequest: KvMessageCodec<KvKeysRequestMsg> = {
  typeId: kvTypeIds['kv-keys-req'],
  bodyBytes: (m) => {
    if (!Number.isInteger(m.limit) || m.limit < 1 || m.limit > kvBatchEntriesMax) assertFailed(`keys limit ${m.limit} outside 1..${kvBatchEntriesMax}`);
    return u32Bytes(m.reqId, 'reqId') + rangeBytes(m.range) + cursorBytes(m.after) + u32Bytes(m.limit, 'limit');
  },
  write: (w, m) => {
    w.varint(m.reqId);
    writeRange(w, m.range);
    writeCursor(w, m.after);
    w.varint(m.limit);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const range = readRange(r);
    const after = readCursor(r);
    const limit = r.varint('limit');
    if (!r.failed && (limit < 1 || limit > kvBatchEntriesMax)) r.fail('WIRE_ERR_LIMIT_EXCEEDED', `keys limit ${limit} outside 1..${kvBatchEntriesMax}`);
    return { type: 'kv-keys-req', reqId, range, after, limit };
  },
};

const keysReply: KvMessageCodec<KvKeysReplyMsg> = {
  typeId: kvTypeIds['kv-keys-rep'],
  bodyBytes: (m) => {
    checkCount(m.entries.length, kvBatchEntriesMax, 'digests');
    statusCodec.id(m.status);
    let bytes = u32Bytes(m.reqId, 'reqId') + 2 + u32Bytes(m.entries.length, 'entry count');
    for (const e of m.entries) bytes += digestEntryBytes(e);
    return bytes;
  },
  write: (w, m) => {
    w.varint(m.reqId);
    w.u8(statusCodec.id(m.status));
    w.u8(m.more ? 1 : 0);
    w.varint(m.entries.length);
    for (const e of m.entries) writeDigestEntry(w, e);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const status = statusCodec.read(r);
    const more = r.bool('more');
    const n = r.count('entry count', kvBatchEntriesMax, digestEntryBytesMin);
    const entries: KvDigestEntry[] = [];
    for (let i = 0; i < n && !r.failed; i++) entries.push(readDigestEntry(r));
    return { type: 'kv-keys-rep', reqId, status, more, entries };
  },
};

const fetchRequest: KvMessageCodec<KvFetchRequestMsg> = {
  typeId: kvTypeIds['kv-fetch-req'],
  bodyBytes: (m) => {
    checkCount(m.keys.length, kvFetchKeysMax, 'fetch keys');
    let bytes = u32Bytes(m.reqId, 'reqId') + u32Bytes(m.keys.length, 'key count');
    for (const k of m.keys) bytes += keyBytes(k);
    return bytes;
  },
  write: (w, m) => {
    w.varint(m.reqId);
    w.varint(m.keys.length);
    for (const k of m.keys) writeString(w, k);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const n = r.count('key count', kvFetchKeysMax, 1);
    const keys: string[] = [];
    for (let i = 0; i < n && !r.failed; i++) keys.push(readKey(r));
    return { type: 'kv-fetch-req', reqId, keys };
  },
};

const fetchReply: KvMessageCodec<KvFetchReplyMsg> = {
  typeId: kvTypeIds['kv-fetch-rep'],
  bodyBytes: (m) => {
    statusCodec.id(m.status);
    return u32Bytes(m.reqId, 'reqId') + 1 + recordsBytes(m.entries, 'fetch reply');
  },
  write: (w, m) => {
    w.varint(m.reqId);
    w.u8(statusCodec.id(m.status));
    writeRecords(w, m.entries);
  },
  read: (r) => {
    const reqId = r.varint('reqId');
    const status = statusCodec.read(r);
    const entries = readRecords(r);
    return { type: 'kv-fetch-rep', reqId, status, entries };
  },
};

/** Every KV message type's codec, keyed by the `type` discriminant. */
export const kvMessageCodecs: KvCodecTable = {
  'kv-req': request,
  'kv-rep': response,
  'kv-range-batch': rangeBatch,
  'kv-range-ack': rangeAck,
  'kv-merkle-req': merkleRequest,
  'kv-merkle-rep': merkleReply,
  'kv-keys-req': keysRequest,
  'kv-keys-rep': keysReply,
  'kv-fetch-req': fetchRequest,
  'kv-fetch-rep': fetchReply,
};

/** The codec for a KV message, looked up by its `type`. */
export function kvCodecFor<M extends KvMsg>(msg: M): KvMessageCodec<M> {
  return kvMessageCodecs[msg.type as KvMsgType] as unknown as KvMessageCodec<M>;
}
