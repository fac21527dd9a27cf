/**
 * Interning tables for decoded strings. A cluster sends the same few thousand names and addresses
 * over and over; the decoder looks them up in a small direct-mapped table (hash of the bytes,
 * then a full compare) and returns the existing string instead of building a new one. Results are
 * identical either way (strings are immutable); only speed and garbage differ. Tables are bounded
 * and overwrite on collision, so memory stays fixed.
 */
import { formatIpv4 } from './address.js';

/**
 * Slots in each table (a power of two). 32,768 keeps collisions rare for the 10,000 distinct
 * names and addresses of the largest simulation (8,192 thrashed there: ~7 % of CPU in decoding);
 * the tables take about 0.5 MB.
 */
const internSlots = 1 << 15;
const slotMask = internSlots - 1;

/** Longest ASCII string worth interning, in bytes: names and addresses; longer ones are rare. */
export const internBytesMax = 64;

const asciiSlots: (string | undefined)[] = new Array<string | undefined>(internSlots).fill(undefined);

/**
 * The string for ASCII bytes `bytes[start, end)` (the caller checked they are all < 0x80 and at
 * most `internBytesMax` long), interned.
 */
export function internAscii(bytes: Uint8Array, start: number, end: number): string {
  // FNV-1a over the bytes.
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & slotMask;
  const len = end - start;
  const cached = asciiSlots[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === bytes[start + i]) i++;
    if (i === len) return cached;
  }
  // Short strings: a concatenation loop beats String.fromCharCode.apply on a subarray.
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  asciiSlots[slot] = s;
  return s;
}

const ipv4Keys = new Float64Array(internSlots).fill(-1);
const ipv4Strings: string[] = new Array<string>(internSlots).fill('');

/** The text "a.b.c.d:port" for the packed IPv4 value `ip * 65536 + port`, interned. */
export function internIpv4(ip: number, port: number): string {
  const packed = ip * 65536 + port;
  const slot = (Math.imul(ip ^ (port << 16) ^ (port >>> 3), 0x9e3779b1) >>> 19) & slotMask;
  if (ipv4Keys[slot] === packed) return ipv4Strings[slot]!;
  const s = formatIpv4(ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff, port);
  ipv4Keys[slot] = packed;
  ipv4Strings[slot] = s;
  return s;
}
