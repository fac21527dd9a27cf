/**
 * describeMsg: one canonical line per message, for logs and golden scenario files.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { describeMsg, describeMsgs } from '../../src/wire/describe.js';
import type { Msg } from '../../src/wire/types.js';
import { msgArb } from './arbitraries.js';
import { fcParams } from './helpers.js';

const n2 = { name: 'n2', addr: '10.0.0.2:7946' };
const n5 = { name: 'n5', addr: '10.0.0.5:7946' };

describe('describeMsg', () => {
  const cases: [Msg, string][] = [
    [{ type: 'ping', seq: 17, target: 'n5', source: n2 }, 'ping seq=17 target=n5 from=n2@10.0.0.2:7946'],
    [{ type: 'indirect-ping', seq: 4, target: n5, source: n2, wantNack: true }, 'indirect-ping seq=4 target=n5@10.0.0.5:7946 from=n2@10.0.0.2:7946 nack=true'],
    [{ type: 'ack', seq: 17 }, 'ack seq=17'],
    [{ type: 'nack', seq: 4 }, 'nack seq=4'],
    [{ type: 'alive', node: n5, incarnation: 3, meta: new Uint8Array(12) }, 'alive n5@10.0.0.5:7946 inc=3 meta=12B'],
    [{ type: 'suspect', node: 'n5', incarnation: 3, from: 'n2' }, 'suspect n5 inc=3 from=n2'],
    [{ type: 'dead', node: 'n5', incarnation: 3, from: 'n5' }, 'dead n5 inc=3 from=n5'],
    [
      { type: 'push-pull', join: true, reply: false, source: { name: 'n1', addr: '10.0.0.1:7946' }, members: Array.from({ length: 10 }, () => ({ node: n5, incarnation: 0, state: 'alive' as const, meta: new Uint8Array() })) },
      'push-pull join=true reply=false from=n1 members=10',
    ],
    [{ type: 'join-req', node: n2, heartbeat: 0 }, 'join-req n2@10.0.0.2:7946 hb=0'],
    [{ type: 'join-rep', source: n5, entries: [{ node: n2, heartbeat: 1 }] }, 'join-rep from=n5@10.0.0.5:7946 entries=1'],
    [{ type: 'heartbeat', source: n5, entries: [] }, 'heartbeat from=n5@10.0.0.5:7946 entries=0'],
  ];
  for (const [msg, line] of cases) {
    it(`describes ${msg.type}`, () => assert.equal(describeMsg(msg), line));
  }

  it('quotes names that would make the line ambiguous', () => {
    assert.equal(describeMsg({ type: 'suspect', node: 'a b', incarnation: 1, from: '' }), 'suspect "a b" inc=1 from=""');
  });

  it('describeMsgs joins with "; "', () => {
    assert.equal(describeMsgs([{ type: 'ack', seq: 1 }, { type: 'nack', seq: 2 }]), 'ack seq=1; nack seq=2');
  });

  it('is one line for any message', () => {
    fc.assert(
      fc.property(msgArb(3), (msg) => {
        const line = describeMsg(msg);
        assert.ok(line.startsWith(`${msg.type} `));
        assert.ok(!/[\n\r]/.test(line));
      }),
      fcParams(2000),
    );
  });
});
