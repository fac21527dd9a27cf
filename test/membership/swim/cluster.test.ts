import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/rng.js';
import { NameRegistry } from '../../../src/membership/registry.js';
import { SwimProtocol } from '../../../src/membership/swim/index.js';
import { envelopeBytes, messageBytes } from '../../../src/wire/codec.js';
import type { Msg } from '../../../src/wire/types.js';
import { Pump, addrOf, checkPacketFits, convergedPump, events, node, oneSchedule, packet, refOf, refs, schedules, sentMsgs, sends, startConverged, step, timer } from './helpers.js';

describe('join through seeds (memberlist Join = push-pull join with each seed)', () => {
  it('sends push-pull join=true to each seed but itself, retries with bounded backoff, emits joined once', () => {
    const j = node(9, { config: { joinRetryIntervalMs: 1000, joinRetryBackoffMaxMs: 3000 } });
    let out = step(j, { kind: 'start', seeds: [addrOf(1), addrOf(9), addrOf(1)] }, 0);
    let pp = sentMsgs(out, 'push-pull');
    assert.deepEqual(pp.map((p) => p.to), [addrOf(1)], 'own address and duplicates excluded');
    assert.equal(pp[0]!.msg.join, true);
    assert.equal(pp[0]!.msg.reply, false);
    assert.equal(sends(out)[0]!.channel, 'stream');
    const delays: number[] = [];
    let retry = oneSchedule(out, 'join-retry');
    let now = 0;
    for (let i = 0; i < 4; i++) {
      delays.push(retry.afterMs);
      now += retry.afterMs;
      out = step(j, timer(retry.timer), now);
      pp = sentMsgs(out, 'push-pull');
      assert.equal(pp.length, 1, 'each retry resends the join');
      retry = oneSchedule(out, 'join-retry');
    }
    assert.deepEqual(delays, [1000, 2000, 3000, 3000], 'doubling, capped at joinRetryBackoffMaxMs');
    out = step(j, packet(addrOf(1), [{ type: 'push-pull', join: true, reply: true, source: refOf(1), members: [{ node: refOf(1), incarnation: 0, state: 'alive', meta: new Uint8Array(0) }] }], 'stream'), now + 5);
    assert.deepEqual(events(out), [
      { type: 'join', member: 'n1', addr: addrOf(1), incarnation: 0, meta: new Uint8Array(0) },
      { type: 'joined', via: addrOf(1) },
    ]);
    out = step(j, timer(retry.timer), now + retry.afterMs);
    assert.equal(sends(out).length, 0, 'answered: the pending retry is stale');
    out = step(j, packet(addrOf(1), [{ type: 'push-pull', join: false, reply: true, source: refOf(1), members: [] }], 'stream'), now + 6000);
    assert.equal(events(out).length, 0, 'joined is emitted once');
  });

  it('empty seeds start a new cluster of one: no sends, no joined', () => {
    const a = node(0);
    const out = step(a, { kind: 'start', seeds: [] }, 0);
    assert.equal(sends(out).length, 0);
    assert.equal(events(out).length, 0);
    assert.equal(a.liveCount(), 1);
  });

  it('five nodes join through one seed (one retry lost) and converge; join events never name self (seed 11)', () => {
    const pump = new Pump(2);
    const registry = new NameRegistry();
    const nodes = [0, 1, 2, 3, 4].map((i) => pump.add(new SwimProtocol({ self: refOf(i), rng: Rng.child(11, i), registry })));
    let droppedFirst = false;
    pump.drop = (from, _to, msgs) => {
      // Lose n4's first join request, to exercise the retry.
      if (!droppedFirst && from === addrOf(4) && msgs[0]?.type === 'push-pull') return (droppedFirst = true);
      return false;
    };
    pump.input(addrOf(0), { kind: 'start', seeds: [] });
    for (const i of [1, 2, 3, 4]) pump.input(addrOf(i), { kind: 'start', seeds: [addrOf(0)] });
    pump.runUntil(20_000);
    for (const n of nodes) {
      assert.equal(n.liveCount(), 5, `seed 11: ${n.self.name} sees ${n.liveCount()} live`);
      assert.ok(n.members().every((m) => m.state === 'alive'), `seed 11: ${n.self.name} all alive`);
      n.checkInvariantsDeep();
    }
    assert.ok(droppedFirst);
    assert.equal(pump.eventsOf('joined').length, 4, 'seed 11: every joiner hears back exactly once');
    for (const l of pump.eventsOf('join')) assert.notEqual(l.event.type === 'join' && l.event.member, l.node, 'no join event about self');
    for (const n of nodes) assert.equal(pump.eventsOf('join', n.self.name).length, 4, `seed 11: ${n.self.name} joins each other member once`);
    assert.equal(pump.eventsOf('suspect').length, 0, 'seed 11: no false suspicion');
  });
});

