/**
 * Keyring: AES-256-GCM sealing, opening with any key of the ring, and strict key parsing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKey, Keyring, keyBytes, sealOverheadBytes } from '../../src/transport/keyring.js';
import { patternBytes } from './helpers.js';

function ring(keys: string[]): Keyring {
  const result = Keyring.fromBase64(keys);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Plain Uint8Array copy, so deepEqual does not trip on Buffer vs Uint8Array. */
function plain(bytes: Uint8Array | undefined): Uint8Array | undefined {
  return bytes === undefined ? undefined : Uint8Array.from(bytes);
}

const k1 = generateKey();
const k2 = generateKey();
const k3 = generateKey();

describe('Keyring', () => {
  it('round-trips empty, small and large plaintexts', () => {
    const r = ring([k1]);
    for (const length of [0, 1, 1371, 100_000]) {
      const plainText = patternBytes(length, length);
      const sealed = r.seal(plainText);
      assert.equal(sealed.length, length + sealOverheadBytes);
      assert.equal(sealed[0], 1, 'format version');
      assert.deepEqual(plain(r.open(sealed)), plainText);
    }
    assert.equal(sealOverheadBytes, 29);
  });

  it('uses a fresh nonce for every seal', () => {
    const r = ring([k1]);
    const text = patternBytes(64);
    const a = r.seal(text);
    const b = r.seal(text);
    assert.notDeepEqual(a.subarray(1, 13), b.subarray(1, 13));
    assert.notDeepEqual(a, b);
  });

  it('refuses anything tampered with: version, nonce, ciphertext, tag, length', () => {
    const r = ring([k1]);
    const sealed = r.seal(patternBytes(40));
    for (const index of [0, 1, 12, 13, 30, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed);
      bad[index]! ^= 0x01;
      assert.equal(r.open(bad), undefined, `flipped byte ${index}`);
    }
    assert.equal(r.open(sealed.subarray(0, sealed.length - 1)), undefined, 'truncated');
    assert.equal(r.open(new Uint8Array(0)), undefined, 'empty');
    assert.equal(r.open(new Uint8Array(sealOverheadBytes - 1).fill(1)), undefined, 'shorter than the overhead');
    const plaintextEnvelope = Uint8Array.of(0x52, 0x4b, 1, 0, 0, 1, ...new Uint8Array(40));
    assert.equal(r.open(plaintextEnvelope), undefined, 'an unsealed ringkv envelope');
  });

  it('rotation: what the old primary sealed opens with [new, old]; [other] refuses it', () => {
    const old = ring([k1]);
    const rotating = ring([k2, k1]);
    const text = patternBytes(100);
    assert.deepEqual(plain(rotating.open(old.seal(text))), text);
    // And the other way: the new primary's output opens where the new key is secondary.
    assert.deepEqual(plain(ring([k1, k2]).open(rotating.seal(text))), text);
    assert.equal(ring([k3]).open(old.seal(text)), undefined);
    assert.equal(old.open(rotating.seal(text)), undefined, 'after step 2, a node without the new key cannot open');
  });

  it('fromBase64 accepts exactly 32-byte keys and reports bad ones by position only', () => {
    const short = Buffer.alloc(31, 7).toString('base64');
    const long = Buffer.alloc(33, 7).toString('base64');
    for (const [keys, why] of [
      [[short], '31 bytes'],
      [[long], '33 bytes'],
      [[], 'empty ring'],
      [[k1, 'not base64 at all!!'], 'garbage'],
      [[k1.slice(0, -1)], 'missing padding'],
      [[`${k1.slice(0, 10)}*${k1.slice(11)}`], 'character outside the alphabet'],
    ] as const) {
      const result = Keyring.fromBase64(keys);
      assert.equal(result.ok, false, why);
      if (!result.ok) {
        assert.equal(result.error.code, 'TRANSPORT_ERR_BAD_KEY');
        for (const key of keys) if (key.length > 0) assert.ok(!result.error.message.includes(key), 'key material must not appear in the message');
      }
    }
    const good = Keyring.fromBase64([k1, ` ${k2}\n`]);
    assert.ok(good.ok);
    assert.equal(good.value.size, 2);
  });

  it('generateKey returns base64 of 32 random bytes', () => {
    assert.equal(Buffer.from(k1, 'base64').length, keyBytes);
    assert.notEqual(k1, k2);
  });
});
