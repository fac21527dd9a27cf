/**
 * RESP2 reply encoding. Every function returns the complete encoded reply as one Buffer, so the
 * server can queue, order and coalesce replies without knowing their types.
 */

const crlf = '\r\n';

/** Replaces CR and LF (which would end the line early) with spaces, as Redis does for error text. */
function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]+/g, ' ') : s;
}

/** `+<text>\r\n`. Line breaks in `text` become spaces. */
export function encodeSimple(text: string): Buffer {
  return Buffer.from(`+${oneLine(text)}${crlf}`, 'utf8');
}

/**
 * `-<text>\r\n`. `text` starts with the error class (`ERR`, `NOAUTH`, `WRONGPASS`, ...) by Redis
 * convention; line breaks become spaces.
 */
export function encodeError(text: string): Buffer {
  return Buffer.from(`-${oneLine(text)}${crlf}`, 'utf8');
}

/** `:<n>\r\n`. `n` must be an integer. */
export function encodeInteger(n: number | bigint): Buffer {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new RangeError(`RESP integer must be a safe integer, got ${n}`);
  return Buffer.from(`:${n.toString()}${crlf}`, 'latin1');
}

/** `$<len>\r\n<bytes>\r\n`, or the null bulk `$-1\r\n` for null. Strings are encoded as UTF-8. */
export function encodeBulk(value: Uint8Array | string | null): Buffer {
  if (value === null) return respNullBulk;
  if (typeof value === 'string') {
    const len = Buffer.byteLength(value, 'utf8');
    const header = `$${len}${crlf}`;
    const out = Buffer.allocUnsafe(header.length + len + 2);
    out.write(header, 0, 'latin1');
    out.write(value, header.length, 'utf8');
    out.write(crlf, header.length + len, 'latin1');
    return out;
  }
  const header = `$${value.length}${crlf}`;
  const out = Buffer.allocUnsafe(header.length + value.length + 2);
  out.write(header, 0, 'latin1');
  out.set(value, header.length);
  out[header.length + value.length] = 0x0d;
  out[header.length + value.length + 1] = 0x0a;
  return out;
}

/** `*<n>\r\n` followed by the already encoded items, or the null array `*-1\r\n` for null. */
export function encodeArray(items: readonly Uint8Array[] | null): Buffer {
  if (items === null) return Buffer.from(`*-1${crlf}`, 'latin1');
  return Buffer.concat([Buffer.from(`*${items.length}${crlf}`, 'latin1'), ...items]);
}

/** An array of bulk strings (null entries become null bulks). */
export function encodeBulkArray(items: ReadonlyArray<Uint8Array | string | null>): Buffer {
  return encodeArray(items.map(encodeBulk));
}

/** Replies used on hot paths, encoded once. Treat as read-only. */
export const respOk: Buffer = Buffer.from(`+OK${crlf}`, 'latin1');
export const respPong: Buffer = Buffer.from(`+PONG${crlf}`, 'latin1');
export const respNullBulk: Buffer = Buffer.from(`$-1${crlf}`, 'latin1');
export const respEmptyArray: Buffer = Buffer.from(`*0${crlf}`, 'latin1');
export const respZero: Buffer = Buffer.from(`:0${crlf}`, 'latin1');
export const respOne: Buffer = Buffer.from(`:1${crlf}`, 'latin1');
