/**
 * Incremental, bounded parser of RESP2 requests (https://redis.io/docs/reference/protocol-spec/):
 * arrays of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`, what client libraries send) and inline
 * commands (`GET k\r\n`, what telnet and `redis-cli` in some modes send).
 *
 * Feed it socket chunks as they arrive (`feed`), then take complete requests (`next`) until it
 * returns null. A request split across any chunk boundaries is reassembled; many pipelined requests
 * in one chunk come out one per `next` call. Arguments are copied out as their own Buffers (values
 * are binary-safe and never alias the socket's chunks).
 *
 * Linear time: parse state (array count, arguments so far, pending bulk length, how far a line has
 * been scanned) survives between chunks, so no byte is scanned twice, and a pending bulk reserves
 * its full size once so a 1 MiB value arriving in 64 KiB chunks is copied once.
 *
 * Never throws on any input: malformed input or an exceeded limit yields a typed `RespParseError`,
 * after which the parser stays failed (the server replies `-ERR Protocol error: ...` and closes the
 * connection, as Redis does).
 */
import { kvValueBytesMax } from '../../wire/kv-limits.js';

/** Largest bulk string argument, in bytes: a maximal value (1 MiB) plus 1 KiB of slack, so an over-limit value still parses and gets a clean KV_ERR_BAD_REQUEST reply. */
export const respBulkBytesMax = kvValueBytesMax + 1024;

/** Most arguments (command name included) in one request. */
export const respArgsMax = 1024;

/** Longest inline command line, in bytes (Redis: PROTO_INLINE_MAX_SIZE, 64 KiB). */
export const respInlineBytesMax = 64 * 1024;

/** Longest `*<count>` or `$<length>` header line, in bytes, CRLF included. */
export const respHeaderBytesMax = 32;

/**
 * Most bytes the parser holds per connection, in bytes: unparsed input plus the arguments of the
 * request being assembled. Must exceed one maximal request (a SET with a respBulkBytesMax value).
 */
export const respBufferedBytesMax = 4 * 1024 * 1024;

/** Why parsing stopped: the input is not RESP, or it exceeds one of the limits above. */
export type RespParseErrorCode = 'RESP_ERR_MALFORMED' | 'RESP_ERR_LIMIT_EXCEEDED';

export interface RespParseError {
  readonly kind: 'error';
  readonly code: RespParseErrorCode;
  /** Redis-style text for the `-ERR Protocol error: <message>` reply. */
  readonly message: string;
}

export interface RespRequest {
  readonly kind: 'request';
  /** Command name and arguments, each its own Buffer; never empty. */
  readonly args: Buffer[];
  /** True for an inline command line. */
  readonly inline: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const STAR = 0x2a;
const DOLLAR = 0x24;

const empty = Buffer.alloc(0);

function malformed(message: string): RespParseError {
  return { kind: 'error', code: 'RESP_ERR_MALFORMED', message };
}

function limit(message: string): RespParseError {
  return { kind: 'error', code: 'RESP_ERR_LIMIT_EXCEEDED', message };
}

export class RespParser {
  /** Input bytes live in buf[pos, end). `owned`: buf is our allocation (may be appended to in place). */
  private buf: Buffer = empty;
  private pos = 0;
  private end = 0;
  private owned = false;
  /** Bytes after `pos` already searched for the current line's terminator without finding it. */
  private scanned = 0;
  /** Arguments still expected by the array being assembled, or -1 between requests. */
  private argsLeft = -1;
  private args: Buffer[] = [];
  private argsBytes = 0;
  /** Length of the bulk string being waited for, or -1 when its `$` header is still expected. */
  private bulkLen = -1;
  private failure: RespParseError | null = null;

  /** Bytes held: unparsed input plus the arguments of the request being assembled. */
  get bufferedBytes(): number {
    return this.end - this.pos + this.argsBytes;
  }

  /** The error the parser stopped on, if any. */
  get error(): RespParseError | null {
    return this.failure;
  }

