import { assertFailed } from './invariant.js';
import { addressIpv4Bytes, addressTagIpv4, addressTagString, compactIpv4, parseCanonicalIpv4 } from './address.js';
import { addressBytesMax, metaBytesMax, nodeNameBytesMax } from './limits.js';
import { internIpv4 } from './intern.js';
import type { Reader } from './reader.js';
import type { Address, MemberState, NodeName, NodeRef } from './types.js';
import { utf8ByteLength } from './utf8.js';
import { isU32, varintBytes } from './varint.js';
import type { Writer } from './writer.js';

/**
 * Field codecs shared by the message bodies. Each field has three functions: `xBytes` (exact
 * encoded size, validating the value with assertions), `writeX` (assumes `xBytes` ran) and
 * `readX` (total; failures go to the reader's sticky error).
 */

// --- u32 (seq, incarnation, heartbeat) ----------------------------------------------------------

/** Encoded size of a u32 field; asserts the value is an integer in [0, 2^32 - 1]. */
export function u32Bytes(n: number, what: string): number {
  if (!isU32(n)) assertFailed(`${what} must be an unsigned 32-bit integer, got ${n}`);
  return varintBytes(n);
}

// --- strings ------------------------------------------------------------------------------------

/** Encoded size of a length-prefixed UTF-8 string of at most `maxBytes` bytes; asserts the bound. */
export function stringBytes(s: string, maxBytes: number, what: string): number {
  const len = utf8ByteLength(s);
  if (len > maxBytes) assertFailed(`${what} is ${len} bytes, limit ${maxBytes}`);
  return varintBytes(len) + len;
}

/** Writes a length-prefixed UTF-8 string. */
export function writeString(w: Writer, s: string): void {
  const len = utf8ByteLength(s);
  w.varint(len);
  w.utf8(s, len);
}

/** Encoded size of a node name. */
export function nameBytes(name: NodeName): number {
  return stringBytes(name, nodeNameBytesMax, 'node name');
}

/** Reads a node name. */
export function readName(r: Reader): NodeName {
  return r.string('node name', nodeNameBytesMax);
}

// --- addresses ----------------------------------------------------------------------------------

/** Encoded size of an address: 7 bytes for canonical IPv4, else tag + length-prefixed string. */
export function addressBytes(addr: Address): number {
  if (compactIpv4(addr) >= 0) return addressIpv4Bytes;
  return 1 + stringBytes(addr, addressBytesMax, 'address');
}

/** Writes an address in its compact form when that form round-trips exactly. */
export function writeAddress(w: Writer, addr: Address): void {
  const packed = compactIpv4(addr);
  if (packed >= 0) {
    w.u8(addressTagIpv4);
    const ip = Math.floor(packed / 65536);
    w.u8(ip >>> 24);
    w.u8((ip >>> 16) & 0xff);
    w.u8((ip >>> 8) & 0xff);
    w.u8(ip & 0xff);
    w.u16(packed % 65536);
    return;
  }
  w.u8(addressTagString);
  writeString(w, addr);
}

/**
 * Reads an address. A string-tagged address that is canonical IPv4 text is rejected: the encoder
 * would have used the compact form, and accepting both would give one message two encodings.
 */
export function readAddress(r: Reader): Address {
  const tag = r.u8();
  if (tag === addressTagIpv4) {
    const ip = r.u32();
    const port = r.u16();
    return internIpv4(ip, port);
  }
  if (tag === addressTagString) {
    const s = r.string('address', addressBytesMax);
    if (parseCanonicalIpv4(s) >= 0) r.fail('WIRE_ERR_MALFORMED', `address ${JSON.stringify(s)} must use the IPv4 form`);
    return s;
  }
  if (!r.failed) r.fail('WIRE_ERR_MALFORMED', `unknown address tag ${tag}`);
  return '';
}

// --- node refs ----------------------------------------------------------------------------------

/** Smallest possible encoded node ref: empty name (1) + empty string address (2). */
export const nodeRefBytesMin = 3;

/** Encoded size of a node ref (name, then address). */
export function nodeRefBytes(ref: NodeRef): number {
  return nameBytes(ref.name) + addressBytes(ref.addr);
}

/** Writes a node ref. */
export function writeNodeRef(w: Writer, ref: NodeRef): void {
  writeString(w, ref.name);
  writeAddress(w, ref.addr);
}

/** Reads a node ref. */
export function readNodeRef(r: Reader): NodeRef {
  const name = readName(r);
  const addr = readAddress(r);
  return { name, addr };
}

// --- meta ---------------------------------------------------------------------------------------

/** Encoded size of member metadata (varint length + bytes); asserts the bound. */
export function metaBytes(meta: Uint8Array): number {
  if (meta.length > metaBytesMax) assertFailed(`meta is ${meta.length} bytes, limit ${metaBytesMax}`);
  return varintBytes(meta.length) + meta.length;
}

/** Writes member metadata. */
export function writeMeta(w: Writer, meta: Uint8Array): void {
  w.varint(meta.length);
  w.bytes(meta);
}

/** Reads member metadata as a fresh copy. */
export function readMeta(r: Reader): Uint8Array {
  const len = r.length('meta', metaBytesMax);
  return r.copy(len);
}

// --- member state -------------------------------------------------------------------------------

/** Wire values of member states. Stable: never renumber. */
const stateIds: { readonly [S in MemberState]: number } = { alive: 0, suspect: 1, dead: 2, left: 3 };
const statesById: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];

/** The wire byte for a member state. */
export function stateId(state: MemberState): number {
  const id = stateIds[state];
  if (id === undefined) assertFailed(`unknown member state ${String(state)}`);
  return id;
}

/** Reads a member state byte. */
export function readState(r: Reader): MemberState {
  const id = r.u8();
  const state = statesById[id];
  if (state === undefined) {
    r.fail('WIRE_ERR_MALFORMED', `unknown member state ${id}`);
    return 'alive';
  }
  return state;
}