describe('failure detection end to end (SWIM §3, Lifeguard)', () => {
  it('a crashed node is declared dead by every member exactly once, with no false positives (seed 21)', () => {
    const { pump, nodes } = convergedPump(8, { seed: 21 });
    pump.runUntil(5_000);
    pump.down.add(addrOf(7));
    pump.runUntil(60_000);
    for (const n of nodes.slice(0, 7)) {
      assert.equal(n.member('n7'), undefined, `seed 21: ${n.self.name} reaped n7, sees ${n.member('n7')?.state}`);
      assert.equal(pump.eventsOf('dead', n.self.name).length, 1, `seed 21: ${n.self.name} declares one death`);
      assert.equal(n.liveCount(), 7);
    }
    const wrongly = pump.eventsOf('suspect').filter((l) => l.event.type === 'suspect' && l.event.member !== 'n7');
    assert.deepEqual(wrongly, [], 'seed 21: only the crashed node is ever suspected');
    const firstDead = Math.min(...pump.eventsOf('dead').map((l) => l.at));
    assert.ok(firstDead < 5_000 + 30_000, `seed 21: detected within 30 s, first dead at ${firstDead}`);
  });

  it('a node suspected during a short partition refutes and stays alive (SWIM §4.2 refutation, seed 31)', () => {
    const { pump, nodes } = convergedPump(6, { seed: 31 });
    pump.runUntil(2_000);
    // Cut n5 off for 2.5 s: long enough to be suspected, far shorter than the suspicion timeout.
    pump.drop = (from, to) => from === addrOf(5) || to === addrOf(5);
    pump.runUntil(4_500);
    pump.drop = () => false;
    pump.runUntil(40_000);
    assert.equal(pump.eventsOf('dead').length, 0, 'seed 31: nobody declared dead');
    for (const n of nodes) assert.equal(n.member('n5')?.state, 'alive', `seed 31: ${n.self.name} sees n5 alive`);
    if (pump.eventsOf('suspect').length > 0) assert.ok(nodes[5]!.incarnation() > 0, 'seed 31: a suspicion was refuted with a new incarnation');
  });
});

describe('graceful leave, reaping and rejoin (memberlist Leave, memberlist#312)', () => {
  it('leave → others record left once, the leaver goes quiet; reaped later; a restarted node rejoins with a higher incarnation (seed 41)', () => {
    const cfg = { deadMemberReapMs: 20_000, leaveBroadcastMs: 1000 };
    const { pump, nodes } = convergedPump(5, { seed: 41, config: cfg });
    pump.runUntil(3_000);
    pump.input(addrOf(4), { kind: 'leave' });
    pump.runUntil(10_000);
    assert.ok(nodes[4]!.isQuiet(), 'seed 41: the leaver went quiet');
    for (const n of nodes.slice(0, 4)) {
      assert.equal(n.member('n4')?.state, 'left', `seed 41: ${n.self.name}`);
      assert.equal(pump.eventsOf('leave', n.self.name).length, 1);
    }
    assert.equal(pump.eventsOf('dead').length, 0, 'seed 41: a leave is not a death');
    pump.runUntil(40_000);
    for (const n of nodes.slice(0, 4)) assert.equal(n.member('n4'), undefined, `seed 41: ${n.self.name} reaped n4`);
    // Stale gossip of n4's old life does nothing.
    pump.input(addrOf(0), { kind: 'packet', from: addrOf(3), channel: 'packet', msgs: [{ type: 'alive', node: refOf(4), incarnation: 0, meta: new Uint8Array(0) }] });
    assert.equal(pump.eventsOf('join', 'n0').length, 0);
    // n4 restarts with the same name and incarnation 0 (it lost its disk), joining through n0:
    // n0's reply carries the tombstone, n4 refutes above it, and everyone takes it back.
    const reborn = new SwimProtocol({ self: refOf(4), rng: Rng.child(41, 99), registry: nodes[0]!.registry, config: cfg });
    pump.add(reborn);
    pump.input(addrOf(4), { kind: 'start', seeds: [addrOf(0)] });
    pump.runUntil(60_000);
    assert.ok(reborn.incarnation() > 0, 'seed 41: the reborn node refuted its tombstone');
    for (const n of nodes.slice(0, 4)) {
      assert.equal(n.member('n4')?.state, 'alive', `seed 41: ${n.self.name} sees n4 back`);
      assert.equal(pump.eventsOf('join', n.self.name).length, 1, `seed 41: ${n.self.name} one join for the rejoin`);
    }
    assert.equal(reborn.liveCount(), 5);
    const removals = pump.log.filter((l) => l.event.type === 'dead' || l.event.type === 'leave');
    const perObserver = new Map<string, number>();
    for (const r of removals) perObserver.set(r.node, (perObserver.get(r.node) ?? 0) + 1);
    for (const [obs, c] of perObserver) assert.equal(c, 1, `seed 41: ${obs} removed n4 ${c} times`);
  });

  it('a quiet node ignores every input', () => {
    const a = node(0, { config: { leaveBroadcastMs: 100 } });
    startConverged(a, refs(3));
    let out = step(a, { kind: 'leave' }, 10);
    assert.ok(sends(out).some((s) => s.msgs.some((m) => m.type === 'dead' && m.node === 'n0' && m.from === 'n0')), 'the leave is announced at once');
    step(a, timer(oneSchedule(out, 'leave-quiet').timer), 110);
    assert.ok(a.isQuiet());
    out = step(a, packet(addrOf(1), [{ type: 'ping', seq: 1, target: 'n0', source: refOf(1) }]), 120);
    assert.equal(out.length, 0);
    assert.equal(a.member('n0')?.state, 'left');
  });
});

