/**
 * The compact IPv4 address form is used only when it round-trips exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCanonicalIpv4 } from '../../src/wire/address.js';
import { ipv4AddrArb, nonCanonicalIpv4Arb } from './arbitraries.js';
import { fcParams } from './helpers.js';

describe('parseCanonicalIpv4', () => {
  it('accepts canonical text', () => {
    assert.equal(parseCanonicalIpv4('0.0.0.0:0'), 0);
    assert.equal(parseCanonicalIpv4('1.2.3.4:5'), 0x01020304 * 65536 + 5);
    assert.equal(parseCanonicalIpv4('255.255.255.255:65535'), 0xffffffff * 65536 + 65535);
    assert.equal(parseCanonicalIpv4('10.0.0.2:7946'), 0x0a000002 * 65536 + 7946);
  });

  it('rejects non-canonical or invalid text', () => {
    for (const s of ['01.2.3.4:5', '1.2.3.4:05', '1.2.3.4:00', '00.0.0.0:0', '256.1.1.1:1', '1.1.1.1:65536', '1.2.3:4', '1.2.3.4', '1.2.3.4:', '1.2.3.4.5:6', ' 1.2.3.4:5', '1.2.3.4:5 ', '[::1]:5', '', 'a.b.c.d:e', '1..3.4:5', '1.2.3.4:+5', '1.2.3.4:5:6']) {
      assert.equal(parseCanonicalIpv4(s), -1, s);
    }
  });

  it('canonical IPv4 parses; near misses do not', () => {
    fc.assert(fc.property(ipv4AddrArb, (s) => assert.ok(parseCanonicalIpv4(s) >= 0)), fcParams(2000));
    fc.assert(fc.property(nonCanonicalIpv4Arb, (s) => assert.equal(parseCanonicalIpv4(s), -1)), fcParams(2000));
  });
});
