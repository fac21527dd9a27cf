import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addrOf, events, node, oneSchedule, packet, refOf, refs, schedules, sentMsgs, sends, startConverged, step, timer } from './helpers.js';

describe('failure detector: probe cycle (SWIM §3.1, §4.3)', () => {
  it('ping → ack within probeTimeout: no indirect probe, no suspicion, health improves (SWIM §3.1, Lifeguard §IV-A)', () => {
    const a = node(0);
    const { tick } = startConverged(a, refs(2));
    assert.ok(tick.afterMs >= 0 && tick.afterMs < 1000, 'first tick is staggered inside one period');
    let out = step(a, timer(tick.timer), 100);
    const [ping] = sentMsgs(out, 'ping');
    assert.ok(ping);
    assert.equal(ping.to, addrOf(1));
    assert.equal(ping.msg.target, 'n1');
    assert.equal(ping.msg.source.name, 'n0');
    const timeout = oneSchedule(out, 'probe-timeout');
    assert.equal(timeout.afterMs, 500);
    const next = oneSchedule(out, 'probe-tick');
    assert.equal(next.afterMs, 1000);
    step(a, packet(addrOf(1), [{ type: 'ack', seq: ping.msg.seq }]), 110);
    out = step(a, timer(timeout.timer), 600);
    assert.equal(sentMsgs(out, 'indirect-ping').length, 0, 'acked probe: timeout is stale');
    out = step(a, timer(next.timer), 1100);
    assert.equal(events(out).length, 0);
    assert.equal(a.stats.probesSent, 2);
    assert.equal(a.stats.probesFailed, 0);
    assert.equal(a.member('n1')?.state, 'alive');
    a.checkInvariantsDeep();
  });

  it('probes every member once per round in a shuffled order, reshuffled on wrap (SWIM §4.3 round-robin)', () => {
    const a = node(0, { seed: 7 });
    const { tick } = startConverged(a, refs(6));
    let t = tick.timer;
    let now = 0;
    const rounds: string[][] = [[], [], []];
    for (let i = 0; i < 15; i++) {
      now += 1000;
      const out = step(a, timer(t), now);
      const ping = sentMsgs(out, 'ping')[0]!;
      rounds[Math.floor(i / 5)]!.push(ping.msg.target);
      step(a, packet(ping.to, [{ type: 'ack', seq: ping.msg.seq }]), now + 1);
      t = oneSchedule(out, 'probe-tick').timer;
    }
    for (const r of rounds) assert.deepEqual([...r].sort(), ['n1', 'n2', 'n3', 'n4', 'n5'], `seed 7: each round probes everyone once: ${r.join(',')}`);
    assert.notDeepEqual(rounds[0], rounds[1], 'seed 7: order is reshuffled on wrap-around');
  });

  it('no ack → ping-req through k random alive helpers with wantNack (SWIM §3.1 ping-req, Lifeguard nack)', () => {
    const a = node(0, { seed: 3 });
    const { tick } = startConverged(a, refs(6));
    let out = step(a, timer(tick.timer), 0);
    const ping = sentMsgs(out, 'ping')[0]!;
    out = step(a, timer(oneSchedule(out, 'probe-timeout').timer), 500);
    const reqs = sentMsgs(out, 'indirect-ping');
    assert.equal(reqs.length, 3, 'seed 3: indirectChecks = 3 helpers');
    const helpers = new Set(reqs.map((r) => r.to));
    assert.equal(helpers.size, 3, 'distinct helpers');
    assert.ok(!helpers.has(ping.to), 'the target is never its own helper');
    assert.ok(!helpers.has(addrOf(0)), 'self is never a helper');
    for (const r of reqs) {
      assert.equal(r.msg.seq, ping.msg.seq);
      assert.equal(r.msg.target.name, ping.msg.target);
      assert.equal(r.msg.wantNack, true);
    }
    assert.equal(a.stats.indirectProbesSent, 3);
  });

  it('a relay pings the target and forwards its ack under the prober seq, or nacks on timeout (SWIM ping-req, Lifeguard §IV-A nack)', () => {
    const b = node(1);
    startConverged(b, refs(3));
    let out = step(b, packet(addrOf(0), [{ type: 'indirect-ping', seq: 77, target: refOf(2), source: refOf(0), wantNack: true }]), 10);
    const relayPing = sentMsgs(out, 'ping')[0]!;
    assert.equal(relayPing.to, addrOf(2));
    assert.equal(relayPing.msg.target, 'n2');
    assert.equal(relayPing.msg.source.name, 'n1');
    const relayTimeout = oneSchedule(out, 'relay-timeout');
    assert.equal(relayTimeout.afterMs, 500);
    out = step(b, packet(addrOf(2), [{ type: 'ack', seq: relayPing.msg.seq }]), 20);
    const fwd = sentMsgs(out, 'ack');
    assert.deepEqual(fwd.map((f) => [f.to, f.msg.seq]), [[addrOf(0), 77]]);
    out = step(b, timer(relayTimeout.timer), 510);
    assert.equal(sends(out).length, 0, 'answered relay: the timeout is stale, no nack');

    out = step(b, packet(addrOf(0), [{ type: 'indirect-ping', seq: 78, target: refOf(2), source: refOf(0), wantNack: true }]), 600);
    out = step(b, timer(oneSchedule(out, 'relay-timeout').timer), 1100);
    assert.deepEqual(sentMsgs(out, 'nack').map((n) => [n.to, n.msg.seq]), [[addrOf(0), 78]]);
  });

  it('failed probe: suspect at period end, health += expected − received nacks (Lifeguard §IV-A LHA-Probe)', () => {
    const a = node(0, { seed: 5 });
    const { tick } = startConverged(a, refs(6));
    let out = step(a, timer(tick.timer), 0);
    const ping = sentMsgs(out, 'ping')[0]!;
    const next = oneSchedule(out, 'probe-tick');
    out = step(a, timer(oneSchedule(out, 'probe-timeout').timer), 500);
    const reqs = sentMsgs(out, 'indirect-ping');
    step(a, packet(reqs[0]!.to, [{ type: 'nack', seq: ping.msg.seq }]), 800);
    step(a, packet(reqs[1]!.to, [{ type: 'nack', seq: ping.msg.seq }]), 810);
    step(a, packet(reqs[1]!.to, [{ type: 'nack', seq: 999 }]), 820); // unrelated seq: ignored
    out = step(a, timer(next.timer), 1000);
    const ev = events(out);
    assert.deepEqual(ev.filter((e) => e.type === 'suspect'), [{ type: 'suspect', member: ping.msg.target, incarnation: 0, from: 'n0' }]);
    assert.equal(a.healthScore(), 1, 'seed 5: 3 expected nacks, 2 received');
    assert.equal(a.stats.nacksReceived, 2);
    assert.equal(a.stats.probesFailed, 1);
    assert.equal(a.stats.suspicionsRaised, 1);
    assert.equal(oneSchedule(out, 'probe-tick').afterMs, 2000, 'probe period scaled by score + 1');
    assert.equal(a.member(ping.msg.target)?.state, 'suspect');
    a.checkInvariantsDeep();
  });

  it('health: a failed probe without helpers costs +1, an ack heals −1, capped at awarenessMaxMultiplier − 1 (Lifeguard §IV-A)', () => {
    const a = node(0, { config: { awarenessMaxMultiplier: 3 } });
    const { tick } = startConverged(a, refs(2));
    let t = tick.timer;
    let now = 0;
    for (let i = 0; i < 4; i++) {
      const out = step(a, timer(t), now);
      const to = oneSchedule(out, 'probe-timeout');
      step(a, timer(to.timer), now + 500);
      const next = oneSchedule(out, 'probe-tick');
      now += next.afterMs;
      t = next.timer;
    }
    assert.equal(a.healthScore(), 2, 'capped at 3 − 1');
    const out = step(a, timer(t), now);
    const ping = sentMsgs(out, 'ping')[0]!;
    assert.equal(oneSchedule(out, 'probe-tick').afterMs, 3000);
    assert.equal(oneSchedule(out, 'probe-timeout').afterMs, 500, 'probeTimeout itself is not scaled');
    step(a, packet(addrOf(1), [{ type: 'ack', seq: ping.msg.seq }]), now + 10);
    assert.equal(a.healthScore(), 1);
  });

  it('buddy system: a ping to a suspect carries the suspicion, and the suspect refutes in its ack (Lifeguard §IV-C)', () => {
    const a = node(0);
    const { tick } = startConverged(a, refs(2));
    step(a, packet(addrOf(5), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n9' }]), 10);
    assert.equal(a.member('n1')?.state, 'suspect');
    let out = step(a, timer(tick.timer), 900);
    const s = sends(out).find((x) => x.msgs.some((m) => m.type === 'ping'))!;
    assert.deepEqual(s.msgs[1], { type: 'suspect', node: 'n1', incarnation: 0, from: 'n0' }, 'the suspicion rides with the ping');
    const b = node(1);
    startConverged(b, refs(2));
    out = step(b, packet(addrOf(0), [...s.msgs]), 901);
    assert.deepEqual(events(out), [{ type: 'refute', incarnation: 1 }]);
    const reply = sends(out)[0]!;
    assert.equal(reply.to, addrOf(0));
    assert.equal(reply.msgs[0]!.type, 'ack');
    assert.ok(
      reply.msgs.some((m) => m.type === 'alive' && m.node.name === 'n1' && m.incarnation === 1),
      'the refutation rides on the very ack',
    );
    out = step(a, packet(addrOf(1), [...reply.msgs]), 902);
    assert.deepEqual(events(out), [{ type: 'alive', member: 'n1', incarnation: 1 }]);
    assert.equal(a.member('n1')?.state, 'alive');
  });

  it('stale timers are ignored: old probe seq, old suspicion token, old reap incarnation, unknown relay', () => {
    const a = node(0);
    const { tick } = startConverged(a, refs(4));
    let out = step(a, timer(tick.timer), 0);
    const ping = sentMsgs(out, 'ping')[0]!;
    const timeout = oneSchedule(out, 'probe-timeout');
    const next = oneSchedule(out, 'probe-tick');
    step(a, packet(ping.to, [{ type: 'ack', seq: ping.msg.seq }]), 5);
    assert.equal(step(a, timer(timeout.timer), 500).length, 0);
    assert.equal(step(a, timer({ type: 'probe-timeout', seq: 12345 }), 501).length, 0);
    assert.equal(step(a, timer({ type: 'relay-timeout', seq: 4242 }), 502).length, 0);
    assert.equal(step(a, timer({ type: 'probe-tick', token: 999 }), 503).length, 0, 'old probe chain token');
    // A suspicion, then a refutation: its timer is stale.
    out = step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n3', incarnation: 0, from: 'n2' }]), 600);
    const susp = oneSchedule(out, 'suspicion');
    step(a, packet(addrOf(3), [{ type: 'alive', node: refOf(3), incarnation: 1, meta: new Uint8Array(0) }]), 700);
    out = step(a, timer(susp.timer), 700 + susp.afterMs);
    assert.equal(events(out).length, 0, 'refuted suspicion: its timer does nothing');
    assert.equal(a.member('n3')?.state, 'alive');
    // A reap timer for an older incarnation does not reap the member's newer life.
    out = step(a, packet(addrOf(2), [{ type: 'dead', node: 'n3', incarnation: 1, from: 'n2' }]), 800);
    const reap = oneSchedule(out, 'reap');
    step(a, packet(addrOf(3), [{ type: 'alive', node: refOf(3), incarnation: 2, meta: new Uint8Array(0) }]), 900);
    step(a, timer(reap.timer), 800 + reap.afterMs);
    assert.equal(a.member('n3')?.state, 'alive');
    step(a, timer(next.timer), 1000);
    a.checkInvariantsDeep();
  });

  it('suspicion → dead with Lifeguard timeouts: starts at max, shrinks with an independent confirmation (memberlist suspicion.go)', () => {
    const a = node(0);
    startConverged(a, refs(10));
    let out = step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n5', incarnation: 0, from: 'n1' }]), 1000);
    const first = oneSchedule(out, 'suspicion');
    assert.equal(first.afterMs, 24000, 'N = 10: max = 6 × 4 s');
    assert.equal(events(out)[0]?.type, 'suspect');
    // The same accuser again: not a confirmation, nothing re-gossiped.
    out = step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n5', incarnation: 0, from: 'n1' }]), 1500);
    assert.equal(schedules(out, 'suspicion').length, 0);
    out = step(a, packet(addrOf(2), [{ type: 'suspect', node: 'n5', incarnation: 0, from: 'n2' }]), 2000);
    const second = oneSchedule(out, 'suspicion');
    assert.equal(second.afterMs, 11381 - 1000, 'one confirmation: 11.381 s total, 1 s elapsed');
    assert.equal(events(out).length, 0, 'a confirmation is not a new suspect event');
    assert.equal(step(a, timer(first.timer), 25000).length, 0, 'the superseded timer is stale');
    // One of k = 2 confirmations: an unconfirmed suspicion gets one last check before conviction
    // (ours): a re-probe of the suspect now, and the verdict lastCheckMs = 1 s later.
    out = step(a, timer(second.timer), 2000 + second.afterMs);
    assert.deepEqual(events(out), [], 'no verdict before the last check');
    assert.equal(oneSchedule(out, 'reprobe').afterMs, 0);
    const verdict = oneSchedule(out, 'suspicion');
    assert.equal(verdict.afterMs, 1000);
    out = step(a, timer(verdict.timer), 3000 + second.afterMs);
    assert.deepEqual(events(out), [{ type: 'dead', member: 'n5', incarnation: 0, from: 'n0' }]);
    assert.equal(a.stats.suspicionsConfirmed, 1);
    assert.equal(a.member('n5')?.state, 'dead');
    assert.equal(a.liveCount(), 9);
    a.checkInvariantsDeep();
  });
});

describe('last check of an unconfirmed suspicion (ours, beyond memberlist)', () => {
  it('a refutation that arrives during the last check saves the member', () => {
    const a = node(0);
    startConverged(a, refs(10));
    let out = step(a, packet(addrOf(1), [{ type: 'suspect', node: 'n5', incarnation: 0, from: 'n1' }]), 1000);
    const first = oneSchedule(out, 'suspicion');
    out = step(a, timer(first.timer), 1000 + first.afterMs);
    const reprobe = oneSchedule(out, 'reprobe');
    const verdict = oneSchedule(out, 'suspicion');
    out = step(a, timer(reprobe.timer), 1000 + first.afterMs);
    const ping = sends(out).find((x) => x.to === addrOf(5) && x.channel === 'packet')!;
    assert.ok(ping.msgs.some((m) => m.type === 'suspect' && m.node === 'n5'), 'the suspicion rides with the check');
    assert.ok(sends(out).some((x) => x.to === addrOf(5) && x.channel === 'stream'), 'and over the stream channel too');
    // n5 had refuted long ago (inc 1); our check makes it answer the stale suspicion.
    step(a, packet(addrOf(5), [{ type: 'alive', node: { name: 'n5', addr: addrOf(5) }, incarnation: 1, meta: new Uint8Array(0) }]), 1200 + first.afterMs);
    out = step(a, timer(verdict.timer), 2000 + first.afterMs);
    assert.deepEqual(events(out), [], 'the stale verdict timer does nothing');
    assert.equal(a.member('n5')?.state, 'alive');
  });
});

describe('buddy re-probe of members we accuse (ours, beyond memberlist)', () => {
  it('re-pings the suspect with the suspicion attached every max(probeInterval, min/2) until the suspicion ends', () => {
    const a = node(0);
    const { tick } = startConverged(a, refs(3));
    let out = step(a, timer(tick.timer), 0);
    const ping = sentMsgs(out, 'ping')[0]!;
    const next = oneSchedule(out, 'probe-tick');
    step(a, timer(oneSchedule(out, 'probe-timeout').timer), 500);
    out = step(a, timer(next.timer), 1000);
    const re = oneSchedule(out, 'reprobe');
    assert.equal(re.afterMs, 2000, 'N = 3: min 4 s → every 2 s');
    out = step(a, timer(re.timer), 3000);
    const s = sends(out).find((x) => x.to === ping.to && x.msgs[0]?.type === 'ping')!;
    assert.deepEqual(s.msgs[1], { type: 'suspect', node: ping.msg.target, incarnation: 0, from: 'n0' });
    const again = oneSchedule(out, 'reprobe');
    step(a, packet(ping.to, [{ type: 'alive', node: { name: ping.msg.target, addr: ping.to }, incarnation: 1, meta: new Uint8Array(0) }]), 3100);
    assert.equal(sends(step(a, timer(again.timer), 5000)).length, 0, 'refuted: the re-probe chain stops');
  });
});
