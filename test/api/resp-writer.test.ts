/**
 * RESP reply encoding: exact bytes of every reply type.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  encodeArray,
  encodeBulk,
  encodeBulkArray,
  encodeError,
  encodeInteger,
  encodeSimple,
  respEmptyArray,
  respNullBulk,
  respOk,
  respPong,
} from '../../src/api/resp/resp-writer.js';

const text = (b: Buffer): string => b.toString('latin1');

describe('RESP writer', () => {
  it('encodes simple strings and errors, keeping them on one line', () => {
    assert.equal(text(encodeSimple('OK')), '+OK\r\n');
    assert.equal(text(encodeError('ERR bad')), '-ERR bad\r\n');
    assert.equal(text(encodeError('ERR a\r\nb\nc')), '-ERR a b c\r\n');
    assert.equal(text(encodeSimple('x\ry')), '+x y\r\n');
  });

  it('encodes integers', () => {
    assert.equal(text(encodeInteger(0)), ':0\r\n');
    assert.equal(text(encodeInteger(-42)), ':-42\r\n');
    assert.equal(text(encodeInteger(2n ** 63n - 1n)), ':9223372036854775807\r\n');
    assert.throws(() => encodeInteger(1.5), RangeError);
  });

  it('encodes bulk strings: binary, UTF-8 text, empty and null', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const enc = encodeBulk(all);
    assert.equal(text(enc.subarray(0, 6)), '$256\r\n');
    assert.ok(enc.subarray(6, 262).equals(all));
    assert.equal(text(enc.subarray(262)), '\r\n');
    assert.equal(encodeBulk('é€').toString('utf8'), '$5\r\né€\r\n');
    assert.equal(text(encodeBulk('')), '$0\r\n\r\n');
    assert.equal(text(encodeBulk(new Uint8Array(0))), '$0\r\n\r\n');
    assert.equal(text(encodeBulk(null)), '$-1\r\n');
  });

  it('encodes arrays, nested and null', () => {
    assert.equal(text(encodeArray([])), '*0\r\n');
    assert.equal(text(encodeArray(null)), '*-1\r\n');
    assert.equal(text(encodeArray([encodeInteger(1), encodeBulk('a'), encodeArray([respNullBulk])])), '*3\r\n:1\r\n$1\r\na\r\n*1\r\n$-1\r\n');
    assert.equal(text(encodeBulkArray(['save', '', null])), '*3\r\n$4\r\nsave\r\n$0\r\n\r\n$-1\r\n');
  });

  it('has constant replies', () => {
    assert.equal(text(respOk), '+OK\r\n');
    assert.equal(text(respPong), '+PONG\r\n');
    assert.equal(text(respNullBulk), '$-1\r\n');
    assert.equal(text(respEmptyArray), '*0\r\n');
  });
});
