/**
 * The 'stream' channel over TCP: length-prefixed frames (frame-codec.ts) on persistent pooled
 * connections, sealed when a keyring is configured.
 *
 * Connection model: to send to a peer we open ONE connection to its listen address, announce our
 * own listen address in a hello frame, and then only write. The peer sends its replies over its
 * own connection to our listen address. So each connection has one writer and one reader, `from`
 * is always a listen address, and a broken connection is simply forgotten: the next send to that
 * peer opens a new one. Frames in flight on a broken connection are lost; the protocol above
 * tolerates that (timeouts, retries), as it does on UDP.
 *
 * `frameBytesMax` bounds the payload handed to `send` (the plaintext). On the wire a sealed frame
 * is `sealOverheadBytes` longer, and the receiver allows for that.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { streamFrameBytesMax } from '../wire/limits.js';
import type { Address } from '../wire/types.js';
import { parseDestination } from './address.js';
import { encodeHello } from './hello.js';
import { IncomingConnection } from './incoming-connection.js';
import { sealOverheadBytes, type Keyring } from './keyring.js';
import { bindError, localAddressOf, planBind } from './local-address.js';
import { intOption } from './options.js';
import { OutgoingConnection } from './outgoing-connection.js';
import { emptyTransportStats, type ReceiveHandler, type Transport, type TransportStats } from './transport.js';

export interface TcpTransportOptions {
  /** Where to listen: an IP literal and port ("127.0.0.1:7946", "[::]:7946"); port 0 picks a free port. */
  readonly bind: Address;
  /** What peers should connect to, if not the bound address (required when binding 0.0.0.0 or ::). Sent in every hello. */
  readonly advertise?: Address;
  /** Seal every frame (hello included); a connection whose frames do not open is closed and counted. */
  readonly keyring?: Keyring;
  /** Largest payload per frame, in bytes (before sealing). Default `streamFrameBytesMax`. */
  readonly frameBytesMax?: number;
  /** Most bytes waiting to be written to one peer; frames beyond are dropped and counted. Default `tcpQueueBytesMaxPerPeerDefault`. */
  readonly queueBytesMaxPerPeer?: number;
  /** Give up connecting after this long. Default `tcpConnectTimeoutMsDefault`. */
  readonly connectTimeoutMs?: number;
  /** Close an outgoing connection after this long without traffic. Default `tcpIdleTimeoutMsDefault`. */
  readonly idleTimeoutMs?: number;
  /** Close an accepted connection that has not sent its hello within this time. Default `tcpHelloTimeoutMsDefault`. */
  readonly helloTimeoutMs?: number;
  /** Most pooled outgoing connections; opening one more closes the oldest. Default `tcpOutgoingConnectionsMaxDefault`. */
  readonly outgoingConnectionsMax?: number;
  /** Most accepted connections at once; the OS-level accept beyond it is closed and counted. Default `tcpIncomingConnectionsMaxDefault`. */
  readonly incomingConnectionsMax?: number;
}

export interface TcpTransport extends Transport {
  readonly channel: 'stream';
  /** The address the server listens on, with the actual port. */
  readonly boundAddress: Address;
  /** Open pooled outgoing connections (for metrics and tests). */
  readonly outgoingConnections: number;
  /** Open accepted connections (for metrics and tests). */
  readonly incomingConnections: number;
}

/** Default per-peer write queue: two maximum-size frames, so one full push-pull never waits on another. */
export const tcpQueueBytesMaxPerPeerDefault = 16 * 1024 * 1024;
/** Default connect timeout: well above a cross-region round trip, well below a probe period series. */
export const tcpConnectTimeoutMsDefault = 5_000;
/** Default idle time before an outgoing connection is closed. */
export const tcpIdleTimeoutMsDefault = 60_000;
/** Default time an accepted connection has to send its hello. */
export const tcpHelloTimeoutMsDefault = 10_000;
/** Default pool size: enough for a busy node's working set of peers (push-pull, KV replicas). */
export const tcpOutgoingConnectionsMaxDefault = 1024;
/** Default bound on accepted connections: every peer's one outgoing connection, with headroom. */
export const tcpIncomingConnectionsMaxDefault = 4096;
/**
 * Accepted connections are closed after this multiple of the idle timeout: the sender normally
 * closes first (it knows when it is idle); this only reaps connections whose sender vanished.
 */
const incomingIdleFactor = 2;

/** Longest timeout accepted, in milliseconds (Node timers overflow at 2^31 - 1). */
const timeoutMsMax = 2 ** 31 - 1;
/** Largest length the 4-byte prefix can declare, minus room for the seal. */
const frameBytesLimit = 2 ** 32 - 1 - sealOverheadBytes;

function ignore(): void {}

class TcpTransportImpl implements TcpTransport {
  readonly channel = 'stream' as const;
  readonly stats: TransportStats = emptyTransportStats();
  private handler: ReceiveHandler = ignore;
  private closing: Promise<void> | undefined;
  /** Outgoing connections by peer address; Map order is creation order (oldest first). */
  private readonly pool = new Map<Address, OutgoingConnection>();
  private readonly incoming = new Set<IncomingConnection>();
  private readonly hello: Uint8Array;

