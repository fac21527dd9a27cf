/**
 * Rejoin after restart (a higher incarnation folded into the heartbeat outranks the old run) and
 * graceful leave (a `dead` message with from === node, relayed once by each first receiver).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/rng.js';
import type { GossipTimer } from '../../../src/membership/gossip/index.js';
import { GossipProtocol, heartbeatIncarnationStride } from '../../../src/membership/gossip/index.js';
import type { MembershipOutput } from '../../../src/membership/types.js';
import type { DeadMsg, HeartbeatMsg } from '../../../src/wire/types.js';
import { cluster, eventsAbout, nodeAddr, nodeName } from './harness.js';

describe('gossip restart', () => {
  for (const seed of [41, 42]) {
    it(`a node restarted with a higher incarnation after removal rejoins everywhere (seed ${seed})`, () => {
      const pump = cluster({ seed }, 10, 10_000);
      pump.crash(4);
      pump.runUntil(pump.nowMs + 20_000);
      for (let i = 0; i < 10; i++) if (i !== 4) assert.equal(pump.node(i).member(nodeName(4))?.state, 'dead', `seed ${seed}: node ${i}`);
      const restartAt = pump.nowMs;
      pump.add(4, 1);
      pump.start(4, [0]);
      pump.runUntil(restartAt + 10_000);
      const back = pump.node(4);
      assert.equal(back.incarnation(), 1);
      assert.equal(back.liveCount(), 10, `seed ${seed}: the restarted node sees ${back.liveCount()}`);
      for (let i = 0; i < 10; i++) {
        if (i === 4) continue;
        const joins = eventsAbout(pump, i, 'join', nodeName(4)).filter((e) => e.atMs >= restartAt);
        assert.equal(joins.length, 1, `seed ${seed}: node ${i} re-join events`);
        assert.equal(joins[0]!.event.type === 'join' && joins[0]!.event.incarnation, 1, `seed ${seed}`);
        assert.equal(pump.node(i).member(nodeName(4))?.state, 'alive', `seed ${seed}: node ${i}`);
        assert.equal(pump.node(i).member(nodeName(4))?.incarnation, 1, `seed ${seed}: node ${i}`);
        assert.equal(eventsAbout(pump, i, 'dead', nodeName(4)).length, 1, `seed ${seed}: node ${i} removed it once only`);
      }
    });
  }

  it('a quick restart with a higher incarnation is an update, never a removal (seed 43)', () => {
    const seed = 43;
    const pump = cluster({ seed }, 6, 10_000);
    pump.crash(5);
    pump.runUntil(pump.nowMs + 1_000);
    pump.add(5, 1);
    pump.start(5, [0]);
    pump.runUntil(pump.nowMs + 20_000);
    for (let i = 0; i < 5; i++) {
      assert.equal(eventsAbout(pump, i, 'update', nodeName(5)).length, 1, `seed ${seed}: node ${i}`);
      assert.equal(eventsAbout(pump, i, 'dead', nodeName(5)).length, 0, `seed ${seed}: node ${i}`);
      assert.equal(pump.node(i).member(nodeName(5))?.incarnation, 1, `seed ${seed}: node ${i}`);
    }
  });

  it('a restart with the same incarnation gets back in through a refute (seed 44)', () => {
    const seed = 44;
    const pump = cluster({ seed }, 5, 10_000);
    pump.crash(4);
    pump.runUntil(pump.nowMs + 20_000);
    const tombstone = pump.node(0).heartbeatOf(nodeName(4))!;
    pump.add(4, 0); // its counter starts at 0 again, below every tombstone
    pump.start(4, [0]);
    pump.runUntil(pump.nowMs + 10_000);
    const back = pump.node(4);
    assert.ok(back.stats.refutations >= 1, `seed ${seed}: no refute`);
    assert.ok(back.heartbeatOf(nodeName(4))! > tombstone, `seed ${seed}`);
    assert.equal(back.liveCount(), 5, `seed ${seed}`);
    for (let i = 0; i < 4; i++) assert.equal(pump.node(i).member(nodeName(4))?.state, 'alive', `seed ${seed}: node ${i}`);
  });
});

describe('gossip leave', () => {
  for (const seed of [51, 52, 53]) {
    it(`a graceful leave reaches every member, once, and is never mistaken for a failure (seed ${seed})`, () => {
      const pump = cluster({ seed }, 10, 10_000);
      const sentBefore = pump.packetsSent;
      pump.input(6, { kind: 'leave' });
      assert.ok(pump.packetsSent - sentBefore >= 1 && pump.packetsSent - sentBefore <= 3, `seed ${seed}: leave fanout`);
      assert.equal(pump.node(6).member(nodeName(6))?.state, 'left');
      assert.equal(pump.node(6).liveCount(), 9);
      pump.runUntil(pump.nowMs + 20_000);
      for (let i = 0; i < 10; i++) {
        if (i === 6) continue;
        assert.equal(eventsAbout(pump, i, 'leave', nodeName(6)).length, 1, `seed ${seed}: node ${i} leave events`);
        assert.equal(eventsAbout(pump, i, 'suspect', nodeName(6)).length, 0, `seed ${seed}: node ${i}`);
        assert.equal(eventsAbout(pump, i, 'dead', nodeName(6)).length, 0, `seed ${seed}: node ${i}`);
        assert.equal(pump.node(i).member(nodeName(6))?.state, 'left', `seed ${seed}: node ${i}`);
        assert.equal(pump.node(i).liveCount(), 9, `seed ${seed}: node ${i}`);
      }
    });
  }

  it('a node that left goes quiet, and its old heartbeats cannot re-add it', () => {
    type Out = MembershipOutput<GossipTimer>[];
    const a = new GossipProtocol({ self: { name: 'a', addr: nodeAddr(0) }, rng: new Rng(5) });
    a.handle({ kind: 'start', seeds: [] }, 0, []);
    const bHeartbeat = (hb: number): HeartbeatMsg => ({
      type: 'heartbeat',
      source: { name: 'b', addr: nodeAddr(1) },
      entries: [{ node: { name: 'b', addr: nodeAddr(1) }, heartbeat: hb }],
    });
    a.handle({ kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [bHeartbeat(5)] }, 10, []);
    const leave: DeadMsg = { type: 'dead', node: 'b', incarnation: 0, from: 'b' };
    const out: Out = [];
    a.handle({ kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [leave, leave] }, 20, out);
    assert.equal(out.filter((o) => o.kind === 'event' && o.event.type === 'leave').length, 1);
    // A heartbeat from the same run, however high within it, is stale.
    const out2: Out = [];
    a.handle({ kind: 'packet', from: nodeAddr(2), channel: 'packet', msgs: [bHeartbeat(heartbeatIncarnationStride - 1)] }, 30, out2);
    assert.equal(out2.length, 0);
    assert.equal(a.member('b')?.state, 'left');
    // The next run (incarnation 1) is welcome.
    const out3: Out = [];
    a.handle({ kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [bHeartbeat(heartbeatIncarnationStride)] }, 40, out3);
    assert.deepEqual(out3.map((o) => (o.kind === 'event' ? o.event.type : o.kind)), ['join']);
    // Someone else's death verdict is not a leave: gossip mode ignores it.
    const out4: Out = [];
    a.handle({ kind: 'packet', from: nodeAddr(2), channel: 'packet', msgs: [{ type: 'dead', node: 'b', incarnation: 1, from: 'c' }] }, 50, out4);
    assert.equal(out4.length, 0);
    assert.equal(a.member('b')?.state, 'alive');

    // Now a leaves: nothing it receives or any timer still in flight produces output.
    const out5: Out = [];
    a.handle({ kind: 'leave' }, 60, out5);
    assert.equal(out5.filter((o) => o.kind === 'send').length, 1, 'the leave goes to the one alive member');
    const out6: Out = [];
    a.handle({ kind: 'timer', timer: { type: 'gossip-round', epoch: 0 } }, 70, out6);
    a.handle({ kind: 'timer', timer: { type: 'gossip-heartbeat', epoch: 0 } }, 70, out6);
    a.handle({ kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [{ type: 'join-req', node: { name: 'b', addr: nodeAddr(1) }, heartbeat: 1 }] }, 80, out6);
    assert.equal(out6.length, 0);
    assert.equal(a.stats.messagesIgnored >= 2, true);
    a.checkInvariants();
  });
});
