/**
 * The 'packet' channel over UDP: one datagram per send, sealed when a keyring is configured.
 * Lossy by nature; the membership protocol above has timeouts and retries, so every failure here
 * is a counted drop, never an exception.
 *
 * `from` of a received datagram is its source address as the OS reports it. With an advertised
 * address behind NAT that differs from what peers should send to; the protocol therefore answers
 * to the address carried inside its messages, and `from` is for logs and metrics.
 *
 * Source address of what we send. Peers send to the advertised address and expect answers from
 * it (firewalls keyed on source addresses, NAT mappings, someone reading tcpdump). A socket bound
 * to 0.0.0.0 / :: lets the kernel pick each datagram's source by routing, which on a multi-homed
 * host can be another interface's address. So when the advertised host differs from the bound one
 * and is an address of this machine, a second "answer" socket is bound to it (same port) and every
 * datagram to a peer of its address family goes out through it; both sockets receive. When the advertised host is not local (NAT,
 * port forwarding) the source stays with the OS and the NAT must translate it.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { udpPacketBytesMax } from '../wire/limits.js';
import type { Address } from '../wire/types.js';
import { addressFromSocket, formatAddress, parseAddress, parseDestination, type AddressFamily, type ParsedAddress } from './address.js';
import type { Keyring } from './keyring.js';
import { bindError, localAddressOf, planBind } from './local-address.js';
import { intOption } from './options.js';
import { emptyTransportStats, type ReceiveHandler, type Transport, type TransportStats } from './transport.js';

export interface UdpTransportOptions {
  /** Where to bind: an IP literal and port ("127.0.0.1:7946", "[::]:7946"); port 0 picks a free port. */
  readonly bind: Address;
  /** What peers should send to, if not the bound address (required when binding 0.0.0.0 or ::). */
  readonly advertise?: Address;
  /** Seal every datagram; drop (and count) every datagram that does not open. */
  readonly keyring?: Keyring;
  /** Largest datagram put on the wire (after sealing), in bytes. Default `udpPacketBytesMax`. */
  readonly packetBytesMax?: number;
}

export interface UdpTransport extends Transport {
  readonly channel: 'packet';
  /** The address the socket is bound to, with the actual port. */
  readonly boundAddress: Address;
  /**
   * The address every datagram is sent from when a second socket pins it: the advertised host
   * with the bound port. Undefined when datagrams leave through the bound socket instead: no
   * advertised host other than the bound one, or the advertised host is not an address of this
   * machine (NAT, port forwarding), in which case the source is the bound host, or the OS's
   * choice for 0.0.0.0 / ::, and the NAT must translate it.
   */
  readonly answerAddress: Address | undefined;
}

/** Largest datagram UDP can carry over IPv4 (65,535 minus IP and UDP headers), in bytes. */
export const udpDatagramBytesLimit = 65_507;

/** Prefix that lets a dual-stack IPv6 socket send to an IPv4 peer. */
const ipv4MappedPrefix = '::ffff:';

/** What the OS says when asked to bind an address that is not one of this machine's. */
const notLocalAddressCode = 'EADDRNOTAVAIL';

function ignore(): void {}

/** The second socket, bound to the advertised host, that every datagram of its family leaves through. */
interface AnswerSocket {
  readonly socket: Socket;
  readonly family: AddressFamily;
  readonly address: Address;
}

/** A socket and the host text and port to give it for one destination. */
interface Route {
  readonly socket: Socket;
  readonly host: string;
  readonly port: number;
}

