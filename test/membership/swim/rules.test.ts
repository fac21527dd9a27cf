import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PushPullEntry, PushPullMsg } from '../../../src/wire/types.js';
import { addrOf, events, node, oneSchedule, packet, refOf, refs, schedules, sentMsgs, startConverged, step, timer } from './helpers.js';

const none = new Uint8Array(0);

describe('incarnation precedence (SWIM §4.2 suspicion subprotocol)', () => {
  it('suspect(i) overrides alive(j) when i >= j; an older suspect is ignored', () => {
    const a = node(0);
    startConverged(a, refs(4));
    step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 3, meta: none }]), 1);
    let out = step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n1', incarnation: 2, from: 'n2' }]), 2);
    assert.equal(events(out).length, 0);
    assert.equal(a.member('n1')?.state, 'alive');
    out = step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n1', incarnation: 3, from: 'n2' }]), 3);
    assert.deepEqual(events(out), [{ type: 'suspect', member: 'n1', incarnation: 3, from: 'n2' }]);
  });

  it('alive(i) overrides suspect(j) only when i > j (SWIM §4.2)', () => {
    const a = node(0);
    startConverged(a, refs(4));
    step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n2' }]), 1);
    let out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 0, meta: none }]), 2);
    assert.equal(events(out).length, 0, 'alive at the same incarnation does not clear a suspicion');
    assert.equal(a.member('n1')?.state, 'suspect');
    out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 1, meta: none }]), 3);
    assert.deepEqual(events(out), [{ type: 'alive', member: 'n1', incarnation: 1 }]);
  });

  it('dead(i) overrides alive and suspect at i >= j, never an older one; dead is final for that incarnation (SWIM §4.2 confirm)', () => {
    const a = node(0);
    startConverged(a, refs(4));
    step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 2, meta: none }]), 1);
    let out = step(a, packet(addrOf(2), [{ type: 'dead', node: 'n1', incarnation: 1, from: 'n2' }]), 2);
    assert.equal(events(out).length, 0);
    out = step(a, packet(addrOf(2), [{ type: 'dead', node: 'n1', incarnation: 2, from: 'n2' }]), 3);
    assert.deepEqual(events(out), [{ type: 'dead', member: 'n1', incarnation: 2, from: 'n2' }]);
    out = step(a, packet(addrOf(3), [{ type: 'dead', node: 'n1', incarnation: 2, from: 'n3' }]), 4);
    assert.equal(events(out).length, 0, 'a second dead is not a second death');
    out = step(a, packet(addrOf(3), [{ type: 'suspect', node: 'n1', incarnation: 5, from: 'n3' }]), 5);
    assert.equal(events(out).length, 0, 'suspect does not revive or re-kill a dead member');
    out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 2, meta: none }]), 6);
    assert.equal(events(out).length, 0, 'a stale alive does not resurrect');
    out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 3, meta: none }]), 7);
    assert.equal(events(out)[0]?.type, 'join', 'a newer alive is a rejoin');
    a.checkInvariantsDeep();
  });

  it('dead with from === node is a graceful leave → state left, event leave (memberlist deadNode)', () => {
    const a = node(0);
    startConverged(a, refs(3));
    const out = step(a, packet(addrOf(2), [{ type: 'dead', node: 'n2', incarnation: 0, from: 'n2' }]), 5);
    assert.deepEqual(events(out), [{ type: 'leave', member: 'n2', incarnation: 0 }]);
    assert.equal(a.member('n2')?.state, 'left');
    assert.equal(a.liveCount(), 2);
  });

  it('a suspicion with all its confirmations ignores more accusers but still takes a newer incarnation (Lifeguard LHA-Suspicion)', () => {
    const a = node(0);
    startConverged(a, refs(10)); // 10 members: 2 confirmations wanted
    step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n2' }]), 1);
    assert.equal(schedules(step(a, packet(addrOf(3), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n3' }]), 2), 'suspicion').length, 1);
    assert.equal(schedules(step(a, packet(addrOf(4), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n4' }]), 3), 'suspicion').length, 1);
    a.checkInvariantsDeep();
    let out = step(a, packet(addrOf(5), [{ type: 'suspect', node: 'n1', incarnation: 3, from: 'n5' }]), 4);
    assert.equal(out.length, 0, 'a third confirmation is not wanted: no timer, no event');
    assert.deepEqual([a.member('n1')?.state, a.member('n1')?.incarnation], ['suspect', 3]);
    out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 3, meta: none }]), 5);
    assert.equal(events(out).length, 0, 'alive at the raised incarnation does not refute');
    out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(1), incarnation: 4, meta: none }]), 6);
    assert.deepEqual(events(out), [{ type: 'alive', member: 'n1', incarnation: 4 }]);
    // A new suspicion after the refutation starts over and wants its confirmations again.
    step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n1', incarnation: 4, from: 'n2' }]), 7);
    assert.equal(schedules(step(a, packet(addrOf(3), [{ type: 'suspect', node: 'n1', incarnation: 4, from: 'n3' }]), 8), 'suspicion').length, 1);
    a.checkInvariantsDeep();
  });
});

