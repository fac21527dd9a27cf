/**
 * The hello frame: the first frame on every outgoing TCP connection, naming the sender's listen
 * (advertised) address. The protocol answers to where a peer listens, not to the ephemeral source
 * port of its connection, so the accepting side uses this address as `from` for every later frame
 * on the connection. With a keyring the hello is sealed like every frame, which makes it proof of
 * key possession; without one it is a claim anybody can make (docs/security.md).
 *
 * Payload: [0x52 'R'][0x48 'H'][version = 1][address, UTF-8, the rest of the payload]
 */
import { addressBytesMax } from '../wire/limits.js';
import type { Address } from '../wire/types.js';
import { parseDestination } from './address.js';

const helloMagic0 = 0x52;
const helloMagic1 = 0x48;
/** Version of the hello layout. */
export const helloVersion = 1;
/** Bytes before the address: magic (2) and version (1). */
const helloPrefixBytes = 3;
/** Largest hello payload (unsealed), in bytes. */
export const helloBytesMax = helloPrefixBytes + addressBytesMax;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The hello payload announcing `address` (before sealing). */
export function encodeHello(address: Address): Uint8Array {
  const text = Buffer.from(address, 'utf8');
  const out = new Uint8Array(helloPrefixBytes + text.length);
  out[0] = helloMagic0;
  out[1] = helloMagic1;
  out[2] = helloVersion;
  out.set(text, helloPrefixBytes);
  return out;
}

/** The address a hello payload (already opened) announces, or undefined if it is not a valid hello. */
export function decodeHello(payload: Uint8Array): Address | undefined {
  if (payload.length <= helloPrefixBytes || payload.length > helloBytesMax) return undefined;
  if (payload[0] !== helloMagic0 || payload[1] !== helloMagic1 || payload[2] !== helloVersion) return undefined;
  let address: string;
  try {
    address = utf8.decode(payload.subarray(helloPrefixBytes));
  } catch {
    return undefined;
  }
  // Only an address a reply could actually be sent to is accepted.
  return parseDestination(address).ok ? address : undefined;
}