class UdpTransportImpl implements UdpTransport {
  readonly channel = 'packet' as const;
  readonly stats: TransportStats = emptyTransportStats();
  readonly answerAddress: Address | undefined;
  private handler: ReceiveHandler = ignore;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly family: AddressFamily,
    private readonly answer: AnswerSocket | undefined,
    private readonly keyring: Keyring | undefined,
    private readonly packetBytesMax: number,
    readonly localAddress: Address,
    readonly boundAddress: Address,
  ) {
    this.answerAddress = answer?.address;
    this.listen(socket);
    if (answer !== undefined) this.listen(answer.socket);
  }

  /** Both sockets receive (the kernel delivers to the most specific bound address) into one handler and one set of stats. */
  private listen(socket: Socket): void {
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // After bind, socket errors (e.g. ICMP-reported failures on some platforms) concern single
    // datagrams: count them and carry on. Without a listener they would crash the process.
    socket.on('error', () => {
      this.stats.sendDrops++;
    });
  }

  send(to: Address, bytes: Uint8Array): void {
    if (this.closing !== undefined) {
      this.stats.sendDrops++;
      return;
    }
    const dest = parseDestination(to);
    const route = dest.ok ? this.route(dest.value) : undefined;
    if (route === undefined) {
      this.stats.sendDrops++;
      return;
    }
    const wire = this.keyring === undefined ? bytes : this.keyring.seal(bytes);
    // The runtime sizes packets for the channel (minus sealOverheadBytes when encrypted), so
    // this only catches a bug or a misconfiguration; sending it anyway would risk fragmentation.
    if (wire.length > this.packetBytesMax) {
      this.stats.sendDrops++;
      return;
    }
    const length = wire.length;
    try {
      route.socket.send(wire, route.port, route.host, (error) => {
        if (error) {
          this.stats.sendDrops++;
        } else {
          this.stats.sent++;
          this.stats.bytesSent += length;
        }
      });
    } catch {
      // Synchronous failures (socket closed under us) are drops like any other.
      this.stats.sendDrops++;
    }
  }

  /**
   * The answer socket when it can reach `dest` (same family: a socket bound to a specific address
   * cannot send to the other family), so the source is the advertised host; else the bound
   * socket. Undefined if neither can reach it.
   */
  private route(dest: ParsedAddress): Route | undefined {
    if (this.answer !== undefined && dest.family === this.answer.family) return { socket: this.answer.socket, host: dest.host, port: dest.port };
    // An IPv4-only socket cannot reach an IPv6 peer.
    if (dest.family === 6 && this.family === 4) return undefined;
    // A dual-stack IPv6 socket reaches IPv4 peers through mapped addresses only (EINVAL otherwise).
    const host = dest.family === 4 && this.family === 6 ? ipv4MappedPrefix + dest.host : dest.host;
    return { socket: this.socket, host, port: dest.port };
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.handler = ignore;
      await Promise.all([closeSocket(this.socket), this.answer === undefined ? undefined : closeSocket(this.answer.socket)]);
    })();
    return this.closing;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing !== undefined) return;
    this.stats.bytesReceived += msg.length;
    const from = addressFromSocket(rinfo.address, rinfo.port);
    if (from === undefined) {
      this.stats.receiveDrops++;
      return;
    }
    let payload: Uint8Array = msg;
    if (this.keyring !== undefined) {
      const opened = this.keyring.open(msg);
      if (opened === undefined) {
        this.stats.openFailures++;
        return;
      }
      payload = opened;
    }
    this.stats.received++;
    this.handler(from, payload);
  }
}

/** Closes `socket`; resolves once it is closed, or at once if it already was (or never bound). */
function closeSocket(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to wait for.
      resolve();
    }
  });
}

/**
 * Binds one socket to `host:port`; rejects with the OS error, leaving nothing open. `reuseAddr`
 * (SO_REUSEADDR) is what Linux requires of both sockets, and only then, for a wildcard and a
 * specific bind to share a port; without an answer socket it stays off, so a port in use is
 * refused as before. (With it on, port 0 may be given a port another SO_REUSEADDR socket holds;
 * the runtime never binds port 0 together with an advertised address, its config refuses that.)
 */
async function bindSocket(family: AddressFamily, host: string, port: number, reuseAddr: boolean): Promise<Socket> {
  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: false, reuseAddr });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      void closeSocket(socket);
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  return socket;
}

