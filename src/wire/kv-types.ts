/**
 * KV messages: coordinator ↔ replica operations, range streaming (re-replication, handoff, hint
 * replay, repair pushes) and Merkle anti-entropy exchanges (Dynamo §4.5–§4.7).
 *
 * MERGE NOTE (for the lead). These messages are prepared but deliberately NOT yet part of `Msg`,
 * because membership and simulator code switch exhaustively over `Msg`. To merge:
 *   1. types.ts: add `| KvMsg` to the `Msg` union (and re-export the KV types if convenient);
 *   2. type-ids.ts: spread `kvTypeIds` (kv-type-ids.ts) into `typeIds` (ids 32..41, unchanged);
 *   3. message-codecs.ts: spread `kvMessageCodecs` (kv-codecs.ts) into `messageCodecs`; the
 *      `KvMessageCodec` shape is identical to `MessageCodec`, so the entries drop in as they are;
 *   4. describe.ts: add one line per KV message; docs/protocol.md: add the bodies listed in
 *      kv-codecs.ts and the limits in kv-limits.ts;
 *   5. every exhaustive `switch (msg.type)` in membership and sim must then ignore `kv-*` types
 *      (a `default` branch or an explicit case list).
 *
 * Conventions: `reqId` is local to the node that sent the request (a coordinator's or repairer's
 * counter) and is echoed in the reply, so replies are matched without global ids. A record whose
 * `value` is null is a tombstone (a delete).
 */

/**
 * A hybrid logical clock timestamp (Kulkarni et al. 2014) plus the issuing node's id: the version
 * of a write. Ordered by (physicalMs, logical, nodeId); see src/kv/hlc.ts.
 */
export interface KvVersion {
  /** Wall-clock part, milliseconds since the epoch (virtual ms in the simulator); 0..2^48-1. */
  readonly physicalMs: number;
  /** Logical counter within one physicalMs; 0..65535. */
  readonly logical: number;
  /** Issuing node's 32-bit id: breaks ties so the order is total. */
  readonly nodeId: number;
}

/**
 * A range of ring positions: `start` exclusive, `end` inclusive, wrapping past 2^53 - 1 to 0.
 * `start === end` is the whole ring (what a single token owns).
 */
export interface KvRange {
  readonly start: number;
  readonly end: number;
}

/** Where a range scan resumes: strictly after this (position, key) in range order. */
export interface KvCursor {
  readonly position: number;
  readonly key: string;
}

/** What a coordinator asks a replica to do. `repair-write` is an unconditional LWW apply (read repair, hint replay). */
export type KvOp = 'create' | 'read' | 'update' | 'delete' | 'put' | 'repair-write';

/**
 * Outcome a replica reports. `stale`: the write lost last-writer-wins to a newer local version
 * (carried in the reply). The error statuses mirror KV_ERR_* codes (docs/errors.md).
 */
export type KvStatus =
  | 'ok'
  | 'not-found'
  | 'exists'
  | 'stale'
  | 'key-too-large'
  | 'value-too-large'
  | 'key-invalid'
  | 'clock-drift'
  | 'storage-full'
  | 'not-owner'
  | 'overloaded'
  | 'bad-request';

/** One full record: a value (or tombstone when `value` is null) and its version. */
export interface KvRecordEntry {
  readonly key: string;
  readonly value: Uint8Array | null;
  readonly version: KvVersion;
}

/** One record's digest: enough to decide which side is newer without shipping the value. */
export interface KvDigestEntry {
  readonly key: string;
  readonly version: KvVersion;
  readonly tombstone: boolean;
}

/**
 * Coordinator → replica: one operation on one key. Writes carry the coordinator-assigned
 * `version`; `value` is null for read and delete (and for a repair-write of a tombstone).
 */
export interface KvRequestMsg {
  readonly type: 'kv-req';
  readonly reqId: number;
  readonly op: KvOp;
  readonly key: string;
  readonly value: Uint8Array | null;
  readonly version: KvVersion | null;
}

