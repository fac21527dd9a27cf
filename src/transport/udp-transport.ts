/**
 * The 'packet' channel over UDP: one datagram per send, sealed when a keyring is configured.
 * Lossy by nature; the membership protocol above has timeouts and retries, so every failure here
 * is a counted drop, never an exception.
 *
 * `from` of a received datagram is its source address as the OS reports it. With an advertised
 * address behind NAT that differs from what peers should send to; the protocol therefore answers
 * to the address carried inside its messages, and `from` is for logs and metrics.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { udpPacketBytesMax } from '../wire/limits.js';
import type { Address } from '../wire/types.js';
import { addressFromSocket, parseDestination } from './address.js';
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
}

/** Largest datagram UDP can carry over IPv4 (65,535 minus IP and UDP headers), in bytes. */
export const udpDatagramBytesLimit = 65_507;

/** Prefix that lets a dual-stack IPv6 socket send to an IPv4 peer. */
const ipv4MappedPrefix = '::ffff:';

function ignore(): void {}

class UdpTransportImpl implements UdpTransport {
  readonly channel = 'packet' as const;
  readonly stats: TransportStats = emptyTransportStats();
  private handler: ReceiveHandler = ignore;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly family: 4 | 6,
    private readonly keyring: Keyring | undefined,
    private readonly packetBytesMax: number,
    readonly localAddress: Address,
    readonly boundAddress: Address,
  ) {
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
    // An IPv4-only socket cannot reach an IPv6 peer.
    if (!dest.ok || (dest.value.family === 6 && this.family === 4)) {
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
    // A dual-stack IPv6 socket reaches IPv4 peers through mapped addresses only (EINVAL otherwise).
    const host = dest.value.family === 4 && this.family === 6 ? ipv4MappedPrefix + dest.value.host : dest.value.host;
    const length = wire.length;
    try {
      this.socket.send(wire, dest.value.port, host, (error) => {
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

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.handler = ignore;
      try {
        this.socket.close(() => resolve());
      } catch {
        // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to wait for.
        resolve();
      }
    });
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

/**
 * Binds a UDP socket (udp4 or udp6 by the bind address; an IPv6 socket is dual-stack). Rejects
 * with a `TransportError`: TRANSPORT_ERR_BAD_ADDRESS / TRANSPORT_ERR_BAD_OPTION for bad options, TRANSPORT_ERR_BIND when
 * the OS refuses the bind.
 */
export async function bindUdpTransport(options: UdpTransportOptions): Promise<UdpTransport> {
  const plan = planBind(options.bind, options.advertise);
  const packetBytesMax = intOption('packetBytesMax', options.packetBytesMax ?? udpPacketBytesMax, 1, udpDatagramBytesLimit);
  const family = plan.bind.family;
  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: false });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      try {
        socket.close();
      } catch {
        // Never bound: nothing to close.
      }
      reject(bindError(options.bind, error));
    };
    socket.once('error', onError);
    socket.bind({ address: plan.bind.host, port: plan.bind.port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  const port = socket.address().port;
  const bound = localAddressOf({ bind: plan.bind, advertise: undefined }, port);
  return new UdpTransportImpl(socket, family, options.keyring, packetBytesMax, localAddressOf(plan, port), bound);
}
