/**
 * RESP request parser: arrays of bulk strings and inline commands, reassembled across any chunk
 * boundaries, pipelined requests one at a time, binary-safe arguments, limits as typed errors, and
 * no throw on any input (fast-check properties with fixed seeds).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  RespParser,
  respArgsMax,
  respBufferedBytesMax,
  respBulkBytesMax,
  respHeaderBytesMax,
  respInlineBytesMax,
  splitInline,
  type RespParseError,
  type RespRequest,
} from '../../src/api/resp/resp-parser.js';

const seed = 20240611;

function encodeRequest(args: ReadonlyArray<string | Uint8Array>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Feeds `chunks` and collects every request (as arrays of Buffers) and the error, if any. */
function parseChunks(chunks: readonly Uint8Array[]): { requests: Buffer[][]; error: RespParseError | null; parser: RespParser } {
  const parser = new RespParser();
  const requests: Buffer[][] = [];
  let error: RespParseError | null = null;
  for (const chunk of chunks) {
    const fed = parser.feed(chunk);
    if (fed !== null) {
      error = fed;
      break;
    }
    let r: RespRequest | RespParseError | null;
    while ((r = parser.next()) !== null) {
      if (r.kind === 'error') {
        error = r;
        break;
      }
      requests.push(r.args);
    }
    if (error !== null) break;
  }
  return { requests, error, parser };
}

function asStrings(requests: Buffer[][]): string[][] {
  return requests.map((args) => args.map((a) => a.toString('latin1')));
}

function allBytes(): Buffer {
  return Buffer.from(Array.from({ length: 256 }, (_, i) => i));
}

/** A pipelined sequence mixing arrays, inline commands, binary and empty values, and ignorable input. */
const pipelined = Buffer.concat([
  encodeRequest(['SET', 'k1', 'v1']),
  Buffer.from('PING\r\n'),
  encodeRequest(['SET', 'bin', allBytes()]),
  Buffer.from('*0\r\n'),
  Buffer.from('\r\n'),
  encodeRequest(['GET', '']),
  Buffer.from('set "a b" \'c\\\'d\'\n'),
  encodeRequest(['DEL', 'x', 'y', 'z']),
]);
const expected: string[][] = [
  ['SET', 'k1', 'v1'],
  ['PING'],
  ['SET', 'bin', allBytes().toString('latin1')],
  ['GET', ''],
  ['set', 'a b', "c'd"],
  ['DEL', 'x', 'y', 'z'],
];

