import { decodeUtf8 } from './utf8.js';
import { u32Max } from './varint.js';
import type { WireError, WireErrorCode } from './wire-error.js';


/** The one zero-length result of `copy`. */
const emptyBytes = new Uint8Array(0);
/** Copies up to this many bytes use a loop instead of slice(). */
const smallCopyBytes = 16;

/**
 * A bounds-checked cursor over untrusted bytes. It never throws and never reads outside
 * `[pos, end)`. Errors are sticky instead of returned per call: the first failure is recorded in
 * `error`, the cursor jumps to `end`, and every later read returns a harmless default (0, '',
 * empty bytes). Decoders check `failed` before loops and allocations and once per message, which
 * keeps the happy path free of per-field result objects.
 */
export class Reader {
  /** The input; never modified, never aliased by decoded values. */
  readonly bytes: Uint8Array;
  /** Next byte to read. */
  pos: number;
  /** One past the last readable byte (a message body narrows it temporarily). */
  end: number;
  /** The first failure, or null while decoding is going well. */
  error: WireError | null;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.pos = 0;
    this.end = bytes.length;
    this.error = null;
  }

  /** True once any read failed. */
  get failed(): boolean {
    return this.error !== null;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Records the first failure and stops further reads. */
  fail(code: WireErrorCode, detail: string): void {
    if (this.error === null) this.error = { code, detail };
    this.pos = this.end;
  }

  /** One byte, or 0 after a failure. */
  u8(): number {
    if (this.pos >= this.end) {
      this.fail('WIRE_ERR_TRUNCATED', `need 1 byte at offset ${this.pos}`);
      return 0;
    }
    return this.bytes[this.pos++]!;
  }

  /** A big-endian 16-bit value. */
  u16(): number {
    if (this.end - this.pos < 2) {
      this.fail('WIRE_ERR_TRUNCATED', `need 2 bytes at offset ${this.pos}`);
      return 0;
    }
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  /** A big-endian 32-bit value (unsigned). */
  u32(): number {
    if (this.end - this.pos < 4) {
      this.fail('WIRE_ERR_TRUNCATED', `need 4 bytes at offset ${this.pos}`);
      return 0;
    }
    const b = this.bytes;
    const p = this.pos;
    const v = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    this.pos = p + 4;
    return v;
  }

  /** A boolean byte: exactly 0 or 1 (anything else would not re-encode identically). */
  bool(what: string): boolean {
    const v = this.u8();
    if (v > 1) this.fail('WIRE_ERR_MALFORMED', `${what}: boolean byte ${v}`);
    return v === 1;
  }

  /**
   * A canonical u32 varint. Rejects overlong encodings (a redundant zero group) and values above
   * 2^32 - 1 as malformed, so no field can smuggle a value the encoder would refuse.
   */
  varint(what: string): number {
    const b = this.bytes;
    const end = this.end;
    let pos = this.pos;
    // Fast path: most seqs, lengths and counts fit in one byte.
    if (pos < end && b[pos]! < 0x80) {
      this.pos = pos + 1;
      return b[pos]!;
    }
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= end) {
        this.fail('WIRE_ERR_TRUNCATED', `${what}: varint cut off at offset ${pos}`);
        return 0;
      }
      const byte = b[pos++]!;
      // Multiplication instead of shifts: the fifth group would overflow a signed 32-bit shift.
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) {
        if (byte === 0 && i > 0) {
          this.fail('WIRE_ERR_MALFORMED', `${what}: overlong varint at offset ${this.pos}`);
          return 0;
        }
        if (value > u32Max) {
          this.fail('WIRE_ERR_MALFORMED', `${what}: varint ${value} exceeds 2^32-1`);
          return 0;
        }
        this.pos = pos;
        return value;
      }
    }
    this.fail('WIRE_ERR_MALFORMED', `${what}: varint longer than 5 bytes at offset ${this.pos}`);
    return 0;
  }

  /**
   * A length prefix checked against `maxBytes` (LIMIT_EXCEEDED) and against the bytes actually
   * left (TRUNCATED) before anything is allocated for it.
   */
  length(what: string, maxBytes: number): number {
    const len = this.varint(what);
    if (len > maxBytes) {
      this.fail('WIRE_ERR_LIMIT_EXCEEDED', `${what}: ${len} bytes exceeds limit ${maxBytes}`);
      return 0;
    }
    if (len > this.end - this.pos) {
      this.fail('WIRE_ERR_TRUNCATED', `${what}: ${len} bytes claimed, ${this.end - this.pos} left`);
      return 0;
    }
    return len;
  }

  /** A varint-length-prefixed UTF-8 string of at most `maxBytes` bytes. */
  string(what: string, maxBytes: number): string {
    const len = this.length(what, maxBytes);
    return this.utf8(what, len);
  }

  /** Exactly `len` bytes of UTF-8 (the caller read and bounded the length). */
  utf8(what: string, len: number): string {
    if (len === 0) return '';
    if (len > this.end - this.pos) {
      this.fail('WIRE_ERR_TRUNCATED', `${what}: ${len} bytes claimed, ${this.end - this.pos} left`);
      return '';
    }
    const start = this.pos;
    const s = decodeUtf8(this.bytes, start, start + len);
    if (s === null) {
      this.fail('WIRE_ERR_MALFORMED', `${what}: invalid UTF-8 at offset ${start}`);
      return '';
    }
    this.pos = start + len;
    return s;
  }

  /** `len` raw bytes, copied (decoded values must not alias the input buffer). */
  copy(len: number): Uint8Array {
    if (len > this.end - this.pos) {
      this.fail('WIRE_ERR_TRUNCATED', `need ${len} bytes at offset ${this.pos}`);
      return new Uint8Array(0);
    }
    // Most metadata is empty: share one zero-length array (it holds nothing to alias or mutate).
    if (len === 0) return emptyBytes;
    const src = this.bytes;
    const start = this.pos;
    let out: Uint8Array;
    if (len <= smallCopyBytes) {
      // For a few bytes a plain loop beats slice()'s call overhead.
      out = new Uint8Array(len);
      for (let i = 0; i < len; i++) out[i] = src[start + i]!;
    } else {
      out = src.slice(start, start + len);
    }
    this.pos = start + len;
    return out;
  }

  /**
   * An element count checked against `maxCount` (LIMIT_EXCEEDED) and against what the remaining
   * bytes could possibly hold, given each element takes at least `minElementBytes` (TRUNCATED).
   */
  count(what: string, maxCount: number, minElementBytes: number): number {
    const n = this.varint(what);
    if (n > maxCount) {
      this.fail('WIRE_ERR_LIMIT_EXCEEDED', `${what}: ${n} exceeds limit ${maxCount}`);
      return 0;
    }
    if (n * minElementBytes > this.end - this.pos) {
      this.fail('WIRE_ERR_TRUNCATED', `${what}: ${n} claimed, ${this.end - this.pos} bytes left`);
      return 0;
    }
    return n;
  }
}
