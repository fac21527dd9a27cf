/**
 * Joining through an introducer (course MP1 spec §4: JOINREQ / JOINREP with the member list) and
 * full-membership convergence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/rng.js';
import type { GossipTimer } from '../../../src/membership/gossip/index.js';
import { GossipProtocol } from '../../../src/membership/gossip/index.js';
import type { MembershipOutput } from '../../../src/membership/types.js';
import type { JoinReplyMsg, JoinRequestMsg } from '../../../src/wire/types.js';
import { Pump, cluster, eventsAbout, nodeAddr, nodeName } from './harness.js';

type Out = MembershipOutput<GossipTimer>[];

function sends(out: Out): Extract<MembershipOutput<GossipTimer>, { kind: 'send' }>[] {
  return out.filter((o): o is Extract<MembershipOutput<GossipTimer>, { kind: 'send' }> => o.kind === 'send');
}

describe('gossip join', () => {
  it('a node without seeds founds the cluster without a joined event', () => {
    const a = new GossipProtocol({ self: { name: 'a', addr: nodeAddr(0) }, rng: new Rng(1) });
    const out: Out = [];
    a.handle({ kind: 'start', seeds: [nodeAddr(0)] }, 0, out);
    assert.equal(a.joined(), true);
    assert.equal(out.filter((o) => o.kind === 'event').length, 0);
    assert.equal(sends(out).length, 0);
    assert.equal(a.liveCount(), 1);
    assert.equal(a.member('a')?.state, 'alive');
  });

  it('the introducer adds the joiner and answers with its table; joined is emitted once', () => {
    const a = new GossipProtocol({ self: { name: 'a', addr: nodeAddr(0) }, rng: new Rng(2) });
    const b = new GossipProtocol({ self: { name: 'b', addr: nodeAddr(1) }, rng: new Rng(3) });
    a.handle({ kind: 'start', seeds: [] }, 0, []);
    const outB: Out = [];
    b.handle({ kind: 'start', seeds: [nodeAddr(0), nodeAddr(1), nodeAddr(0)] }, 0, outB);
    const req = sends(outB);
    assert.equal(req.length, 1, 'one join-req: seeds are deduplicated and self is skipped');
    assert.equal(req[0]!.to, nodeAddr(0));
    const reqMsg = req[0]!.msgs[0] as JoinRequestMsg;
    assert.equal(reqMsg.type, 'join-req');

    const outA: Out = [];
    a.handle({ kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [reqMsg] }, 5, outA);
    const joins = outA.filter((o) => o.kind === 'event' && o.event.type === 'join');
    assert.equal(joins.length, 1);
    const rep = sends(outA);
    assert.equal(rep.length, 1);
    assert.equal(rep[0]!.to, nodeAddr(1));
    const repMsg = rep[0]!.msgs[0] as JoinReplyMsg;
    assert.equal(repMsg.type, 'join-rep');
    assert.deepEqual(repMsg.entries.map((e) => e.node.name), ['a']);

    const outB2: Out = [];
    b.handle({ kind: 'packet', from: nodeAddr(0), channel: 'packet', msgs: [repMsg, repMsg] }, 10, outB2);
    const evs = outB2.filter((o) => o.kind === 'event').map((o) => (o.kind === 'event' ? o.event : undefined));
    assert.deepEqual(evs.map((e) => e?.type), ['join', 'joined']);
    assert.equal(b.joined(), true);
    // A stale retry timer does nothing once joined.
    const outB3: Out = [];
    b.handle({ kind: 'timer', timer: { type: 'gossip-join-retry', attempt: 1 } }, 1000, outB3);
    assert.equal(outB3.length, 0);
  });

  it('join-req is retried every joinRetryIntervalMs until an answer arrives', () => {
    const seed = 11;
    const pump = new Pump({ seed });
    pump.add(1);
    pump.start(1, [0]); // node 0 does not exist yet: the requests go nowhere
    pump.runUntil(3_500);
    assert.equal(pump.node(1).gossipStats.joinRequestsSent, 4, `seed ${seed}`);
    assert.equal(pump.node(1).joined(), false);
    pump.add(0);
    pump.start(0, []);
    pump.runUntil(5_000);
    assert.equal(pump.node(1).joined(), true, `seed ${seed}`);
    assert.equal(pump.events(1).filter((e) => e.event.type === 'joined').length, 1, `seed ${seed}`);
    assert.equal(pump.node(1).gossipStats.joinRequestsSent, 5, `seed ${seed}: retries stop after the answer`);
  });

  for (const seed of [1, 2, 3]) {
    it(`all 10 nodes learn each other, each join exactly once and never for self (seed ${seed})`, () => {
      const pump = cluster({ seed }, 10, 10_000);
      for (let i = 0; i < 10; i++) {
        const p = pump.node(i);
        assert.equal(p.liveCount(), 10, `seed ${seed}: node ${i} sees ${p.liveCount()} live`);
        assert.ok(p.members().every((m) => m.state === 'alive'), `seed ${seed}: node ${i} has a non-alive member`);
        assert.equal(eventsAbout(pump, i, 'join', nodeName(i)).length, 0, `seed ${seed}: self join at ${i}`);
        for (let j = 0; j < 10; j++) {
          if (j === i) continue;
          assert.equal(eventsAbout(pump, i, 'join', nodeName(j)).length, 1, `seed ${seed}: node ${i} join events for ${j}`);
        }
        assert.equal(pump.events(i).filter((e) => e.event.type === 'suspect').length, 0, `seed ${seed}: suspicion at ${i}`);
        if (i > 0) assert.equal(pump.events(i).filter((e) => e.event.type === 'joined').length, 1, `seed ${seed}`);
      }
    });
  }
});
