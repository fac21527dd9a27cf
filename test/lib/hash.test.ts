/**
 * Ring hashing: murmur3 against the reference implementation's published vectors, and
 * hashString53 (which encodes into a scratch buffer) equal to hash53 of the string's UTF-8 bytes
 * for every kind of string: ASCII, multi-byte, astral, lone surrogates, and strings too long for
 * the scratch buffer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hash53, hashString53, murmur3 } from '../../src/lib/hash.js';

const utf8 = new TextEncoder();

describe('hash', () => {
  it('murmur3 x86 32-bit matches the reference vectors', () => {
    assert.equal(murmur3(new Uint8Array(0), 0), 0);
    assert.equal(murmur3(new Uint8Array(0), 1), 0x514e28b7);
    assert.equal(murmur3(new Uint8Array(0), 0xffffffff), 0x81f16f39);
    assert.equal(murmur3(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 0), 0x76293b50);
    assert.equal(murmur3(new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0), 0xf55b516b);
    assert.equal(murmur3(new Uint8Array([0x21, 0x43, 0x65]), 0), 0x7e4a8634);
    assert.equal(murmur3(new Uint8Array([0x21]), 0), 0x72661cf4);
    assert.equal(murmur3(utf8.encode('Hello, world!'), 1234), 0xfaf6cdb3);
  });

  it('hashString53 equals hash53 of the UTF-8 bytes', () => {
    const cases = ['', 'k', 'key:000000012345', 'é', '日本語', '😀 emoji', '\ud800 lone', 'a'.repeat(1365), 'a'.repeat(1366), 'é'.repeat(2000), '日'.repeat(1365) + 'x'];
    for (const s of cases) assert.equal(hashString53(s), hash53(utf8.encode(s)), JSON.stringify(s.slice(0, 20)));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (s) => hashString53(s) === hash53(utf8.encode(s))),
      { seed: 7, numRuns: 500 },
    );
  });

  it('positions are exact integers below 2^53', () => {
    for (const s of ['a', 'b', 'node-1#0', 'x'.repeat(100)]) {
      const p = hashString53(s);
      assert.ok(Number.isSafeInteger(p) && p >= 0 && p < 2 ** 53);
    }
  });
});
