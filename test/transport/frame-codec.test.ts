/**
 * Stream framing and the hello frame.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, frameHeader } from '../../src/transport/frame-codec.js';
import { decodeHello, encodeHello, helloBytesMax } from '../../src/transport/hello.js';
import { patternBytes } from './helpers.js';

function encodeFrames(payloads: Uint8Array[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [frameHeader(p.length), p]));
}

describe('FrameDecoder', () => {
  const payloads = [patternBytes(5, 1), new Uint8Array(0), patternBytes(300, 2), patternBytes(1, 3)];
  const stream = encodeFrames(payloads);

  it('reassembles frames at every split point, and byte by byte', () => {
    for (let split = 0; split <= stream.length; split++) {
      const decoder = new FrameDecoder(1000);
      const got: Uint8Array[] = [];
      for (const chunk of [stream.subarray(0, split), stream.subarray(split)]) {
        assert.equal(decoder.push(chunk, (f) => (got.push(Uint8Array.from(f)), true)), 'ok');
      }
      assert.deepEqual(got, payloads, `split at ${split}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
    const decoder = new FrameDecoder(1000);
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) decoder.push(stream.subarray(i, i + 1), (f) => (got.push(Uint8Array.from(f)), true));
    assert.deepEqual(got, payloads);
  });

  it('reports a declared length above the limit before buffering the body', () => {
    const decoder = new FrameDecoder(299);
    const got: Uint8Array[] = [];
    assert.equal(decoder.push(stream.subarray(0, stream.length - 1), (f) => (got.push(f), true)), 'oversize');
    assert.equal(got.length, 2);
    const exact = new FrameDecoder(300);
    assert.equal(exact.push(stream, () => true), 'ok');
  });

  it('stops when the callback says so', () => {
    const decoder = new FrameDecoder(1000);
    let calls = 0;
    assert.equal(decoder.push(stream, () => ++calls < 2), 'stopped');
    assert.equal(calls, 2);
  });
});

describe('hello', () => {
  it('round-trips IPv4 and IPv6 listen addresses', () => {
    for (const addr of ['10.0.0.1:7946', '[2001:db8::1]:7946']) assert.equal(decodeHello(encodeHello(addr)), addr);
  });

  it('refuses anything that is not a hello naming a reachable address', () => {
    const good = encodeHello('10.0.0.1:7946');
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'empty'],
      [good.subarray(0, 3), 'no address'],
      [Uint8Array.of(0x52, 0x4b, ...good.subarray(2)), 'envelope magic'],
      [Uint8Array.of(0x52, 0x48, 2, ...good.subarray(3)), 'unknown version'],
      [encodeHello('localhost:7946'), 'host name'],
      [encodeHello('0.0.0.0:7946'), 'unspecified'],
      [encodeHello('10.0.0.1:0'), 'port 0'],
      [Uint8Array.of(0x52, 0x48, 1, 0xff, 0xfe), 'invalid UTF-8'],
      [Uint8Array.of(...good, ...new Uint8Array(helloBytesMax)), 'too long'],
    ];
    for (const [bytes, why] of cases) assert.equal(decodeHello(bytes), undefined, why);
  });
});
