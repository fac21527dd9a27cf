/**
 * An in-process network for tests and the compliance suite: transports bound on one
 * `MemoryNetwork` reach each other by address, per channel (a node's packet and stream transports
 * share an address, as UDP and TCP share a port number). Delivery is asynchronous (never inside
 * `send`, as with real sockets), in send order across the whole network, so per-sender order holds.
 * The deterministic simulator (src/sim) does not use this: it has its own network model.
 */
import { streamFrameBytesMax, udpPacketBytesMax } from '../wire/limits.js';
import type { Address, Channel } from '../wire/types.js';
import { emptyTransportStats, type ReceiveHandler, type Transport, type TransportStats } from './transport.js';

export interface MemoryBindOptions {
  /** Largest payload on the 'packet' channel, in bytes. Default `udpPacketBytesMax`. */
  readonly packetBytesMax?: number;
  /** Largest payload on the 'stream' channel, in bytes. Default `streamFrameBytesMax`. */
  readonly frameBytesMax?: number;
}

/** Most messages in flight across one network; beyond it sends are dropped and counted. */
export const memoryInFlightMessagesMax = 100_000;

/** First port handed out for binds to port 0 (the usual ephemeral range). */
const memoryEphemeralPortFirst = 32_768;

interface InFlight {
  readonly sender: MemoryTransport;
  readonly to: Address;
  readonly bytes: Uint8Array;
}

function ignore(): void {}

class MemoryTransport implements Transport {
  readonly stats: TransportStats = emptyTransportStats();
  handler: ReceiveHandler = ignore;
  closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly channel: Channel,
    readonly localAddress: Address,
    private readonly bytesMax: number,
  ) {}

  send(to: Address, bytes: Uint8Array): void {
    if (this.closed || bytes.length > this.bytesMax) {
      this.stats.sendDrops++;
      return;
    }
    this.network.enqueue(this, to, bytes);
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.handler = ignore;
      this.network.unbind(this);
    }
    return Promise.resolve();
  }
}

export class MemoryNetwork {
  private readonly bound = new Map<string, MemoryTransport>();
  private queue: InFlight[] = [];
  private scheduled = false;
  private nextPort = memoryEphemeralPortFirst;

  /**
   * Binds `address` on `channel`. An address ending in ":0" gets a free port of the same host.
   * Throws if the address is already bound on that channel (a test bug, not a network condition).
   */
  bind(address: Address, channel: Channel, options: MemoryBindOptions = {}): Transport {
    const local = address.endsWith(':0') ? this.freeAddress(address.slice(0, -1), channel) : address;
    const key = keyOf(local, channel);
    if (this.bound.has(key)) throw new Error(`MemoryNetwork: ${local} is already bound on ${channel}`);
    const bytesMax = channel === 'packet' ? (options.packetBytesMax ?? udpPacketBytesMax) : (options.frameBytesMax ?? streamFrameBytesMax);
    const transport = new MemoryTransport(this, channel, local, bytesMax);
    this.bound.set(key, transport);
    return transport;
  }

  /** @internal Called by MemoryTransport.send. */
  enqueue(sender: MemoryTransport, to: Address, bytes: Uint8Array): void {
    if (!this.bound.has(keyOf(to, sender.channel)) || this.queue.length >= memoryInFlightMessagesMax) {
      sender.stats.sendDrops++;
      return;
    }
    // Copy, as a real network would: neither side can see the other mutate the bytes.
    this.queue.push({ sender, to, bytes: bytes.slice() });
    sender.stats.sent++;
    sender.stats.bytesSent += bytes.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** @internal Called by MemoryTransport.close. */
  unbind(transport: MemoryTransport): void {
    const key = keyOf(transport.localAddress, transport.channel);
    if (this.bound.get(key) === transport) this.bound.delete(key);
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const { sender, to, bytes } of batch) {
      const target = this.bound.get(keyOf(to, sender.channel));
      // The receiver closed while the message was in flight: lost, like a packet to a dead host.
      if (target === undefined || target.closed) {
        sender.stats.sendDrops++;
        continue;
      }
      target.stats.received++;
      target.stats.bytesReceived += bytes.length;
      target.handler(sender.localAddress, bytes);
    }
  }

  private freeAddress(prefix: string, channel: Channel): Address {
    while (this.bound.has(keyOf(prefix + this.nextPort, channel))) this.nextPort++;
    return prefix + this.nextPort++;
  }
}

function keyOf(address: Address, channel: Channel): string {
  return `${channel} ${address}`;
}
