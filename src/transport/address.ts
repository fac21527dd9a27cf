/**
 * Address text <-> (host, port, family). Transports accept IP literals only: "a.b.c.d:port" or
 * "[v6]:port". Host names are refused rather than resolved, because a name that resolves
 * differently on different nodes (or changes between sends) would make one member look like
 * several; resolve names once in configuration, before the transport sees them.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { err, ok, type Result } from '../lib/result.js';
import { addressBytesMax } from '../wire/limits.js';
import type { Address } from '../wire/types.js';

export type AddressFamily = 4 | 6;

export interface ParsedAddress {
  /** The IP literal, without brackets for IPv6. */
  readonly host: string;
  readonly port: number;
  readonly family: AddressFamily;
}

export interface AddressError {
  readonly code: 'TRANSPORT_ERR_BAD_ADDRESS';
  readonly message: string;
}

/** Largest TCP/UDP port number. */
export const portMax = 65535;

/** Prefix of an IPv4-mapped IPv6 address, as a dual-stack socket reports an IPv4 peer. */
const ipv4MappedPrefix = '::ffff:';

const portPattern = /^(0|[1-9][0-9]{0,4})$/;

function bad(addr: string, why: string): { readonly ok: false; readonly error: AddressError } {
  // JSON.stringify shows empty strings and stray whitespace, which are the usual mistakes.
  return err({ code: 'TRANSPORT_ERR_BAD_ADDRESS', message: `bad address ${JSON.stringify(addr)}: ${why} (expected "a.b.c.d:port" or "[v6]:port"; host names are not accepted, use an IP literal)` });
}

/**
 * Parses "a.b.c.d:port" or "[v6]:port". Port 0 is accepted (it means "any port" when binding);
 * senders refuse it with `isSendable`.
 */
export function parseAddress(addr: Address): Result<ParsedAddress, AddressError> {
  if (addr.length === 0 || addr.length > addressBytesMax) return bad(addr, `length must be 1..${addressBytesMax}`);
  let host: string;
  let portText: string;
  let family: AddressFamily;
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']:');
    if (close < 0) return bad(addr, 'IPv6 address must be "[v6]:port"');
    host = addr.slice(1, close);
    portText = addr.slice(close + 2);
    if (!isIPv6(host)) return bad(addr, `"${host}" is not an IPv6 literal`);
    family = 6;
  } else {
    const colon = addr.lastIndexOf(':');
    if (colon < 0) return bad(addr, 'missing ":port"');
    host = addr.slice(0, colon);
    portText = addr.slice(colon + 1);
    if (host.includes(':')) return bad(addr, 'IPv6 address must be in brackets');
    if (!isIPv4(host)) return bad(addr, `"${host}" is not an IPv4 literal`);
    family = 4;
  }
  if (!portPattern.test(portText)) return bad(addr, `port "${portText}" is not a decimal number without leading zeros`);
  const port = Number(portText);
  if (port > portMax) return bad(addr, `port ${port} is above ${portMax}`);
  return ok({ host, port, family });
}

/** Formats the inverse of `parseAddress`: "[::1]:7946" for IPv6, "127.0.0.1:7946" for IPv4. */
export function formatAddress(host: string, port: number, family: AddressFamily): Address {
  return family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The address of a socket peer as the OS reported it (`rinfo.address`, `socket.remoteAddress`).
 * An IPv4 peer seen by a dual-stack IPv6 socket ("::ffff:10.0.0.1") is reported as plain IPv4, so
 * the same peer has one address whichever socket family saw it. Undefined if the OS gave no
 * usable address (a socket that is already closed).
 */
export function addressFromSocket(host: string | undefined, port: number | undefined): Address | undefined {
  if (host === undefined || port === undefined) return undefined;
  if (host.toLowerCase().startsWith(ipv4MappedPrefix)) {
    const v4 = host.slice(ipv4MappedPrefix.length);
    if (isIPv4(v4)) return formatAddress(v4, port, 4);
  }
  if (isIPv4(host)) return formatAddress(host, port, 4);
  if (isIPv6(host)) return formatAddress(host, port, 6);
  return undefined;
}

/** True for 0.0.0.0 and :: (bind to every interface): not an address peers can reach. */
export function isUnspecifiedHost(parsed: ParsedAddress): boolean {
  return parsed.family === 4 ? parsed.host === '0.0.0.0' : /^[0:]+$/.test(parsed.host);
}

/**
 * Parses a destination: like `parseAddress`, but port 0 and unspecified hosts are refused because
 * a datagram or connection to them cannot reach a peer.
 */
export function parseDestination(addr: Address): Result<ParsedAddress, AddressError> {
  const parsed = parseAddress(addr);
  if (!parsed.ok) return parsed;
  if (parsed.value.port === 0) return bad(addr, 'port 0 is not a destination');
  if (isUnspecifiedHost(parsed.value)) return bad(addr, 'the unspecified address is not a destination');
  return parsed;
}