/** One spelling per IPv6 address ("0:0:0:0:0:0:0:1" -> "::1"); IPv4 literals have only one. */
function canonicalHost(parsed: ParsedAddress): string {
  if (parsed.family === 4) return parsed.host;
  try {
    // The URL parser serialises IPv6 literals canonically (RFC 5952).
    return new URL(`http://[${parsed.host}]/`).hostname;
  } catch {
    // A zone index ("fe80::1%eth0") is not URL syntax: compare as written.
    return parsed.host.toLowerCase();
  }
}

function sameHost(a: ParsedAddress, b: ParsedAddress): boolean {
  return a.family === b.family && canonicalHost(a) === canonicalHost(b);
}

/** The advertised host when answers need a socket of their own: it differs from the bound host (typically 0.0.0.0 / ::). */
function answerHostOf(bind: ParsedAddress, advertise: Address | undefined): ParsedAddress | undefined {
  if (advertise === undefined) return undefined;
  const parsed = parseAddress(advertise);
  // planBind has validated advertise; a parse failure here cannot happen.
  if (!parsed.ok || sameHost(parsed.value, bind)) return undefined;
  return parsed.value;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/**
 * Binds the answer socket to the advertised host with the bound port (answers leave from the port
 * peers send to). Undefined when that host is not an address of this machine: behind NAT the
 * advertised IP belongs to the router, sending from the bound socket is all we can do, and the
 * NAT translates the source. Any other refusal (EADDRINUSE: another process holds that address
 * and port) is a bind failure.
 */
async function bindAnswerSocket(host: ParsedAddress, port: number): Promise<AnswerSocket | undefined> {
  try {
    const socket = await bindSocket(host.family, host.host, port, true);
    return { socket, family: host.family, address: formatAddress(host.host, port, host.family) };
  } catch (error) {
    // With net.ipv4.ip_nonlocal_bind (or its IPv6 twin) set, this bind succeeds even for a NAT's
    // public IP and datagrams would carry a source this host does not own; leave that sysctl off.
    if (errorCode(error) === notLocalAddressCode) return undefined;
    throw bindError(formatAddress(host.host, port, host.family), error);
  }
}

/**
 * Binds a UDP socket (udp4 or udp6 by the bind address; an IPv6 socket is dual-stack), plus the
 * answer socket on the advertised host when it differs from the bound one (see the module
 * comment). Rejects with a `TransportError`: TRANSPORT_ERR_BAD_ADDRESS / TRANSPORT_ERR_BAD_OPTION
 * for bad options, TRANSPORT_ERR_BIND when the OS refuses a bind (nothing is left open).
 *
 * With SO_REUSEADDR on both sockets, a second process doing the same on the same port is not
 * refused here. The runtime still catches two nodes on one port: it listens on TCP first
 * (src/runtime/node-runtime.ts), on the same port since `advertise` requires a fixed bind port,
 * and a TCP listener refuses any overlapping bind (wildcard or specific) even with SO_REUSEADDR.
 */
export async function bindUdpTransport(options: UdpTransportOptions): Promise<UdpTransport> {
  const plan = planBind(options.bind, options.advertise);
  const packetBytesMax = intOption('packetBytesMax', options.packetBytesMax ?? udpPacketBytesMax, 1, udpDatagramBytesLimit);
  const family = plan.bind.family;
  const answerHost = answerHostOf(plan.bind, plan.advertise);
  let socket: Socket;
  try {
    socket = await bindSocket(family, plan.bind.host, plan.bind.port, answerHost !== undefined);
  } catch (error) {
    throw bindError(options.bind, error);
  }
  const port = socket.address().port;
  let answer: AnswerSocket | undefined;
  try {
    answer = answerHost === undefined ? undefined : await bindAnswerSocket(answerHost, port);
  } catch (error) {
    await closeSocket(socket);
    throw error;
  }
  const bound = localAddressOf({ bind: plan.bind, advertise: undefined }, port);
  return new UdpTransportImpl(socket, family, answer, options.keyring, packetBytesMax, localAddressOf(plan, port), bound);
}