  constructor(
    private readonly server: Server,
    private readonly keyring: Keyring | undefined,
    private readonly limits: Required<Omit<TcpTransportOptions, 'bind' | 'advertise' | 'keyring'>>,
    readonly localAddress: Address,
    readonly boundAddress: Address,
  ) {
    this.hello = encodeHello(localAddress);
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    // Connections beyond maxConnections are closed by Node; count them.
    server.on('drop', () => {
      this.stats.receiveDrops++;
    });
    // Accept errors (e.g. EMFILE) must not crash the process; the peer will retry.
    server.on('error', () => {
      this.stats.receiveDrops++;
    });
  }

  get outgoingConnections(): number {
    return this.pool.size;
  }

  get incomingConnections(): number {
    return this.incoming.size;
  }

  send(to: Address, bytes: Uint8Array): void {
    if (this.closing !== undefined || bytes.length > this.limits.frameBytesMax) {
      this.stats.sendDrops++;
      return;
    }
    const connection = this.pool.get(to) ?? this.connect(to);
    if (connection === undefined) {
      this.stats.sendDrops++;
      return;
    }
    const wire = this.keyring === undefined ? bytes : this.keyring.seal(bytes);
    if (!connection.enqueue(wire)) this.stats.sendDrops++;
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.handler = ignore;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const waits: Promise<void>[] = [serverClosed];
    for (const connection of [...this.pool.values()]) waits.push(connection.destroy());
    for (const connection of [...this.incoming]) waits.push(connection.destroy());
    await Promise.all(waits);
  }

  /** Opens a pooled connection to `to`, or undefined if `to` is not an address one can connect to. */
  private connect(to: Address): OutgoingConnection | undefined {
    const dest = parseDestination(to);
    if (!dest.ok) return undefined;
    if (this.pool.size >= this.limits.outgoingConnectionsMax) {
      // Evict the oldest connection: the pool is bounded, and a peer still in use reconnects.
      const oldest = this.pool.values().next().value;
      if (oldest !== undefined) void oldest.destroy();
    }
    const hello = this.keyring === undefined ? this.hello : this.keyring.seal(this.hello);
    const connection = new OutgoingConnection(
      to,
      dest.value,
      hello,
      { queueBytesMax: this.limits.queueBytesMaxPerPeer, connectTimeoutMs: this.limits.connectTimeoutMs, idleTimeoutMs: this.limits.idleTimeoutMs },
      this.stats,
      (ended) => {
        if (this.pool.get(ended.peer) === ended) this.pool.delete(ended.peer);
      },
    );
    this.pool.set(to, connection);
    return connection;
  }

  private onConnection(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const connection = new IncomingConnection(
      socket,
      this.keyring,
      {
        wireFrameBytesMax: this.limits.frameBytesMax + (this.keyring === undefined ? 0 : sealOverheadBytes),
        helloTimeoutMs: this.limits.helloTimeoutMs,
        idleTimeoutMs: Math.min(timeoutMsMax, this.limits.idleTimeoutMs * incomingIdleFactor),
      },
      this.stats,
      (from, payload) => this.handler(from, payload),
    );
    this.incoming.add(connection);
    void connection.closed.then(() => this.incoming.delete(connection));
  }
}

/**
 * Listens for TCP connections and returns the transport once listening. Rejects with a
 * `TransportError`: TRANSPORT_ERR_BAD_ADDRESS / TRANSPORT_ERR_BAD_OPTION for bad options,
 * TRANSPORT_ERR_BIND when the OS refuses to listen.
 */
export async function listenTcpTransport(options: TcpTransportOptions): Promise<TcpTransport> {
  const plan = planBind(options.bind, options.advertise);
  const limits = {
    frameBytesMax: intOption('frameBytesMax', options.frameBytesMax ?? streamFrameBytesMax, 1, frameBytesLimit),
    queueBytesMaxPerPeer: intOption('queueBytesMaxPerPeer', options.queueBytesMaxPerPeer ?? tcpQueueBytesMaxPerPeerDefault, 1, Number.MAX_SAFE_INTEGER),
    connectTimeoutMs: intOption('connectTimeoutMs', options.connectTimeoutMs ?? tcpConnectTimeoutMsDefault, 1, timeoutMsMax),
    idleTimeoutMs: intOption('idleTimeoutMs', options.idleTimeoutMs ?? tcpIdleTimeoutMsDefault, 1, timeoutMsMax),
    helloTimeoutMs: intOption('helloTimeoutMs', options.helloTimeoutMs ?? tcpHelloTimeoutMsDefault, 1, timeoutMsMax),
    outgoingConnectionsMax: intOption('outgoingConnectionsMax', options.outgoingConnectionsMax ?? tcpOutgoingConnectionsMaxDefault, 1, Number.MAX_SAFE_INTEGER),
    incomingConnectionsMax: intOption('incomingConnectionsMax', options.incomingConnectionsMax ?? tcpIncomingConnectionsMaxDefault, 1, Number.MAX_SAFE_INTEGER),
  };
  const server = createServer({ noDelay: true });
  server.maxConnections = limits.incomingConnectionsMax;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.close();
      reject(bindError(options.bind, error));
    };
    server.once('error', onError);
    // ipv6Only false: a server bound to :: also accepts IPv4 peers.
    server.listen({ host: plan.bind.host, port: plan.bind.port, ipv6Only: false, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : plan.bind.port;
  return new TcpTransportImpl(server, options.keyring, limits, localAddressOf(plan, port), localAddressOf({ bind: plan.bind, advertise: undefined }, port));
}