  /**
   * Appends a chunk. Returns an error (and fails the parser) if the bytes held would exceed
   * respBufferedBytesMax; requests already complete are lost then, so take them with `next` first.
   */
  feed(chunk: Uint8Array): RespParseError | null {
    if (this.failure !== null) return this.failure;
    if (chunk.length === 0) return null;
    if (this.bufferedBytes + chunk.length > respBufferedBytesMax) {
      return this.fail(limit(`too much pending request data (more than ${respBufferedBytesMax} bytes)`));
    }
    const pending = this.end - this.pos;
    if (pending === 0 && !this.owned) {
      // Nothing pending and no reservation: parse the chunk in place (no copy).
      this.buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      this.pos = 0;
      this.end = chunk.length;
      return null;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return null;
    }
    this.grow(pending + chunk.length);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
    return null;
  }

  /** The next complete request, an error (sticky), or null when more input is needed. */
  next(): RespRequest | RespParseError | null {
    while (this.failure === null) {
      if (this.argsLeft < 0) {
        if (this.pos === this.end) {
          this.release();
          return null;
        }
        if (this.buf[this.pos] !== STAR) {
          const inline = this.parseInline();
          if (inline === 'skip') continue;
          return inline;
        }
        const count = this.readHeader('multibulk length');
        if (count === null) return null;
        if (typeof count !== 'number') return count;
        if (count > respArgsMax) return this.fail(limit(`invalid multibulk length (more than ${respArgsMax} arguments)`));
        // Redis ignores empty and null arrays between requests.
        if (count <= 0) continue;
        this.argsLeft = count;
        this.args = [];
        this.argsBytes = 0;
      }
      while (this.argsLeft > 0) {
        if (this.bulkLen < 0) {
          if (this.pos === this.end) return null;
          const type = this.buf[this.pos]!;
          if (type !== DOLLAR) return this.fail(malformed(`expected '$', got '${printable(type)}'`));
          const len = this.readHeader('bulk length');
          if (len === null) return null;
          if (typeof len !== 'number') return len;
          if (len < 0) return this.fail(malformed('invalid bulk length'));
          if (len > respBulkBytesMax) return this.fail(limit(`invalid bulk length (more than ${respBulkBytesMax} bytes)`));
          if (this.argsBytes + len > respBufferedBytesMax) return this.fail(limit(`request too large (more than ${respBufferedBytesMax} bytes)`));
          this.bulkLen = len;
        }
        const need = this.bulkLen + 2;
        if (this.end - this.pos < need) {
          // Reserve room for the whole bulk once, so the chunks still to come are copied once.
          if (!this.owned || this.buf.length - this.pos < need) this.grow(need);
          return null;
        }
        const at = this.pos + this.bulkLen;
        if (this.buf[at] !== CR || this.buf[at + 1] !== LF) return this.fail(malformed('expected CRLF after bulk string'));
        this.args.push(Buffer.from(this.buf.subarray(this.pos, at)));
        this.argsBytes += this.bulkLen;
        this.pos = at + 2;
        this.bulkLen = -1;
        this.argsLeft--;
      }
      const args = this.args;
      this.args = [];
      this.argsBytes = 0;
      this.argsLeft = -1;
      return { kind: 'request', args, inline: false };
    }
    return this.failure;
  }

  private fail(error: RespParseError): RespParseError {
    this.failure = error;
    this.buf = empty;
    this.pos = 0;
    this.end = 0;
    this.owned = false;
    this.args = [];
    this.argsBytes = 0;
    return error;
  }

  /** Drops a fully consumed buffer so an idle connection holds no input bytes. */
  private release(): void {
    if (this.buf.length > 0) {
      this.buf = empty;
      this.pos = 0;
      this.end = 0;
      this.owned = false;
    }
  }

  /** Moves pending bytes to the front of an owned buffer of at least `capacity` bytes. */
  private grow(capacity: number): void {
    const pending = this.end - this.pos;
    if (this.owned && this.buf.length >= capacity) {
      this.buf.copyWithin(0, this.pos, this.end);
    } else {
      const next = Buffer.allocUnsafe(Math.max(capacity, Math.min(2 * pending, respBufferedBytesMax), 4096));
      this.buf.copy(next, 0, this.pos, this.end);
      this.buf = next;
      this.owned = true;
    }
    this.pos = 0;
    this.end = pending;
  }