describe('refutation (SWIM §4.2, Lifeguard §IV-A)', () => {
  it('suspect or dead about self → incarnation above the accusation, alive broadcast, health +1', () => {
    const a = node(0, { initialIncarnation: 2 });
    startConverged(a, refs(3));
    let out = step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n0', incarnation: 2, from: 'n1' }]), 1);
    assert.deepEqual(events(out), [{ type: 'refute', incarnation: 3 }]);
    assert.equal(a.incarnation(), 3);
    assert.equal(a.healthScore(), 1);
    out = step(a, packet(addrOf(1), [{ type: 'dead', node: 'n0', incarnation: 7, from: 'n1' }]), 2);
    assert.deepEqual(events(out), [{ type: 'refute', incarnation: 8 }]);
    out = step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n0', incarnation: 1, from: 'n1' }]), 3);
    assert.equal(events(out).length, 0, 'an accusation older than our incarnation needs no refutation');
    assert.equal(a.member('n0')?.state, 'alive', 'self is never suspect or dead in its own view');
    assert.equal(a.stats.refutations, 2);
    // The refutation goes out piggybacked on the next packet.
    out = step(a, packet(addrOf(1), [{ type: 'ping', seq: 9, target: 'n0', source: refOf(1) }]), 4);
    assert.ok(sentMsgs(out, 'alive').some((s) => s.msg.node.name === 'n0' && s.msg.incarnation === 8));
    a.checkInvariantsDeep();
  });

  it('an alive about self with a newer incarnation or other meta at the same one is refuted (memberlist aliveNode)', () => {
    const a = node(0, { meta: new Uint8Array([1]) });
    startConverged(a, refs(2));
    let out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(0), incarnation: 0, meta: new Uint8Array([1]) }]), 1);
    assert.equal(events(out).length, 0, 'our own news echoing back');
    out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(0), incarnation: 0, meta: new Uint8Array([2]) }]), 2);
    assert.deepEqual(events(out), [{ type: 'refute', incarnation: 1 }]);
  });
});

