/**
 * API endpoints in membership metadata (src/runtime/endpoints-meta.ts): a round trip keeps them,
 * anything that is not our JSON object decodes to {}, and an encoding beyond the metadata limit
 * is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEndpoints, encodeEndpoints } from '../../src/runtime/endpoints-meta.js';
import type { NodeEndpoints } from '../../src/runtime/service.js';
import { metaBytesMax } from '../../src/wire/limits.js';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

describe('endpoints metadata', () => {
  it('round-trips every combination of endpoints', () => {
    const cases: NodeEndpoints[] = [
      {},
      { http: '127.0.0.1:8080' },
      { resp: '127.0.0.1:6380' },
      { http: '10.0.0.1:8080', resp: '10.0.0.1:6380' },
      { http: '[fd00::1]:8080', resp: '[::1]:6380' },
    ];
    for (const endpoints of cases) {
      const encoded = encodeEndpoints(endpoints);
      assert.ok(encoded.length <= metaBytesMax);
      assert.deepEqual(decodeEndpoints(encoded), endpoints);
    }
  });

  it('writes the documented compact JSON form', () => {
    assert.equal(new TextDecoder().decode(encodeEndpoints({ http: '1.2.3.4:80', resp: '1.2.3.4:6379' })), '{"h":"1.2.3.4:80","r":"1.2.3.4:6379"}');
    assert.equal(new TextDecoder().decode(encodeEndpoints({})), '{}');
  });

  it('decodes empty metadata, garbage and other JSON to {}', () => {
    const junk = [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xfe, 0x00]),
      bytes('{"h":"1.2.3.4:80"'),
      bytes('not json'),
      bytes('null'),
      bytes('42'),
      bytes('"h"'),
      bytes('true'),
      bytes('[]'),
      bytes('["1.2.3.4:80"]'),
      bytes('{}'),
      bytes('{"http":"1.2.3.4:80","resp":"1.2.3.4:6379"}'),
    ];
    for (const meta of junk) assert.deepEqual(decodeEndpoints(meta), {}, JSON.stringify([...meta]));
  });

  it('ignores fields of the wrong type and unknown fields', () => {
    assert.deepEqual(decodeEndpoints(bytes('{"h":8080,"r":"1.2.3.4:6379"}')), { resp: '1.2.3.4:6379' });
    assert.deepEqual(decodeEndpoints(bytes('{"h":"1.2.3.4:80","r":null}')), { http: '1.2.3.4:80' });
    assert.deepEqual(decodeEndpoints(bytes('{"h":"1.2.3.4:80","v":2,"x":{"y":1}}')), { http: '1.2.3.4:80' });
    // Invalid UTF-8 inside otherwise valid JSON is refused (fatal decoder), not half-decoded.
    const bad = new Uint8Array([...bytes('{"h":"'), 0xc3, 0x28, ...bytes('"}')]);
    assert.deepEqual(decodeEndpoints(bad), {});
  });

  it('refuses endpoints that do not fit in the metadata with a RangeError', () => {
    // '{"h":"' + x + '"}' is 8 bytes of framing.
    const fits = 'x'.repeat(metaBytesMax - 8);
    assert.equal(encodeEndpoints({ http: fits }).length, metaBytesMax);
    assert.throws(() => encodeEndpoints({ http: `${fits}x` }), (e: unknown) => e instanceof RangeError && /limit 512/.test(e.message));
    assert.throws(() => encodeEndpoints({ http: 'a'.repeat(300), resp: 'b'.repeat(300) }), RangeError);
  });
});
