import { heartbeatEntriesMax, pushPullEntriesMax } from './limits.js';
import {
  metaBytes,
  nameBytes,
  nodeRefBytes,
  nodeRefBytesMin,
  readMeta,
  readName,
  readNodeRef,
  readState,
  stateId,
  u32Bytes,
  writeMeta,
  writeNodeRef,
  writeString,
} from './fields.js';
import type { Reader } from './reader.js';
import { typeIds } from './type-ids.js';
import { kvMessageCodecs } from './kv-codecs.js';
import type {
  AckMsg,
  AliveMsg,
  DeadMsg,
  HeartbeatEntry,
  HeartbeatMsg,
  IndirectPingMsg,
  JoinReplyMsg,
  JoinRequestMsg,
  Msg,
  MsgType,
  NackMsg,
  PingMsg,
  PushPullEntry,
  PushPullMsg,
  SuspectMsg,
} from './types.js';
import { assertFailed } from './invariant.js';
import type { Writer } from './writer.js';

/**
 * One encoder/decoder pair per message type. Adding a message type means adding its variant to
 * `Msg` (types.ts), an id to `typeIds` and an entry to `messageCodecs`; the mapped type below makes
 * the compiler insist on all three.
 */
export interface MessageCodec<M extends Msg> {
  /** The stable wire id (from type-ids.ts). */
  readonly typeId: number;
  /** Exact body size in bytes; asserts that `msg` is valid and within limits. Must not allocate. */
  bodyBytes(msg: M): number;
  /** Writes the body; `bodyBytes(msg)` has already run and validated `msg`. */
  write(w: Writer, msg: M): void;
  /** Reads a body. Total: on bad input the reader's sticky error is set and the result is discarded. */
  read(r: Reader): M;
}

type CodecTable = { readonly [T in MsgType]: MessageCodec<Extract<Msg, { type: T }>> };

// --- shared shapes --------------------------------------------------------------------------------

/** Bodies that are just a sequence number (ack, nack). */
function seqOnly<M extends AckMsg | NackMsg>(type: M['type']): MessageCodec<M> {
  return {
    typeId: typeIds[type],
    bodyBytes: (m) => u32Bytes(m.seq, 'seq'),
    write: (w, m) => w.varint(m.seq),
    read: (r) => ({ type, seq: r.varint('seq') }) as M,
  };
}

/** Bodies of suspect and dead: node name, incarnation, accuser name. */
function accusation<M extends SuspectMsg | DeadMsg>(type: M['type']): MessageCodec<M> {
  return {
    typeId: typeIds[type],
    bodyBytes: (m) => nameBytes(m.node) + u32Bytes(m.incarnation, 'incarnation') + nameBytes(m.from),
    write: (w, m) => {
      writeString(w, m.node);
      w.varint(m.incarnation);
      writeString(w, m.from);
    },
    read: (r) => {
      const node = readName(r);
      const incarnation = r.varint('incarnation');
      const from = readName(r);
      return { type, node, incarnation, from } as M;
    },
  };
}

/** Smallest heartbeat entry: node ref + 1-byte heartbeat. */
const heartbeatEntryBytesMin = nodeRefBytesMin + 1;

/** Bodies of join-rep and heartbeat: source ref, entry count, entries. */
function heartbeatTable<M extends JoinReplyMsg | HeartbeatMsg>(type: M['type']): MessageCodec<M> {
  return {
    typeId: typeIds[type],
    bodyBytes: (m) => {
      const n = m.entries.length;
      if (n > heartbeatEntriesMax) assertFailed(`${type} has ${n} entries, limit ${heartbeatEntriesMax}`);
      let bytes = nodeRefBytes(m.source) + u32Bytes(n, 'entry count');
      for (let i = 0; i < n; i++) {
        const e = m.entries[i]!;
        bytes += nodeRefBytes(e.node) + u32Bytes(e.heartbeat, 'heartbeat');
      }
      return bytes;
    },
    write: (w, m) => {
      writeNodeRef(w, m.source);
      w.varint(m.entries.length);
      for (const e of m.entries) {
        writeNodeRef(w, e.node);
        w.varint(e.heartbeat);
      }
    },
    read: (r) => {
      const source = readNodeRef(r);
      const n = r.count('entry count', heartbeatEntriesMax, heartbeatEntryBytesMin);
      const entries: HeartbeatEntry[] = [];
      for (let i = 0; i < n && !r.failed; i++) {
        const node = readNodeRef(r);
        const heartbeat = r.varint('heartbeat');
        entries.push({ node, heartbeat });
      }
      // Both variants share this shape; only the discriminant differs, and `type` is M['type'].
      return { type, source, entries } as unknown as M;
    },
  };
}

// --- push-pull ------------------------------------------------------------------------------------

/** Smallest push-pull entry: node ref + 1-byte incarnation + state byte + empty meta. */
const pushPullEntryBytesMin = nodeRefBytesMin + 3;

