/**
 * Binary codec: packets (UDP, channel 'packet') and frame bodies (TCP, channel 'stream').
 * Layout in docs/protocol.md. Encoding asserts its input is valid (bad input is a caller bug);
 * decoding is total (bad bytes come from the network and yield a typed WireError, never a throw).
 */
import { assertFailed } from './invariant.js';
import type { Result } from '../lib/result.js';
import { err, ok } from '../lib/result.js';
import { envelopeFixedBytes, flagsKnownMask, magic0, magic1, protocolVersion } from './envelope.js';
import { clusterLabelBytesMax, messagesPerPacketMax, streamFrameBytesMax, udpPacketBytesMax } from './limits.js';
import { codecFor, codecsById } from './message-codecs.js';
import type { MessageCodec } from './message-codecs.js';
import { Reader } from './reader.js';
import type { Channel, Msg } from './types.js';
import { utf8ByteLength } from './utf8.js';
import { varintBytes } from './varint.js';
import type { WireError } from './wire-error.js';
import { Writer } from './writer.js';

export type { WireError, WireErrorCode } from './wire-error.js';
export { wireErrorCodes } from './wire-error.js';

/** A decoded packet or frame. */
export interface Envelope {
  readonly version: number;
  readonly flags: number;
  readonly label: string;
  readonly msgs: readonly Msg[];
}

/** How to encode: the channel decides the size limit. */
export interface EncodeOptions {
  readonly channel: Channel;
  /** Cluster label (empty string for none). */
  readonly label: string;
  readonly flags?: number;
}

/** How to decode: the channel decides the size limit. */
export interface DecodeOptions {
  readonly channel: Channel;
  /** If given, a packet with another label is rejected with WIRE_ERR_LABEL_MISMATCH. */
  readonly expectedLabel?: string;
}

/** Largest encoded size, in bytes, allowed on `channel`. */
export function channelBytesMax(channel: Channel): number {
  return channel === 'packet' ? udpPacketBytesMax : streamFrameBytesMax;
}

/** Bytes the envelope header takes for this label (before any message). Asserts the label fits. */
export function envelopeBytes(label: string): number {
  const len = utf8ByteLength(label);
  if (len > clusterLabelBytesMax) assertFailed(`cluster label is ${len} bytes, limit ${clusterLabelBytesMax}`);
  return envelopeFixedBytes + len;
}

/** Exact bytes `msg` adds to a packet (its type, length prefix and body). Asserts `msg` is valid. */
export function messageBytes(msg: Msg): number {
  const body = codecFor(msg).bodyBytes(msg);
  return 1 + varintBytes(body) + body;
}

// Reused across calls: encodePacket is synchronous, so nothing else can observe these mid-use.
const writer = new Writer(new Uint8Array(0));
const bodySizes = new Uint32Array(messagesPerPacketMax);
const codecScratch: MessageCodec<Msg>[] = [];

/**
 * Encodes messages as one packet (channel 'packet') or one frame body (channel 'stream').
 * Asserts the result fits the channel's limit. Sizes are computed first, so the result is written
 * straight into a fresh, exactly sized array the caller may keep.
 */
export function encodePacket(msgs: readonly Msg[], options: EncodeOptions): Uint8Array {
  const count = msgs.length;
  if (count < 1 || count > messagesPerPacketMax) assertFailed(`a packet carries 1..${messagesPerPacketMax} messages, got ${count}`);
  const flags = options.flags ?? 0;
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~flagsKnownMask) !== 0) assertFailed(`unknown envelope flags ${flags}`);
  const label = options.label;
  const labelBytes = utf8ByteLength(label);
  if (labelBytes > clusterLabelBytesMax) assertFailed(`cluster label is ${labelBytes} bytes, limit ${clusterLabelBytesMax}`);

  let total = envelopeFixedBytes + labelBytes;
  for (let i = 0; i < count; i++) {
    const codec = codecFor(msgs[i]!);
    const body = codec.bodyBytes(msgs[i]!);
    codecScratch[i] = codec;
    bodySizes[i] = body;
    total += 1 + varintBytes(body) + body;
  }
  const limit = channelBytesMax(options.channel);
  if (total > limit) assertFailed(`encoded ${options.channel} is ${total} bytes, limit ${limit}`);

  const w = writer;
  w.reset(new Uint8Array(total));
  w.u8(magic0);
  w.u8(magic1);
  w.u8(protocolVersion);
  w.u8(flags);
  w.u8(labelBytes);
  w.utf8(label, labelBytes);
  w.u8(count);
  for (let i = 0; i < count; i++) {
    const msg = msgs[i]!;
    const codec = codecScratch[i]!;
    const body = bodySizes[i]!;
    w.u8(codec.typeId);
    w.varint(body);
    const start = w.pos;
    codec.write(w, msg);
    if (w.pos - start !== body) assertFailed(`${msg.type} body: wrote ${w.pos - start} bytes, size pass computed ${body}`);
  }
  w.expectEnd();
  const out = w.buf;
  // Drop the reference so the writer does not keep the caller's packet alive.
  w.reset(emptyBytes);
  return out;
}

