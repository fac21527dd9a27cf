/**
 * Compact address encoding. Addresses are strings in the API; on the wire a canonical IPv4
 * "a.b.c.d:port" takes 7 bytes (tag, 4 address bytes, 2 port bytes) instead of up to 22. Anything
 * else (IPv6, host names, non-canonical IPv4 text such as "01.2.3.4:5") is a tagged string, so the
 * decoded string always equals the encoded one.
 */

/** Address tag: length-prefixed UTF-8 string follows. */
export const addressTagString = 0;
/** Address tag: 4 IPv4 bytes and a big-endian 16-bit port follow. */
export const addressTagIpv4 = 1;

/** Bytes of the IPv4 form: tag + 4 address bytes + 2 port bytes. */
export const addressIpv4Bytes = 7;

const charDot = 0x2e;
const charColon = 0x3a;
const charZero = 0x30;
const charNine = 0x39;

/**
 * Parses a canonical IPv4 "a.b.c.d:port" (decimal, no leading zeros, octets <= 255,
 * port <= 65535) in one pass without allocating. Returns `ip * 65536 + port` (exact in a double:
 * 48 bits) or -1 if `addr` is not exactly the text `formatIpv4` would produce. Hot: runs for every
 * address the encoder sizes or writes.
 */
export function parseCanonicalIpv4(addr: string): number {
  const n = addr.length;
  // Shortest "0.0.0.0:0" is 9 characters, longest "255.255.255.255:65535" is 21.
  if (n < 9 || n > 21) return -1;
  let ip = 0;
  let part = 0; // 0..3: octets, 4: port
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i < n; i++) {
    const c = addr.charCodeAt(i);
    if (c >= charZero && c <= charNine) {
      // A leading zero ("01", "00") would not survive formatting.
      if (leadingZero) return -1;
      if (digits === 0) leadingZero = c === charZero;
      value = value * 10 + (c - charZero);
      digits++;
    } else if (c === charDot && part < 3) {
      if (digits === 0 || value > 255) return -1;
      ip = ip * 256 + value;
      part++;
      value = 0;
      digits = 0;
      leadingZero = false;
    } else if (c === charColon && part === 3) {
      if (digits === 0 || value > 255) return -1;
      ip = ip * 256 + value;
      part = 4;
      value = 0;
      digits = 0;
      leadingZero = false;
    } else {
      return -1;
    }
  }
  // Digits are bounded by the 21-character limit, so `value` stays far below 2^53.
  if (part !== 4 || digits === 0 || value > 65535) return -1;
  return ip * 65536 + value;
}

/** Most addresses `compactIpv4` remembers: covers a 10,000-node simulation; about 2 MB at most. */
const ipv4MemoEntriesMax = 1 << 14;
const ipv4Memo = new Map<string, number>();

/**
 * `parseCanonicalIpv4` with a bounded memo. Every address is parsed twice per encode (size pass,
 * write pass) and clusters reuse the same few thousand address strings, so a Map hit (the string's
 * hash is cached by the engine) beats re-parsing. The memo is a pure function cache: results never
 * depend on what was cached, only speed does.
 */
export function compactIpv4(addr: string): number {
  const hit = ipv4Memo.get(addr);
  if (hit !== undefined) return hit;
  const packed = parseCanonicalIpv4(addr);
  // Clearing all at once keeps the bound without per-entry bookkeeping; refilling is cheap.
  if (ipv4Memo.size >= ipv4MemoEntriesMax) ipv4Memo.clear();
  ipv4Memo.set(addr, packed);
  return packed;
}

/** Formats IPv4 bytes and port as "a.b.c.d:port", the inverse of `parseCanonicalIpv4`. */
export function formatIpv4(a: number, b: number, c: number, d: number, port: number): string {
  return `${a}.${b}.${c}.${d}:${port}`;
}
