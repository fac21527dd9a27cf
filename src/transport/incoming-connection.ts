/**
 * One accepted TCP connection: a peer's outgoing pipe to us. Its first frame must be a hello
 * naming the peer's listen address (hello.ts); every later frame is delivered with that address
 * as `from`. Anything wrong closes the connection and is counted: the sender reconnects on its
 * next send, and the protocol above retries what was lost.
 */
import type { Socket } from 'node:net';
import type { Address } from '../wire/types.js';
import { FrameDecoder } from './frame-codec.js';
import { decodeHello, helloBytesMax } from './hello.js';
import { sealOverheadBytes, type Keyring } from './keyring.js';
import type { TransportStats } from './transport.js';

export interface IncomingLimits {
  /** Largest frame payload accepted, in bytes, as on the wire (sealed size when sealing). */
  readonly wireFrameBytesMax: number;
  /** Close a connection that has not sent its hello within this time. */
  readonly helloTimeoutMs: number;
  /** Close a connection silent for this long (a sender that vanished without closing). */
  readonly idleTimeoutMs: number;
}

export class IncomingConnection {
  private from: Address | undefined;
  private readonly decoder: FrameDecoder;
  private done = false;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly keyring: Keyring | undefined,
    private readonly limits: IncomingLimits,
    private readonly stats: TransportStats,
    private readonly deliver: (from: Address, payload: Uint8Array) => void,
  ) {
    // Until the hello arrives, accept only a hello-sized frame: an unauthenticated peer cannot
    // make us buffer a full-size frame.
    this.decoder = new FrameDecoder(helloBytesMax + (keyring === undefined ? 0 : sealOverheadBytes));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.setTimeout(limits.helloTimeoutMs);
    socket.on('timeout', () => {
      if (this.from === undefined) this.stats.receiveDrops++;
      this.close();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Resets and other errors just end the connection.
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.done = true;
    });
  }

  /** Closes the connection; resolves when it is closed. */
  destroy(): Promise<void> {
    this.close();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    const outcome = this.decoder.push(chunk, (frame) => this.onFrame(frame));
    if (outcome === 'oversize') {
      this.stats.receiveDrops++;
      this.close();
    }
  }

  /** Handles one frame; false stops decoding (the connection is closing). */
  private onFrame(frame: Buffer): boolean {
    if (this.done) return false;
    this.stats.bytesReceived += frame.length;
    let payload: Uint8Array = frame;
    if (this.keyring !== undefined) {
      const opened = this.keyring.open(frame);
      if (opened === undefined) {
        // On a stream, a frame that does not open means a wrong key or a corrupted stream:
        // nothing after it can be trusted either.
        this.stats.openFailures++;
        this.close();
        return false;
      }
      payload = opened;
    }
    if (this.from === undefined) {
      const from = decodeHello(payload);
      if (from === undefined) {
        this.stats.receiveDrops++;
        this.close();
        return false;
      }
      this.from = from;
      this.decoder.frameBytesMax = this.limits.wireFrameBytesMax;
      this.socket.setTimeout(this.limits.idleTimeoutMs);
      return true;
    }
    this.stats.received++;
    this.deliver(this.from, payload);
    return !this.done;
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.socket.destroy();
  }
}