describe('push-pull anti-entropy merge (memberlist mergeState; anchors §1.5)', () => {
  it('alive by the rules, remote suspect/dead → local SUSPECT (never dead), left → left; the receiver replies once', () => {
    const a = node(0);
    startConverged(a, refs(5));
    const entries: PushPullEntry[] = [
      { node: refOf(1), incarnation: 0, state: 'alive', meta: none },
      { node: refOf(2), incarnation: 0, state: 'dead', meta: none },
      { node: refOf(3), incarnation: 0, state: 'suspect', meta: none },
      { node: refOf(4), incarnation: 0, state: 'left', meta: none },
      { node: refOf(9), incarnation: 4, state: 'alive', meta: new Uint8Array([9]) },
      { node: refOf(8), incarnation: 4, state: 'dead', meta: none }, // unknown + dead: ignored
    ];
    const msg: PushPullMsg = { type: 'push-pull', join: false, reply: false, source: refOf(1), members: entries };
    const out = step(a, packet(addrOf(1), [msg], 'stream'), 10);
    assert.deepEqual(events(out), [
      { type: 'suspect', member: 'n2', incarnation: 0, from: 'n0' },
      { type: 'suspect', member: 'n3', incarnation: 0, from: 'n0' },
      { type: 'leave', member: 'n4', incarnation: 0 },
      { type: 'join', member: 'n9', addr: addrOf(9), incarnation: 4, meta: new Uint8Array([9]) },
    ]);
    assert.equal(a.member('n2')?.state, 'suspect', 'remote dead becomes local suspect');
    assert.equal(a.member('n8'), undefined);
    const replies = sentMsgs(out, 'push-pull');
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.to, addrOf(1));
    assert.equal(replies[0]!.msg.reply, true);
    assert.equal(replies[0]!.msg.members.length, 6, 'full state: n0..n4 and n9');
    // A reply is never answered.
    const again = step(a, packet(addrOf(1), [{ ...msg, reply: true }], 'stream'), 11);
    assert.equal(sentMsgs(again, 'push-pull').length, 0);
    a.checkInvariantsDeep();
  });

  it('remote dead about ourselves makes us refute (memberlist mergeState → suspectNode → refute)', () => {
    const a = node(0);
    startConverged(a, refs(2));
    const msg: PushPullMsg = { type: 'push-pull', join: false, reply: true, source: refOf(1), members: [{ node: refOf(0), incarnation: 0, state: 'dead', meta: none }] };
    const out = step(a, packet(addrOf(1), [msg], 'stream'), 5);
    assert.deepEqual(events(out), [{ type: 'refute', incarnation: 1 }]);
  });

  it('periodic push-pull goes to a random alive member on the stream channel, staggered then every scaled interval', () => {
    const a = node(0);
    const { out } = startConverged(a, refs(3));
    const first = oneSchedule(out, 'push-pull');
    assert.ok(first.afterMs >= 0 && first.afterMs < 30000);
    const o2 = step(a, timer(first.timer), first.afterMs);
    const pp = sentMsgs(o2, 'push-pull');
    assert.equal(pp.length, 1);
    assert.notEqual(pp[0]!.to, addrOf(0));
    assert.equal(pp[0]!.msg.members.length, 3);
    assert.equal(oneSchedule(o2, 'push-pull').afterMs, 30000);
    assert.equal(a.stats.pushPullsSent, 1);
  });
});

