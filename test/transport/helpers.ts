/**
 * Helpers for the transport tests: bounded waits on conditions (never fixed sleeps), receive
 * recorders, and IPv6 loopback detection.
 */
import { createSocket } from 'node:dgram';
import type { Transport } from '../../src/transport/transport.js';
import type { Address } from '../../src/wire/types.js';

/** Generous bound on any wait: only a broken transport takes this long. */
export const waitBoundMs = 5_000;
/** How often a condition is polled, in milliseconds. */
const pollIntervalMs = 2;

/**
 * Resolves once `condition()` is true, polling on short timers; rejects after `boundMs` with a
 * message naming `what`. `tick` (optional) runs before each poll, e.g. to keep sending.
 */
export async function waitFor(what: string, condition: () => boolean, tick?: () => void, boundMs = waitBoundMs): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (true) {
    tick?.();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${boundMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

export interface Received {
  readonly from: Address;
  readonly bytes: Uint8Array;
}

/** Installs a receive handler on `transport` that records every delivery. */
export function record(transport: Transport): Received[] {
  const got: Received[] = [];
  transport.onReceive((from, bytes) => got.push({ from, bytes: Uint8Array.from(bytes) }));
  return got;
}

/** `length` bytes of a recognisable pattern, different for each `seed`. */
export function patternBytes(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + 1) & 0xff;
  return out;
}

/** `index` as 4 big-endian bytes followed by `padBytes` of filler: a numbered message. */
export function numbered(index: number, padBytes = 0): Uint8Array {
  const out = new Uint8Array(4 + padBytes);
  new DataView(out.buffer).setUint32(0, index);
  return out;
}

/** The number written by `numbered`. */
export function numberOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
}

/** Undefined if a UDP socket can bind ::1 here, else why not (for `skip`). */
export async function ipv6LoopbackUnavailable(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp6');
    socket.once('error', (error) => {
      socket.close();
      resolve(`IPv6 loopback ::1 is not available on this host (${error.message})`);
    });
    socket.bind(0, '::1', () => socket.close(() => resolve(undefined)));
  });
}