describe('RespParser: requests', () => {
  it('parses one array request', () => {
    const { requests, error } = parseChunks([encodeRequest(['GET', 'key'])]);
    assert.equal(error, null);
    assert.deepEqual(asStrings(requests), [['GET', 'key']]);
  });

  it('parses a pipelined sequence in one chunk, in order', () => {
    const { requests, error, parser } = parseChunks([pipelined]);
    assert.equal(error, null);
    assert.deepEqual(asStrings(requests), expected);
    assert.equal(parser.bufferedBytes, 0);
  });

  it('reassembles the sequence split at every byte boundary (exhaustive)', () => {
    for (let cut = 0; cut <= pipelined.length; cut++) {
      const { requests, error } = parseChunks([pipelined.subarray(0, cut), pipelined.subarray(cut)]);
      assert.equal(error, null, `cut at ${cut}`);
      assert.deepEqual(asStrings(requests), expected, `cut at ${cut}`);
    }
  });

  it('reassembles the sequence fed one byte at a time', () => {
    const chunks = Array.from(pipelined, (b) => Uint8Array.of(b));
    const { requests, error } = parseChunks(chunks);
    assert.equal(error, null);
    assert.deepEqual(asStrings(requests), expected);
  });

  it('reassembles random chunkings of random requests (fast-check, 2,000 cases)', () => {
    const argArb = fc.uint8Array({ maxLength: 40 });
    const requestArb = fc.array(argArb, { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (reqs, cutsRaw) => {
        const bytes = Buffer.concat(reqs.map((r) => encodeRequest(r)));
        const cuts = [...new Set(cutsRaw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const c of [...cuts, bytes.length]) {
          chunks.push(bytes.subarray(prev, c));
          prev = c;
        }
        const { requests, error } = parseChunks(chunks);
        assert.equal(error, null);
        assert.deepEqual(
          requests.map((args) => args.map((a) => [...a])),
          reqs.map((args) => args.map((a) => [...a])),
        );
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('keeps arguments binary-safe and independent of the input chunk', () => {
    const value = allBytes();
    const chunk = encodeRequest(['SET', 'k', value]);
    const { requests } = parseChunks([chunk]);
    chunk.fill(0);
    assert.deepEqual(requests[0]![2], value);
  });

  it('accepts a bulk of exactly respBulkBytesMax bytes fed in 64 KiB chunks', () => {
    const value = Buffer.alloc(respBulkBytesMax, 0x61);
    const bytes = encodeRequest(['SET', 'big', value]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const { requests, error, parser } = parseChunks(chunks);
    assert.equal(error, null);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]![2]!.length, respBulkBytesMax);
    assert.ok(requests[0]![2]!.equals(value));
    assert.equal(parser.bufferedBytes, 0);
  });

  it('parses a 1 MiB value fed in 1,000-byte chunks', () => {
    const value = Buffer.alloc(1024 * 1024, 0x7a);
    const bytes = encodeRequest(['SET', 'big', value]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    const { requests, error } = parseChunks(chunks);
    assert.equal(error, null);
    assert.ok(requests[0]![2]!.equals(value));
  });

  it('reports an incomplete request as null and holds its bytes', () => {
    const parser = new RespParser();
    assert.equal(parser.feed(Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nke')), null);
    assert.equal(parser.next(), null);
    assert.ok(parser.bufferedBytes > 0);
    parser.feed(Buffer.from('y\r\n'));
    const r = parser.next();
    assert.ok(r !== null && r.kind === 'request');
    assert.deepEqual(asStrings([r.args]), [['GET', 'key']]);
    assert.equal(parser.next(), null);
  });
});

describe('RespParser: inline commands', () => {
  it('splits on whitespace, accepts CRLF or LF, skips blank lines', () => {
    const { requests, error } = parseChunks([Buffer.from('SET  k\tv\r\n\r\n\nGET k\nPING\r\n')]);
    assert.equal(error, null);
    assert.deepEqual(asStrings(requests), [['SET', 'k', 'v'], ['GET', 'k'], ['PING']]);
    for (const r of requests) assert.ok(r.length > 0);
  });

  it('handles quotes and escapes like redis-cli', () => {
    const line = Buffer.from('SET "a\\x41\\n\\"b" \'it\\\'s\' ""');
    const args = splitInline(line, 0, line.length);
    assert.deepEqual(
      args?.map((a) => a.toString('latin1')),
      ['SET', 'aA\n"b', "it's", ''],
    );
  });

  it('marks inline requests', () => {
    const parser = new RespParser();
    parser.feed(Buffer.from('PING\r\n'));
    const r = parser.next();
    assert.ok(r !== null && r.kind === 'request' && r.inline);
  });

  it('rejects unbalanced quotes and a quote glued to the next argument', () => {
    for (const line of ['SET "abc\r\n', "SET 'abc\r\n", 'SET "a"b\r\n']) {
      const { error } = parseChunks([Buffer.from(line)]);
      assert.equal(error?.code, 'RESP_ERR_MALFORMED', line);
      assert.match(error.message, /unbalanced quotes/);
    }
  });

  it('accepts an inline line of respInlineBytesMax - 2 bytes fed byte by byte', () => {
    const line = Buffer.alloc(respInlineBytesMax - 2, 0x61);
    line[0] = 0x45; // "E"
    line[1] = 0x20;
    const bytes = Buffer.concat([line, Buffer.from('\r\n')]);
    const parser = new RespParser();
    let got: RespRequest | RespParseError | null = null;
    for (const b of bytes) {
      assert.equal(parser.feed(Uint8Array.of(b)), null);
      got = parser.next() ?? got;
    }
    assert.ok(got !== null && got.kind === 'request');
    assert.equal(got.args[1]!.length, respInlineBytesMax - 4);
  });
});

describe('RespParser: malformed input and limits', () => {
  const cases: Array<[string, string | Buffer, 'RESP_ERR_MALFORMED' | 'RESP_ERR_LIMIT_EXCEEDED', RegExp]> = [
    ['non-$ inside an array', '*2\r\n$3\r\nGET\r\n:1\r\n', 'RESP_ERR_MALFORMED', /expected '\$', got ':'/],
    ['bad array count', '*x\r\n', 'RESP_ERR_MALFORMED', /invalid multibulk length/],
    ['array count without CR', '*1\n', 'RESP_ERR_MALFORMED', /invalid multibulk length/],
    ['bad bulk length', '*1\r\n$abc\r\n', 'RESP_ERR_MALFORMED', /invalid bulk length/],
    ['negative bulk length', '*1\r\n$-1\r\n', 'RESP_ERR_MALFORMED', /invalid bulk length/],
    ['bulk not followed by CRLF', '*1\r\n$3\r\nabcXY', 'RESP_ERR_MALFORMED', /expected CRLF/],
    ['bulk above respBulkBytesMax', `*1\r\n$${respBulkBytesMax + 1}\r\n`, 'RESP_ERR_LIMIT_EXCEEDED', /invalid bulk length/],
    ['array above respArgsMax', `*${respArgsMax + 1}\r\n`, 'RESP_ERR_LIMIT_EXCEEDED', /invalid multibulk length/],
    ['header line too long', `*${'1'.repeat(respHeaderBytesMax)}`, 'RESP_ERR_LIMIT_EXCEEDED', /too big/],
    ['inline line too long', Buffer.alloc(respInlineBytesMax + 1, 0x61), 'RESP_ERR_LIMIT_EXCEEDED', /too big inline request/],
  ];
  for (const [name, input, code, message] of cases) {
    it(`${name} -> ${code}`, () => {
      const { error } = parseChunks([typeof input === 'string' ? Buffer.from(input) : input]);
      assert.equal(error?.code, code);
      assert.match(error.message, message);
    });
  }

  it('accepts exactly respArgsMax arguments', () => {
    const args = Array.from({ length: respArgsMax }, (_, i) => `a${i}`);
    const { requests, error } = parseChunks([encodeRequest(args)]);
    assert.equal(error, null);
    assert.equal(requests[0]!.length, respArgsMax);
  });

  it('rejects more than respBufferedBytesMax of pending input', () => {
    const parser = new RespParser();
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    parser.feed(Buffer.from(`*1\r\n$${respBulkBytesMax}\r\n`));
    assert.equal(parser.next(), null);
    let error: RespParseError | null = null;
    for (let i = 0; i < 8 && error === null; i++) error = parser.feed(chunk);
    assert.equal(error?.code, 'RESP_ERR_LIMIT_EXCEEDED');
    assert.ok(parser.bufferedBytes <= respBufferedBytesMax);
  });

  it('rejects a request whose arguments together exceed respBufferedBytesMax', () => {
    const big = Buffer.alloc(respBulkBytesMax, 0x62);
    const parts = [Buffer.from('*8\r\n')];
    for (let i = 0; i < 8; i++) parts.push(Buffer.from(`$${big.length}\r\n`), big, Buffer.from('\r\n'));
    const bytes = Buffer.concat(parts);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const { requests, error } = parseChunks(chunks);
    assert.equal(requests.length, 0);
    assert.equal(error?.code, 'RESP_ERR_LIMIT_EXCEEDED');
  });

  it('stays failed after an error and answers requests before it', () => {
    const { requests, error, parser } = parseChunks([Buffer.from('PING\r\n*1\r\n$x\r\nPING\r\n')]);
    assert.deepEqual(asStrings(requests), [['PING']]);
    assert.equal(error?.code, 'RESP_ERR_MALFORMED');
    assert.equal(parser.next(), error);
    assert.equal(parser.feed(Buffer.from('PING\r\n')), error);
    assert.equal(parser.error, error);
  });
});

describe('RespParser is total', () => {
  function checkNoThrow(chunks: readonly Uint8Array[]): void {
    const parser = new RespParser();
    for (const c of chunks) {
      parser.feed(c);
      for (let i = 0; i < 10_000; i++) {
        const r = parser.next();
        if (r === null || r.kind === 'error') break;
        assert.ok(r.args.length > 0 && r.args.length <= respArgsMax);
      }
    }
  }

  it('never throws on random bytes in random chunks (fast-check, 5,000 cases)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => checkNoThrow(chunks)),
      { seed, numRuns: 5000 },
    );
  });

  it('never throws on RESP-flavoured noise (fast-check, 5,000 cases)', () => {
    const token = fc.constantFrom('*', '$', '\r\n', '\r', '\n', '-1', '0', '1', '2', '3', '10', '999999999999', ' ', '"', "'", '\\x4', 'a', 'GET', '\x00');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), fc.nat({ max: 100 }), (tokens, cut) => {
        const bytes = Buffer.from(tokens.join(''), 'latin1');
        const at = Math.min(cut, bytes.length);
        checkNoThrow([bytes.subarray(0, at), bytes.subarray(at)]);
      }),
      { seed, numRuns: 5000 },
    );
  });

  it('never throws on mutated valid requests (fast-check, 3,000 cases)', () => {
    fc.assert(
      fc.property(fc.nat({ max: pipelined.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bytes = Buffer.from(pipelined);
        bytes[at] = byte;
        checkNoThrow([bytes]);
      }),
      { seed, numRuns: 3000 },
    );
  });
});