describe('reaping with tombstones (memberlist#312: no resurrection by stale alive)', () => {
  it('a dead member is reaped after deadMemberReapMs, and stale alives never bring it back; a newer incarnation does', () => {
    const a = node(0, { config: { deadMemberReapMs: 10_000 } });
    startConverged(a, refs(4));
    step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(3), incarnation: 5, meta: none }]), 1);
    let out = step(a, packet(addrOf(1), [{ type: 'dead', node: 'n3', incarnation: 5, from: 'n1' }]), 2);
    const reap = oneSchedule(out, 'reap');
    assert.equal(reap.afterMs, 10_000);
    step(a, timer(reap.timer), 10_002);
    assert.equal(a.member('n3'), undefined, 'reaped');
    assert.equal(a.members().length, 3);
    assert.equal(a.liveCount(), 3);
    for (const inc of [0, 4, 5]) {
      out = step(a, packet(addrOf(1), [{ type: 'alive', node: refOf(3), incarnation: inc, meta: none }]), 10_100 + inc);
      assert.equal(events(out).length, 0, `stale alive@${inc} must not resurrect a reaped member`);
    }
    const stale: PushPullMsg = { type: 'push-pull', join: false, reply: true, source: refOf(1), members: [{ node: refOf(3), incarnation: 5, state: 'alive', meta: none }] };
    assert.equal(events(step(a, packet(addrOf(1), [stale], 'stream'), 10_200)).length, 0, 'not through push-pull either');
    assert.equal(events(step(a, packet(addrOf(1), [{ type: 'dead', node: 'n3', incarnation: 9, from: 'n1' }]), 10_300)).length, 0, 'and it cannot die twice');
    out = step(a, packet(addrOf(3), [{ type: 'alive', node: refOf(3), incarnation: 6, meta: none }]), 10_400);
    assert.deepEqual(events(out), [{ type: 'join', member: 'n3', addr: addrOf(3), incarnation: 6, meta: none }], 'a restarted node with a higher incarnation rejoins');
    a.checkInvariantsDeep();
  });

  it('a ping from a member we hold reaped gets a dead hint so it can refute above the tombstone', () => {
    const a = node(0, { config: { deadMemberReapMs: 1000 } });
    startConverged(a, refs(3));
    const out1 = step(a, packet(addrOf(1), [{ type: 'dead', node: 'n2', incarnation: 0, from: 'n1' }]), 1);
    step(a, timer(oneSchedule(out1, 'reap').timer), 1001);
    const out = step(a, packet(addrOf(2), [{ type: 'ping', seq: 4, target: 'n0', source: refOf(2) }]), 2000);
    const dead = sentMsgs(out, 'dead').filter((d) => d.msg.node === 'n2' && d.msg.from === 'n0');
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.to, addrOf(2));
    assert.equal(dead[0]!.msg.incarnation, 0);
  });
});

describe('metadata (memberlist UpdateNode / NotifyUpdate)', () => {
  it('update-meta bumps the incarnation and broadcasts alive; peers emit update', () => {
    const a = node(0);
    startConverged(a, refs(2));
    step(a, { kind: 'update-meta', meta: new Uint8Array([1, 2, 3]) }, 5);
    assert.equal(a.incarnation(), 1);
    assert.deepEqual(a.member('n0')?.meta, new Uint8Array([1, 2, 3]));
    const out = step(a, packet(addrOf(1), [{ type: 'ping', seq: 1, target: 'n0', source: refOf(1) }]), 6);
    const alive = sentMsgs(out, 'alive').find((s) => s.msg.node.name === 'n0')!;
    assert.equal(alive.msg.incarnation, 1);
    const b = node(1);
    startConverged(b, refs(2));
    const ev = events(step(b, packet(addrOf(0), [alive.msg]), 7));
    assert.deepEqual(ev, [{ type: 'update', member: 'n0', addr: addrOf(0), incarnation: 1, meta: new Uint8Array([1, 2, 3]) }]);
    assert.equal(events(step(b, packet(addrOf(0), [{ ...alive.msg, incarnation: 2 }]), 8)).length, 0, 'same meta: no update event');
  });

  it('gossip timer only while broadcasts are queued (idle clusters schedule nothing extra)', () => {
    const a = node(0);
    const { out } = startConverged(a, refs(5));
    assert.equal(schedules(out, 'gossip').length, 0, 'converged start: no gossip timer');
    let o = step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n2', incarnation: 0, from: 'n1' }]), 1);
    let g = oneSchedule(o, 'gossip');
    assert.equal(g.afterMs, 200);
    let now = 1;
    let gossipPackets = 0;
    for (let i = 0; i < 50 && g !== undefined; i++) {
      now += g.afterMs;
      o = step(a, timer(g.timer), now);
      gossipPackets += sentMsgs(o, 'suspect').length;
      const next = schedules(o, 'gossip');
      g = next[0]!;
      if (next.length === 0) break;
    }
    assert.equal(a.queuedBroadcasts(), 0);
    // The node has 4 peers, so 8 sends (retransmitMult × the small-cluster floor of 2) take
    // several gossip rounds of 3 targets each, then the queue is empty and the timer stops.
    assert.equal(gossipPackets, 8, 'N = 5: sent retransmitMult × max(2, ceil(log10 6)) = 8 times, then silence');
  });
});