const pushPull: MessageCodec<PushPullMsg> = {
  typeId: typeIds['push-pull'],
  bodyBytes: (m) => {
    const n = m.members.length;
    if (n > pushPullEntriesMax) assertFailed(`push-pull has ${n} entries, limit ${pushPullEntriesMax}`);
    // join, reply: one byte each.
    let bytes = 2 + nodeRefBytes(m.source) + u32Bytes(n, 'entry count');
    for (let i = 0; i < n; i++) {
      const e = m.members[i]!;
      stateId(e.state);
      bytes += nodeRefBytes(e.node) + u32Bytes(e.incarnation, 'incarnation') + 1 + metaBytes(e.meta);
    }
    return bytes;
  },
  write: (w, m) => {
    w.u8(m.join ? 1 : 0);
    w.u8(m.reply ? 1 : 0);
    writeNodeRef(w, m.source);
    w.varint(m.members.length);
    for (const e of m.members) {
      writeNodeRef(w, e.node);
      w.varint(e.incarnation);
      w.u8(stateId(e.state));
      writeMeta(w, e.meta);
    }
  },
  read: (r) => {
    const join = r.bool('join');
    const reply = r.bool('reply');
    const source = readNodeRef(r);
    const n = r.count('entry count', pushPullEntriesMax, pushPullEntryBytesMin);
    const members: PushPullEntry[] = [];
    for (let i = 0; i < n && !r.failed; i++) {
      const node = readNodeRef(r);
      const incarnation = r.varint('incarnation');
      const state = readState(r);
      const meta = readMeta(r);
      members.push({ node, incarnation, state, meta });
    }
    return { type: 'push-pull', join, reply, source, members };
  },
};

// --- the table ------------------------------------------------------------------------------------

/** Every message type's codec, keyed by the `type` discriminant. */
export const messageCodecs: CodecTable = {
  ping: {
    typeId: typeIds.ping,
    bodyBytes: (m: PingMsg) => u32Bytes(m.seq, 'seq') + nameBytes(m.target) + nodeRefBytes(m.source),
    write: (w, m) => {
      w.varint(m.seq);
      writeString(w, m.target);
      writeNodeRef(w, m.source);
    },
    read: (r) => {
      const seq = r.varint('seq');
      const target = readName(r);
      const source = readNodeRef(r);
      return { type: 'ping', seq, target, source };
    },
  },
  'indirect-ping': {
    typeId: typeIds['indirect-ping'],
    bodyBytes: (m: IndirectPingMsg) => u32Bytes(m.seq, 'seq') + nodeRefBytes(m.target) + nodeRefBytes(m.source) + 1,
    write: (w, m) => {
      w.varint(m.seq);
      writeNodeRef(w, m.target);
      writeNodeRef(w, m.source);
      w.u8(m.wantNack ? 1 : 0);
    },
    read: (r) => {
      const seq = r.varint('seq');
      const target = readNodeRef(r);
      const source = readNodeRef(r);
      const wantNack = r.bool('wantNack');
      return { type: 'indirect-ping', seq, target, source, wantNack };
    },
  },
  ack: seqOnly<AckMsg>('ack'),
  nack: seqOnly<NackMsg>('nack'),
  alive: {
    typeId: typeIds.alive,
    bodyBytes: (m: AliveMsg) => nodeRefBytes(m.node) + u32Bytes(m.incarnation, 'incarnation') + metaBytes(m.meta),
    write: (w, m) => {
      writeNodeRef(w, m.node);
      w.varint(m.incarnation);
      writeMeta(w, m.meta);
    },
    read: (r) => {
      const node = readNodeRef(r);
      const incarnation = r.varint('incarnation');
      const meta = readMeta(r);
      return { type: 'alive', node, incarnation, meta };
    },
  },
  suspect: accusation<SuspectMsg>('suspect'),
  dead: accusation<DeadMsg>('dead'),
  'push-pull': pushPull,
  'join-req': {
    typeId: typeIds['join-req'],
    bodyBytes: (m: JoinRequestMsg) => nodeRefBytes(m.node) + u32Bytes(m.heartbeat, 'heartbeat'),
    write: (w, m) => {
      writeNodeRef(w, m.node);
      w.varint(m.heartbeat);
    },
    read: (r) => {
      const node = readNodeRef(r);
      const heartbeat = r.varint('heartbeat');
      return { type: 'join-req', node, heartbeat };
    },
  },
  'join-rep': heartbeatTable<JoinReplyMsg>('join-rep'),
  heartbeat: heartbeatTable<HeartbeatMsg>('heartbeat'),
  ...kvMessageCodecs,
};

/** The codec for a wire type id, or undefined for ids nobody assigned. Indexed by id for O(1) lookup. */
export const codecsById: readonly (MessageCodec<Msg> | undefined)[] = (() => {
  const byId: (MessageCodec<Msg> | undefined)[] = new Array<MessageCodec<Msg> | undefined>(256).fill(undefined);
  for (const codec of Object.values(messageCodecs) as MessageCodec<Msg>[]) {
    if (byId[codec.typeId] !== undefined) assertFailed(`duplicate wire type id ${codec.typeId}`);
    byId[codec.typeId] = codec;
  }
  return byId;
})();

// A Map lookup is cheaper than a keyed load on the table object with a variable key.
const codecsByType = new Map<string, MessageCodec<Msg>>(Object.entries(messageCodecs) as [string, MessageCodec<Msg>][]);

/** The codec for a message (looked up by its `type`). Asserts the type is known. */
export function codecFor(msg: Msg): MessageCodec<Msg> {
  const codec = codecsByType.get(msg.type);
  if (codec === undefined) assertFailed(`no codec for message type ${String(msg.type)}`);
  return codec;
}
