/**
 * fast-check arbitraries for every wire message, respecting the limits in src/wire/limits.ts.
 * Names mix ASCII and arbitrary Unicode (including astral characters, which are 4 UTF-8 bytes);
 * addresses mix canonical IPv4 (compact path), non-canonical IPv4 text, IPv6 and free strings.
 */
import fc from 'fast-check';
import {
  addressBytesMax,
  clusterLabelBytesMax,
  heartbeatEntriesMax,
  metaBytesMax,
  nodeNameBytesMax,
} from '../../src/wire/limits.js';
import type {
  HeartbeatEntry,
  MemberState,
  Msg,
  NodeRef,
  PushPullEntry,
} from '../../src/wire/types.js';
import { utf8ByteLength } from '../../src/wire/utf8.js';
import { kvMsgArbs } from './kv-arbitraries.js';
import { boundedString, u32Arb } from './base-arbitraries.js';

export { boundedString, u32Arb };

const enc = new TextEncoder();


/** A node name within nodeNameBytesMax. */
export const nameArb: fc.Arbitrary<string> = boundedString(nodeNameBytesMax);

const octet = fc.integer({ min: 0, max: 255 });
const port = fc.integer({ min: 0, max: 65535 });

/** Canonical IPv4 "a.b.c.d:port" (encoded compactly). */
export const ipv4AddrArb: fc.Arbitrary<string> = fc
  .tuple(octet, octet, octet, octet, port)
  .map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}:${p}`);

/** IPv4-like text that is not canonical (leading zeros, out of range, missing parts): string path. */
export const nonCanonicalIpv4Arb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(octet, octet, port).map(([a, b, p]) => `0${a}.${b}.3.4:${p}`),
  fc.tuple(octet, port).map(([a, p]) => `${a}.2.3.4:0${p}`),
  fc.tuple(octet, port).map(([a, p]) => `${a + 256}.2.3.4:${p}`),
  fc.tuple(octet, port).map(([a, p]) => `${a}.2.3.4:${p + 65536}`),
  fc.constantFrom('1.2.3:4', '1.2.3.4', '1.2.3.4:', ' 1.2.3.4:5', '1.2.3.4:5 ', '1.2.3.4.5:6', '+1.2.3.4:5', '1.2.3.4:-5', '١.2.3.4:5'),
);

/** Bracketed IPv6 with port. */
export const ipv6AddrArb: fc.Arbitrary<string> = fc.tuple(fc.ipV6(), port).map(([ip, p]) => `[${ip}]:${p}`);

/** Any address the codec accepts. */
export const addrArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: ipv4AddrArb },
  { weight: 2, arbitrary: nonCanonicalIpv4Arb },
  { weight: 2, arbitrary: ipv6AddrArb.filter((s) => utf8ByteLength(s) <= addressBytesMax) },
  { weight: 1, arbitrary: boundedString(addressBytesMax) },
);

/** A node ref. */
export const nodeRefArb: fc.Arbitrary<NodeRef> = fc.record({ name: nameArb, addr: addrArb }, { noNullPrototype: true });

/** Member metadata: empty, small, or exactly metaBytesMax. */
export const metaArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: metaBytesMax, maxLength: metaBytesMax }) },
  { weight: 1, arbitrary: fc.constant(enc.encode('{"kv":"10.0.0.1:8080"}')) },
);


const stateArb: fc.Arbitrary<MemberState> = fc.constantFrom('alive', 'suspect', 'dead', 'left');

const pushPullEntryArb: fc.Arbitrary<PushPullEntry> = fc.record({ node: nodeRefArb, incarnation: u32Arb, state: stateArb, meta: metaArb }, { noNullPrototype: true });
const heartbeatEntryArb: fc.Arbitrary<HeartbeatEntry> = fc.record({ node: nodeRefArb, heartbeat: u32Arb }, { noNullPrototype: true });

/** Per-type arbitraries; `maxEntries` bounds the table messages (small for packets). */
export function msgArbs(maxEntries: number): { readonly [K in Msg['type']]: fc.Arbitrary<Extract<Msg, { type: K }>> } {
  return {
    ...kvMsgArbs(maxEntries),
    ping: fc.record({ type: fc.constant('ping' as const), seq: u32Arb, target: nameArb, source: nodeRefArb }, { noNullPrototype: true }),
    'indirect-ping': fc.record({ type: fc.constant('indirect-ping' as const), seq: u32Arb, target: nodeRefArb, source: nodeRefArb, wantNack: fc.boolean() }, { noNullPrototype: true }),
    ack: fc.record({ type: fc.constant('ack' as const), seq: u32Arb }, { noNullPrototype: true }),
    nack: fc.record({ type: fc.constant('nack' as const), seq: u32Arb }, { noNullPrototype: true }),
    alive: fc.record({ type: fc.constant('alive' as const), node: nodeRefArb, incarnation: u32Arb, meta: metaArb }, { noNullPrototype: true }),
    suspect: fc.record({ type: fc.constant('suspect' as const), node: nameArb, incarnation: u32Arb, from: nameArb }, { noNullPrototype: true }),
    dead: fc.record({ type: fc.constant('dead' as const), node: nameArb, incarnation: u32Arb, from: nameArb }, { noNullPrototype: true }),
    'push-pull': fc.record({
      type: fc.constant('push-pull' as const),
      join: fc.boolean(),
      reply: fc.boolean(),
      source: nodeRefArb,
      members: fc.array(pushPullEntryArb, { maxLength: maxEntries }),
    }, { noNullPrototype: true }),
    'join-req': fc.record({ type: fc.constant('join-req' as const), node: nodeRefArb, heartbeat: u32Arb }, { noNullPrototype: true }),
    'join-rep': fc.record({ type: fc.constant('join-rep' as const), source: nodeRefArb, entries: fc.array(heartbeatEntryArb, { maxLength: Math.min(maxEntries, heartbeatEntriesMax) }) }, { noNullPrototype: true }),
    heartbeat: fc.record({ type: fc.constant('heartbeat' as const), source: nodeRefArb, entries: fc.array(heartbeatEntryArb, { maxLength: Math.min(maxEntries, heartbeatEntriesMax) }) }, { noNullPrototype: true }),
  };
}

/** Any message, with tables of at most `maxEntries` entries. */
export function msgArb(maxEntries: number): fc.Arbitrary<Msg> {
  return fc.oneof(...(Object.values(msgArbs(maxEntries)) as fc.Arbitrary<Msg>[]));
}

/** A cluster label within clusterLabelBytesMax (usually empty, as in most deployments). */
export const labelArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: boundedString(clusterLabelBytesMax) },
  // Labels of 128..255 bytes use the full one-byte length range.
  { weight: 1, arbitrary: fc.integer({ min: 128, max: clusterLabelBytesMax }).map((n) => 'L'.repeat(n)) },
);