describe('packet size bound (memberlist sendMsg; wire limit 1400 bytes)', () => {
  it('every packet fits udpPacketBytesMax with 10,000 queued broadcasts, long names, big meta and a label (seed 51)', () => {
    const label = 'cluster-' + 'x'.repeat(120);
    const registry = new NameRegistry();
    const a = new SwimProtocol({ self: refOf(0), rng: new Rng(51), registry, label, config: { broadcastQueueMax: 20_000 } });
    const all = refs(4);
    let out = step(a, { kind: 'start', seeds: [], knownMembers: all }, 0);
    const tick = oneSchedule(out, 'probe-tick');
    const rng = new Rng(51);
    let gossip: ReturnType<typeof schedules<'gossip'>>[number] | undefined;
    for (let i = 0; i < 10_000; i++) {
      const name = `member-${i}-` + 'n'.repeat(rng.intBelow(110));
      const meta = new Uint8Array(rng.chance(0.1) ? 512 : rng.intBelow(40));
      const msg: Msg = { type: 'alive', node: { name, addr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:7946` }, incarnation: i, meta };
      const o = step(a, packet(addrOf(1), [msg]), 1);
      gossip = schedules(o, 'gossip')[0] ?? gossip;
    }
    assert.equal(a.queuedBroadcasts(), 10_000);
    let checked = 0;
    let fullest = 0;
    const check = (o: readonly (typeof out)[number][]): void => {
      for (const s of sends(o)) {
        if (s.channel !== 'packet') continue;
        const predicted = envelopeBytes(label) + s.msgs.reduce((sum, m) => sum + messageBytes(m), 0);
        const size = checkPacketFits(s.msgs, 'packet', label, 1400, 'seed 51');
        assert.equal(size, predicted, 'seed 51: size accounting matches the codec');
        assert.ok(s.msgs.length <= 255);
        fullest = Math.max(fullest, size);
        checked++;
      }
    };
    out = step(a, timer(tick.timer), 100);
    check(out);
    check(step(a, timer(oneSchedule(out, 'probe-timeout').timer), 600));
    check(step(a, packet(addrOf(2), [{ type: 'ping', seq: 3, target: 'n0', source: refOf(2) }]), 700));
    check(step(a, packet(addrOf(2), [{ type: 'indirect-ping', seq: 4, target: refOf(3), source: refOf(2), wantNack: true }]), 710));
    assert.equal(step(a, timer({ type: 'gossip', token: -1 }), 800).length, 0, 'a stale gossip timer does nothing');
    check(step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n2' }]), 900));
    // Drive the real gossip ticks (armed once, while the queue is non-empty).
    assert.ok(gossip !== undefined, 'seed 51: a gossip timer was armed');
    for (let g = 0; g < 50; g++) {
      const o = step(a, timer(gossip.timer), 1000 + g * 200);
      check(o);
      gossip = oneSchedule(o, 'gossip');
    }
    assert.ok(checked > 50, `seed 51: checked ${checked} packets`);
    assert.ok(fullest > 1300, `seed 51: packets are filled (fullest ${fullest} bytes)`);
    a.checkInvariantsDeep();
  });

  it('a bounded queue drops the overflow and counts it', () => {
    const a = node(0, { config: { broadcastQueueMax: 100 } });
    startConverged(a, refs(2));
    for (let i = 0; i < 150; i++) step(a, packet(addrOf(1), [{ type: 'alive', node: { name: `m${i}`, addr: `10.9.0.${(i % 250) + 1}:1` }, incarnation: 0, meta: new Uint8Array(0) }]), 1);
    assert.equal(a.queuedBroadcasts(), 100);
    assert.equal(a.stats.broadcastsDropped, 50);
    assert.equal(a.stats.broadcastsQueued, 150);
    a.checkInvariantsDeep();
  });
});
