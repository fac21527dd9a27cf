/**
 * Stream framing: every frame is a 4-byte big-endian payload length followed by the payload.
 * The decoder checks the declared length against its limit before buffering the body, so a peer
 * cannot make us hold more than one limit-sized frame per connection.
 */

/** Bytes of the length prefix. */
export const frameHeaderBytes = 4;

/** The 4-byte big-endian length prefix of a payload of `length` bytes. */
export function frameHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderBytes);
  header.writeUInt32BE(length, 0);
  return header;
}

/** What `FrameDecoder.push` ended with. */
export type DecodeOutcome =
  /** Every complete frame was handed over; any partial frame is buffered. */
  | 'ok'
  /** A frame declared a length above the limit: the stream is unusable, close it. */
  | 'oversize'
  /** The frame callback asked to stop (the connection is being closed). */
  | 'stopped';

/** Reassembles frames from the chunks a socket delivers, however they are split or joined. */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** Declared length of the frame being assembled, or -1 while waiting for its header. */
  private bodyBytes = -1;

  /**
   * @param frameBytesMax largest payload length accepted, in bytes. Public so a connection can
   * start with a small limit (handshake) and raise it once the peer is known.
   */
  constructor(public frameBytesMax: number) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds `chunk` and calls `onFrame` for each complete frame, in order. `onFrame` returns false to
   * stop (the rest is discarded with the decoder). Frame buffers may share memory with `chunk`.
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => boolean): DecodeOutcome {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    while (true) {
      if (this.bodyBytes < 0) {
        if (this.buffered < frameHeaderBytes) return 'ok';
        this.bodyBytes = this.take(frameHeaderBytes).readUInt32BE(0);
        if (this.bodyBytes > this.frameBytesMax) return 'oversize';
      }
      if (this.buffered < this.bodyBytes) return 'ok';
      const frame = this.take(this.bodyBytes);
      this.bodyBytes = -1;
      if (!onFrame(frame)) return 'stopped';
    }
  }

  /** Removes and returns the first `n` buffered bytes (n <= buffered). Copies only across chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0);
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const want = n - filled;
      if (head.length <= want) {
        head.copy(out, filled);
        filled += head.length;
        this.chunks.shift();
      } else {
        head.copy(out, filled, 0, want);
        this.chunks[0] = head.subarray(want);
        filled = n;
      }
    }
    return out;
  }
}
