/**
 * One persistent outgoing TCP connection to one peer's listen address. Data flows one way only:
 * we write frames, the peer never writes back on it (its replies come over its own outgoing
 * connection to our listen address). That keeps each connection a simple pipe with one owner.
 *
 * - Frames sent while connecting are queued and written, after the hello, once connected.
 * - Pipelining: frames are written as they come; nothing waits for a reply.
 * - Coalescing: the small frames of one event-loop turn (up to the next tick) are copied into one
 *   buffer and leave in one write: one stream write request per turn instead of two per frame.
 *   A frame above `coalesceFrameBytesMax` (transfer batches, up to megabytes) is not copied: the
 *   turn so far is written first, then the frame itself, so the order stays.
 * - Backpressure: bytes queued here plus bytes buffered in the socket are bounded by
 *   `queueBytesMax`; a frame beyond that is refused (the caller drops and counts it).
 */
import { connect, type Socket } from 'node:net';
import type { Address } from '../wire/types.js';
import type { ParsedAddress } from './address.js';
import { frameHeader, frameHeaderBytes } from './frame-codec.js';
import type { TransportStats } from './transport.js';

export interface OutgoingLimits {
  /** Most bytes waiting to be written (queued while connecting + buffered in the socket). */
  readonly queueBytesMax: number;
  /** Give up connecting after this long; queued frames are dropped and counted. */
  readonly connectTimeoutMs: number;
  /** Close the connection after this long without traffic. */
  readonly idleTimeoutMs: number;
}

/** Frames up to this size are copied into the turn's buffer; larger ones are written as they are, in bytes. */
export const coalesceFrameBytesMax = 64 * 1024;

export class OutgoingConnection {
  private readonly socket: Socket;
  private connected = false;
  private ended = false;
  /** Frames (header, payload, header, payload, ...) waiting for the connection. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingFrames = 0;
  /** Payloads of the current turn, written together on the next tick. */
  private turn: Uint8Array[] = [];
  private turnBytes = 0;
  /** Resolves when the socket has fully closed. */
  readonly closed: Promise<void>;

  constructor(
    readonly peer: Address,
    dest: ParsedAddress,
    /** The hello payload, sealed if the transport seals: written first. */
    hello: Uint8Array,
    private readonly limits: OutgoingLimits,
    private readonly stats: TransportStats,
    /** Called once, as soon as this connection stops accepting frames (so the pool forgets it). */
    private readonly onEnded: (connection: OutgoingConnection) => void,
  ) {
    this.pending.push(frameHeader(hello.length), hello);
    this.pendingBytes = hello.length;
    this.socket = connect({ host: dest.host, port: dest.port, family: dest.family, noDelay: true });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    // Socket timeouts are unref'd timers: they never keep the process alive.
    this.socket.setTimeout(limits.connectTimeoutMs);
    this.socket.on('timeout', () => this.onTimeout());
    this.socket.once('connect', () => this.onConnect());
    // Errors (refused, reset, timeout) end the connection; they are never thrown.
    this.socket.on('error', () => this.end());
    // The peer never sends on this connection, so 'end' means it is closing (restart, idle
    // timeout on its side): stop using the connection now, so the next send reconnects.
    this.socket.on('end', () => this.end());
    this.socket.on('close', () => this.end());
    this.socket.on('data', () => {
      // Nothing is expected; reading keeps 'end' observable. Anything received is ignored.
    });
  }

  /** Bytes waiting to be written to the network. */
  get queuedBytes(): number {
    return this.pendingBytes + this.turnBytes + this.socket.writableLength;
  }

  /** True once the connection stopped accepting frames. */
  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Queues one frame (`payload` as it goes on the wire). False if refused: the connection has
   * ended, or the queue would exceed its bound.
   */
  enqueue(payload: Uint8Array): boolean {
    if (this.ended || this.queuedBytes + payload.length > this.limits.queueBytesMax) return false;
    if (!this.connected) {
      this.pending.push(frameHeader(payload.length), payload);
      this.pendingBytes += payload.length;
      this.pendingFrames++;
      return true;
    }
    // Handed to the socket, as far as counting goes (as a corked write was).
    this.countSent(payload.length);
    if (payload.length > coalesceFrameBytesMax) {
      this.flushTurn();
      this.socket.cork();
      this.socket.write(frameHeader(payload.length));
      this.socket.write(payload);
      this.socket.uncork();
      return true;
    }
    if (this.turn.length === 0) process.nextTick(() => this.flushTurn());
    this.turn.push(payload);
    this.turnBytes += payload.length;
    return true;
  }

  /** Closes the connection now; frames not yet written are dropped and counted. */
  destroy(): Promise<void> {
    this.end();
    this.socket.destroy();
    return this.closed;
  }

  private onConnect(): void {
    if (this.ended) return;
    this.connected = true;
    this.socket.setTimeout(this.limits.idleTimeoutMs);
    const frames = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
    this.socket.cork();
    // frames[0..1] is the hello, which is transport overhead, not a sent frame.
    for (let i = 0; i < frames.length; i += 2) {
      this.socket.write(frames[i]!);
      this.socket.write(frames[i + 1]!);
      if (i > 0) this.countSent(frames[i + 1]!.length);
    }
    this.socket.uncork();
  }

  /** Writes the turn's frames as one buffer (length prefix, payload, length prefix, ...). */
  private flushTurn(): void {
    const frames = this.turn;
    const bytes = this.turnBytes;
    this.turn = [];
    this.turnBytes = 0;
    // After end() the socket is gone: like corked writes, these were counted as sent and are lost.
    if (this.ended || frames.length === 0) return;
    const out = Buffer.allocUnsafe(bytes + frames.length * frameHeaderBytes);
    let at = 0;
    for (const payload of frames) {
      at = out.writeUInt32BE(payload.length, at);
      out.set(payload, at);
      at += payload.length;
    }
    this.socket.write(out);
  }

  private countSent(bytes: number): void {
    this.stats.sent++;
    this.stats.bytesSent += bytes;
  }

  private onTimeout(): void {
    // Before connect: connect timeout. After: idle. Either way this connection is done; a
    // connection idle with nothing buffered closes gracefully, anything else is stuck and reset.
    const graceful = this.connected && this.socket.writableLength === 0;
    this.end();
    if (graceful) this.socket.end();
    else this.socket.destroy();
  }

  /** Stops accepting frames (once): drops what never reached the socket and tells the pool. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stats.sendDrops += this.pendingFrames;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
    this.turn = [];
    this.turnBytes = 0;
    this.onEnded(this);
  }
}