const emptyBytes = new Uint8Array(0);

function fail(error: WireError): Result<Envelope, WireError> {
  return err(error);
}

/**
 * Decodes one packet or frame body. Never throws; never allocates more than the input justifies:
 * every length and count is checked against its limit and against the bytes left before use.
 */
export function decodePacket(bytes: Uint8Array, options: DecodeOptions): Result<Envelope, WireError> {
  const limit = channelBytesMax(options.channel);
  if (bytes.length > limit) {
    return fail({ code: 'WIRE_ERR_TOO_LARGE', detail: `${bytes.length} bytes on ${options.channel}, limit ${limit}` });
  }
  const r = new Reader(bytes);
  if (bytes.length < 2) return fail({ code: 'WIRE_ERR_TRUNCATED', detail: `${bytes.length} bytes, no magic` });
  if (bytes[0] !== magic0 || bytes[1] !== magic1) {
    return fail({ code: 'WIRE_ERR_BAD_MAGIC', detail: `magic ${hex(bytes[0]!)}${hex(bytes[1]!)}` });
  }
  r.pos = 2;
  const version = r.u8();
  if (r.failed) return fail(r.error!);
  if (version !== protocolVersion) {
    return fail({ code: 'WIRE_ERR_UNSUPPORTED_VERSION', detail: `version ${version}, this node speaks ${protocolVersion}` });
  }
  const flags = r.u8();
  if (!r.failed && (flags & ~flagsKnownMask) !== 0) r.fail('WIRE_ERR_MALFORMED', `reserved flag bits set: ${hex(flags)}`);
  const labelLen = r.u8();
  if (r.failed) return fail(r.error!);
  // clusterLabelBytesMax is 255, so one length byte cannot exceed it; the check guards a lower limit.
  if (labelLen > clusterLabelBytesMax) {
    return fail({ code: 'WIRE_ERR_LIMIT_EXCEEDED', detail: `label ${labelLen} bytes, limit ${clusterLabelBytesMax}` });
  }
  const label = r.utf8('cluster label', labelLen);
  if (r.failed) return fail(r.error!);
  if (options.expectedLabel !== undefined && label !== options.expectedLabel) {
    return fail({ code: 'WIRE_ERR_LABEL_MISMATCH', detail: `label ${JSON.stringify(label)}, expected ${JSON.stringify(options.expectedLabel)}` });
  }

  const count = r.u8();
  if (r.failed) return fail(r.error!);
  if (count === 0) return fail({ code: 'WIRE_ERR_MALFORMED', detail: 'packet with zero messages' });
  if (count > messagesPerPacketMax) {
    return fail({ code: 'WIRE_ERR_LIMIT_EXCEEDED', detail: `${count} messages, limit ${messagesPerPacketMax}` });
  }
  const msgs: Msg[] = [];
  const packetEnd = r.end;
  for (let i = 0; i < count; i++) {
    const typeId = r.u8();
    const bodyLen = r.varint('body length');
    if (r.failed) return fail(r.error!);
    const codec = codecsById[typeId];
    if (codec === undefined) return fail({ code: 'WIRE_ERR_UNKNOWN_TYPE', detail: `type id ${typeId} (message ${i})` });
    if (bodyLen > r.remaining) {
      return fail({ code: 'WIRE_ERR_TRUNCATED', detail: `message ${i} body ${bodyLen} bytes claimed, ${r.remaining} left` });
    }
    const bodyEnd = r.pos + bodyLen;
    // Narrow the reader to the body so a field cannot read into the next message.
    r.end = bodyEnd;
    const msg = codec.read(r);
    if (r.failed) return fail(r.error!);
    if (r.pos !== bodyEnd) {
      return fail({ code: 'WIRE_ERR_MALFORMED', detail: `message ${i} (${msg.type}) body has ${bodyEnd - r.pos} unread bytes` });
    }
    r.end = packetEnd;
    msgs.push(msg);
  }
  if (r.remaining !== 0) return fail({ code: 'WIRE_ERR_TRAILING_BYTES', detail: `${r.remaining} bytes after the last message` });
  return ok({ version, flags, label, msgs });
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
