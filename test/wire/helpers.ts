/**
 * Shared test helpers: fitting messages into a packet, mutating valid packets, and the totality
 * check every decoded byte string must pass.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket, encodePacket, envelopeBytes, messageBytes, wireErrorCodes } from '../../src/wire/codec.js';
import type { DecodeOptions } from '../../src/wire/codec.js';
import type { Channel, Msg } from '../../src/wire/types.js';

/**
 * fast-check parameters. A failure message carries "seed: S, path: P"; rerun just that case with
 * `FC_SEED=S FC_PATH=P node --test dist/test/wire/<file>.test.js`.
 */
export function fcParams<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env['FC_SEED'];
  const path = process.env['FC_PATH'];
  return {
    numRuns,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

/** The longest prefix of `msgs` (at most 255) that fits in one packet of `limitBytes` with `label`. */
export function fitPrefix(msgs: readonly Msg[], label: string, limitBytes: number): Msg[] {
  let total = envelopeBytes(label);
  const out: Msg[] = [];
  for (const m of msgs) {
    const n = messageBytes(m);
    if (total + n > limitBytes || out.length === 255) break;
    total += n;
    out.push(m);
  }
  return out;
}

const codeSet = new Set<string>(wireErrorCodes);

/**
 * Decodes `bytes` and checks the totality contract: no throw, a typed error from the known set,
 * and for every accepted input, re-encoding reproduces the input exactly (the format is canonical).
 * Returns whether the bytes decoded.
 */
export function checkTotal(bytes: Uint8Array, options: DecodeOptions): boolean {
  const res = decodePacket(bytes, options);
  if (!res.ok) {
    assert.ok(codeSet.has(res.error.code), `unknown error code ${res.error.code}`);
    assert.equal(typeof res.error.detail, 'string');
    return false;
  }
  const again = encodePacket(res.value.msgs, { channel: options.channel, label: res.value.label, flags: res.value.flags });
  assert.deepEqual(again, bytes, 'accepted bytes must re-encode identically');
  return true;
}

/** One edit applied to a valid packet. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly len: number }
  | { readonly kind: 'set'; readonly at: number; readonly bytes: Uint8Array };

// Positions are fractions of the packet length so they stay meaningful for any packet size.
const where = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** Byte patterns that corrupt length fields and varints in interesting ways. */
const lengthLike = fc.oneof(
  fc.constantFrom(
    Uint8Array.of(0x00),
    Uint8Array.of(0x7f),
    Uint8Array.of(0x80),
    Uint8Array.of(0xff),
    Uint8Array.of(0x80, 0x00), // overlong zero
    Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x08), // 2^31
    Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), // 2^32 - 1
    Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), // > 2^32 - 1
    Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), // six bytes
  ),
  fc.uint8Array({ minLength: 1, maxLength: 4 }),
);

/** A random edit. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: where, bit: fc.integer({ min: 0, max: 7 }) }, { noNullPrototype: true }).map((m) => m as Mutation) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: where }, { noNullPrototype: true }).map((m) => m as Mutation) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: where, bytes: lengthLike }, { noNullPrototype: true }).map((m) => m as Mutation) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: where, len: fc.integer({ min: 1, max: 8 }) }, { noNullPrototype: true }).map((m) => m as Mutation) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: where, bytes: lengthLike }, { noNullPrototype: true }).map((m) => m as Mutation) },
);

/** Applies `m` to a copy of `bytes`. */
export function applyMutation(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      if (out.length > 0) out[at] = out[at]! ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert': {
      const out = new Uint8Array(bytes.length + m.bytes.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'delete': {
      const tail = bytes.subarray(Math.min(bytes.length, at + m.len));
      const out = new Uint8Array(at + tail.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(tail, at);
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      for (let i = 0; i < m.bytes.length && at + i < out.length; i++) out[at + i] = m.bytes[i]!;
      return out;
    }
  }
}

/** Both channels, for properties that must hold on each. */
export const channelArb: fc.Arbitrary<Channel> = fc.constantFrom('packet', 'stream');