/**
 * Replica → coordinator. For a read: `ok` with value and version, or `not-found` (with the
 * tombstone's version if one is held, so the coordinator can read-repair deletes). For a write:
 * `ok`, `exists`/`not-found` (create/update/delete preconditions), or `stale` with the newer
 * local version.
 */
export interface KvResponseMsg {
  readonly type: 'kv-rep';
  readonly reqId: number;
  readonly status: KvStatus;
  readonly value: Uint8Array | null;
  readonly version: KvVersion | null;
}

/** Why records are being streamed; the receiver applies all of them with LWW either way. */
export type KvBatchKind = 'transfer' | 'hint' | 'repair';

/**
 * Sender → receiver: one batch of a stream of records of `range` (re-replication and handoff to
 * new owners, hint replay, Merkle repair pushes). `seq` counts batches within `streamId` from 0;
 * `last` marks the final batch. The receiver answers each batch with a `kv-range-ack`, which is
 * the sender's flow control (one batch in flight) and its proof that the range was delivered.
 */
export interface KvRangeBatchMsg {
  readonly type: 'kv-range-batch';
  readonly streamId: number;
  readonly seq: number;
  readonly kind: KvBatchKind;
  readonly range: KvRange;
  readonly entries: readonly KvRecordEntry[];
  readonly last: boolean;
}

/** Receiver → sender: batch `seq` of `streamId` applied; `applied` entries won LWW. */
export interface KvRangeAckMsg {
  readonly type: 'kv-range-ack';
  readonly streamId: number;
  readonly seq: number;
  readonly status: KvStatus;
  readonly applied: number;
}

/**
 * Repairer → peer: "send me your Merkle hashes of `range` (a tree of `depth`) for these node
 * indices at `level`" (level 0 is the root; indices are 0..2^level-1 within the level).
 */
export interface KvMerkleRequestMsg {
  readonly type: 'kv-merkle-req';
  readonly reqId: number;
  readonly range: KvRange;
  readonly depth: number;
  readonly level: number;
  readonly nodes: readonly number[];
}

/**
 * Peer → repairer: the requested hashes, two u32 words per requested node in request order
 * (`hashes.length === 2 * nodes.length`), or a non-ok status and no hashes.
 */
export interface KvMerkleReplyMsg {
  readonly type: 'kv-merkle-rep';
  readonly reqId: number;
  readonly status: KvStatus;
  readonly level: number;
  readonly hashes: readonly number[];
}

/** Repairer → peer: digests of up to `limit` keys of `range` (a differing leaf), after `after`. */
export interface KvKeysRequestMsg {
  readonly type: 'kv-keys-req';
  readonly reqId: number;
  readonly range: KvRange;
  readonly after: KvCursor | null;
  readonly limit: number;
}

/** Peer → repairer: digests in range order; `more` means call again after the last entry. */
export interface KvKeysReplyMsg {
  readonly type: 'kv-keys-rep';
  readonly reqId: number;
  readonly status: KvStatus;
  readonly entries: readonly KvDigestEntry[];
  readonly more: boolean;
}

/** Repairer → peer: send me your records of these keys (the ones the digests showed newer there). */
export interface KvFetchRequestMsg {
  readonly type: 'kv-fetch-req';
  readonly reqId: number;
  readonly keys: readonly string[];
}

/** Peer → repairer: the records it holds of the requested keys (absent keys are omitted). */
export interface KvFetchReplyMsg {
  readonly type: 'kv-fetch-rep';
  readonly reqId: number;
  readonly status: KvStatus;
  readonly entries: readonly KvRecordEntry[];
}

/** Every KV message. Joins `Msg` at merge time (see the note at the top of this file). */
export type KvMsg =
  | KvRequestMsg
  | KvResponseMsg
  | KvRangeBatchMsg
  | KvRangeAckMsg
  | KvMerkleRequestMsg
  | KvMerkleReplyMsg
  | KvKeysRequestMsg
  | KvKeysReplyMsg
  | KvFetchRequestMsg
  | KvFetchReplyMsg;

/** The `type` discriminants of KV messages. */
export type KvMsgType = KvMsg['type'];
