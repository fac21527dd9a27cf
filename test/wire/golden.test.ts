/**
 * Golden bytes: pins the wire format so an accidental layout change fails loudly, and matches the
 * worked example in docs/protocol.md (other implementations test against the same bytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePacket, encodePacket } from '../../src/wire/codec.js';
import type { Msg } from '../../src/wire/types.js';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const golden: [string, readonly Msg[], string, string][] = [
  [
    'ping (docs/protocol.md example)',
    [{ type: 'ping', seq: 17, target: 'n5', source: { name: 'n2', addr: '10.0.0.2:7946' } }],
    '',
    '52 4b 01 00 00 01 01 0e 11 02 6e 35 02 6e 32 01 0a 00 00 02 1f 0a',
  ],
  [
    'ack + suspect with a label',
    [
      { type: 'ack', seq: 300 },
      { type: 'suspect', node: 'é', incarnation: 1, from: 'a' },
    ],
    'lab',
    '52 4b 01 00 03 6c 61 62 02 03 02 ac 02 06 06 02 c3 a9 01 01 61',
  ],
  [
    'alive with an IPv6 address and meta',
    [{ type: 'alive', node: { name: 'x', addr: '[::1]:1' }, incarnation: 0, meta: Uint8Array.of(0xff) }],
    '',
    '52 4b 01 00 00 01 05 0e 01 78 00 07 5b 3a 3a 31 5d 3a 31 00 01 ff',
  ],
];

describe('golden wire bytes', () => {
  for (const [name, msgs, label, bytes] of golden) {
    it(name, () => {
      const encoded = encodePacket(msgs, { channel: 'packet', label });
      assert.equal(hex(encoded), bytes);
      const res = decodePacket(encoded, { channel: 'packet', expectedLabel: label });
      assert.ok(res.ok);
      assert.deepEqual(res.value.msgs, msgs);
    });
  }
});
