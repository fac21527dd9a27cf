import { assertFailed } from './invariant.js';
import { writeUtf8 } from './utf8.js';

/**
 * A cursor over a buffer the encoder sized exactly beforehand. Bounds are an invariant here (the
 * size pass and the write pass must agree), so overruns are assertion failures, checked once per
 * packet by the caller rather than on every byte.
 */
export class Writer {
  /** The buffer being filled. */
  buf: Uint8Array;
  /** Next byte to write. */
  pos: number;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.pos = 0;
  }

  /** Points the writer at a new buffer, so one Writer serves every encode without allocation. */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
  }

  /** One byte (0..255). */
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  /** A big-endian 16-bit value. */
  u16(v: number): void {
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
  }

  /** An unsigned 32-bit value as a canonical LEB128 varint (see varint.ts). */
  varint(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let n = v;
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  /** Raw bytes, copied. */
  bytes(src: Uint8Array): void {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** The UTF-8 bytes of `s`, whose encoded length the caller already computed. */
  utf8(s: string, byteLength: number): void {
    writeUtf8(this.buf, this.pos, s, byteLength);
    this.pos += byteLength;
  }

  /** Asserts that the write pass ended exactly where the size pass said it would. */
  expectEnd(): void {
    if (this.pos !== this.buf.length) assertFailed(`encoder wrote ${this.pos} bytes, size pass computed ${this.buf.length}`);
  }
}
