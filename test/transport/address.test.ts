/**
 * Transport addresses: IP literals with a port, IPv6 in brackets; host names refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressFromSocket, formatAddress, parseAddress, parseDestination } from '../../src/transport/address.js';

describe('parseAddress', () => {
  it('parses IPv4 and bracketed IPv6 literals', () => {
    assert.deepEqual(parseAddress('127.0.0.1:7946'), { ok: true, value: { host: '127.0.0.1', port: 7946, family: 4 } });
    assert.deepEqual(parseAddress('[::1]:7946'), { ok: true, value: { host: '::1', port: 7946, family: 6 } });
    assert.deepEqual(parseAddress('[2001:db8::5]:65535'), { ok: true, value: { host: '2001:db8::5', port: 65535, family: 6 } });
    assert.deepEqual(parseAddress('0.0.0.0:0'), { ok: true, value: { host: '0.0.0.0', port: 0, family: 4 } });
  });

  it('rejects malformed addresses, bad ports and host names with a clear message', () => {
    for (const addr of ['', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:07946', '127.0.0.1:-1', '127.0.0.1:+5', '127.0.0.1:7946 ', ' 127.0.0.1:7946', '256.0.0.1:1', '01.2.3.4:5', '::1:7946', '[::1]', '[::1]:', '[::1]:x', '[127.0.0.1]:5', '[::g]:5', 'localhost:7946', 'example.com:80', 'localhost:abc', `${'1'.repeat(70)}:1`]) {
      const result = parseAddress(addr);
      assert.equal(result.ok, false, addr);
      if (!result.ok) {
        assert.equal(result.error.code, 'TRANSPORT_ERR_BAD_ADDRESS');
        assert.match(result.error.message, /IP literal/);
      }
    }
  });

  it('parseDestination also refuses port 0 and unspecified hosts', () => {
    for (const addr of ['127.0.0.1:0', '0.0.0.0:7946', '[::]:7946', '[0:0:0:0:0:0:0:0]:1']) assert.equal(parseDestination(addr).ok, false, addr);
    assert.equal(parseDestination('10.0.0.1:1').ok, true);
  });
});

describe('formatAddress / addressFromSocket', () => {
  it('formats the inverse of parseAddress', () => {
    assert.equal(formatAddress('::1', 7946, 6), '[::1]:7946');
    assert.equal(formatAddress('10.0.0.1', 7946, 4), '10.0.0.1:7946');
    for (const addr of ['10.0.0.1:1', '[fe80::1]:2']) {
      const parsed = parseAddress(addr);
      assert.ok(parsed.ok);
      assert.equal(formatAddress(parsed.value.host, parsed.value.port, parsed.value.family), addr);
    }
  });

  it('reports IPv4-mapped peers of dual-stack sockets as plain IPv4', () => {
    assert.equal(addressFromSocket('::ffff:10.0.0.1', 5), '10.0.0.1:5');
    assert.equal(addressFromSocket('::FFFF:10.0.0.1', 5), '10.0.0.1:5');
    assert.equal(addressFromSocket('::1', 5), '[::1]:5');
    assert.equal(addressFromSocket('127.0.0.1', 5), '127.0.0.1:5');
    assert.equal(addressFromSocket(undefined, 5), undefined);
    assert.equal(addressFromSocket('nonsense', 5), undefined);
  });
});
