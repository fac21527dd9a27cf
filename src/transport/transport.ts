/**
 * What the runtime needs from a network: send bytes to an address, receive bytes with the
 * sender's address. Two channels (src/wire/types.ts `Channel`): 'packet' (UDP datagrams, lossy,
 * at most `packetBytesMax` each) and 'stream' (TCP frames, reliable and ordered per peer, at most
 * `streamFrameBytesMax` each). One compliance suite (test/transport/compliance.ts) runs against
 * the memory, UDP and TCP implementations.
 *
 * Transports carry opaque bytes: the runtime encodes and decodes with src/wire/codec.ts. When a
 * Keyring is configured, the transport seals every datagram / frame on send and opens it on
 * receive (AES-256-GCM); what fails to open is dropped and counted in `stats.openFailures`, never
 * handed to the receiver.
 */
import type { Address, Channel } from '../wire/types.js';

/** Called once per datagram / frame received, with the payload as opened. */
export type ReceiveHandler = (from: Address, bytes: Uint8Array) => void;

/** Monotonic counters of one transport (exported as metrics by the runtime). */
export interface TransportStats {
  /** Datagrams / frames handed to the network. */
  sent: number;
  /** Payload bytes handed to the network (after sealing, before headers of lower layers). */
  bytesSent: number;
  /** Datagrams / frames delivered to the receive handler. */
  received: number;
  /** Payload bytes received (as they arrived, before opening). */
  bytesReceived: number;
  /** Sends dropped: oversize, unresolvable address, queue full, socket error, closed. */
  sendDrops: number;
  /** Received datagrams / frames that failed to open with any key of the keyring (or were sealed/unsealed against the configuration). */
  openFailures: number;
  /** Received datagrams / frames dropped for another reason (oversize frame, bad handshake). */
  receiveDrops: number;
}

export function emptyTransportStats(): TransportStats {
  return { sent: 0, bytesSent: 0, received: 0, bytesReceived: 0, sendDrops: 0, openFailures: 0, receiveDrops: 0 };
}

/** One channel's transport, bound and ready. */
export interface Transport {
  readonly channel: Channel;
  /**
   * The address this transport is reachable at, as peers should send to it: the advertised
   * address when one was configured, else the bound address with the actual port (port 0 binds
   * an ephemeral port).
   */
  readonly localAddress: Address;
  readonly stats: TransportStats;
  /**
   * Queues `bytes` (the plaintext payload) for `to`. Never throws for network conditions: a send
   * that cannot be carried out is dropped and counted in `stats.sendDrops`. The caller keeps no
   * claim on `bytes` after the call (the transport may hold it until written).
   */
  send(to: Address, bytes: Uint8Array): void;
  /** Sets the single receive handler (replacing any previous one). */
  onReceive(handler: ReceiveHandler): void;
  /** Stops receiving, closes sockets and connections; resolves when they are closed. Idempotent. */
  close(): Promise<void>;
}