  /**
   * Index of the LF ending the line at `pos`, or -1 if it has not arrived. Resumes where the
   * previous search stopped (`scanned`), so a line arriving byte by byte is scanned once.
   */
  private findLineEnd(): number {
    const from = this.pos + this.scanned;
    const at = from < this.end ? this.buf.indexOf(LF, from) : -1;
    if (at < 0 || at >= this.end) {
      this.scanned = this.end - this.pos;
      return -1;
    }
    this.scanned = 0;
    return at;
  }

  /** Reads a `*<n>\r\n` or `$<n>\r\n` line: its integer, null if incomplete, or an error. */
  private readHeader(what: string): number | RespParseError | null {
    const lf = this.findLineEnd();
    if (lf < 0) {
      if (this.end - this.pos > respHeaderBytesMax) return this.fail(limit(`too big ${what} string`));
      return null;
    }
    if (lf + 1 - this.pos > respHeaderBytesMax) return this.fail(limit(`too big ${what} string`));
    if (this.buf[lf - 1] !== CR) return this.fail(malformed(`invalid ${what}`));
    const value = parseDecimal(this.buf, this.pos + 1, lf - 1);
    if (value === null) return this.fail(malformed(`invalid ${what}`));
    this.pos = lf + 1;
    return value;
  }

  /** Parses an inline command line; 'skip' for a blank line (ignored, as Redis does). */
  private parseInline(): RespRequest | RespParseError | null | 'skip' {
    const lf = this.findLineEnd();
    if (lf < 0) {
      if (this.end - this.pos > respInlineBytesMax) return this.fail(limit('too big inline request'));
      return null;
    }
    if (lf + 1 - this.pos > respInlineBytesMax) return this.fail(limit('too big inline request'));
    const lineEnd = lf > this.pos && this.buf[lf - 1] === CR ? lf - 1 : lf;
    const args = splitInline(this.buf, this.pos, lineEnd);
    this.pos = lf + 1;
    if (args === null) return this.fail(malformed('unbalanced quotes in request'));
    if (args.length === 0) return 'skip';
    if (args.length > respArgsMax) return this.fail(limit(`too many arguments in inline request (more than ${respArgsMax})`));
    return { kind: 'request', args, inline: true };
  }
}

/** A non-negative or negative decimal integer of at most 18 digits in buf[start, end), or null. */
function parseDecimal(buf: Buffer, start: number, end: number): number | null {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  if (i === end || end - i > 18) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d;
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/**
 * Splits an inline line into arguments like Redis's sdssplitargs: whitespace separates; "double
 * quotes" allow \n \r \t \b \a \\ \" and \xHH escapes; 'single quotes' allow \'. A closing quote
 * must be followed by whitespace or the end. Returns null on unbalanced quotes.
 */
export function splitInline(buf: Uint8Array, start: number, end: number): Buffer[] | null {
  const args: Buffer[] = [];
  let i = start;
  while (true) {
    while (i < end && isSpace(buf[i]!)) i++;
    if (i >= end) return args;
    const quote = buf[i];
    if (quote !== 0x22 && quote !== 0x27) {
      const from = i;
      while (i < end && !isSpace(buf[i]!)) i++;
      args.push(Buffer.from(buf.subarray(from, i)));
      continue;
    }
    const out: number[] = [];
    i++;
    let closed = false;
    while (i < end) {
      const c = buf[i]!;
      if (c === quote) {
        closed = true;
        i++;
        break;
      }
      if (c === 0x5c && i + 1 < end) {
        const e = buf[i + 1]!;
        if (quote === 0x27) {
          if (e === 0x27) {
            out.push(0x27);
            i += 2;
            continue;
          }
        } else if (e === 0x78 && i + 3 < end && hexDigit(buf[i + 2]!) >= 0 && hexDigit(buf[i + 3]!) >= 0) {
          out.push(hexDigit(buf[i + 2]!) * 16 + hexDigit(buf[i + 3]!));
          i += 4;
          continue;
        } else {
          const map: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07 };
          out.push(map[e] ?? e);
          i += 2;
          continue;
        }
      }
      out.push(c);
      i++;
    }
    if (!closed) return null;
    if (i < end && !isSpace(buf[i]!)) return null;
    args.push(Buffer.from(out));
  }
}
