/**
 * The engine's network and fault model, observed through a scripted echo actor: latency, loss
 * (and loss windows), duplication, reordering, partitions, one-way blocks, crash, pause, restart,
 * the stream channel, byte counting through the real codec, and the debug hooks. Every test uses
 * a fixed seed (named in its messages); none reads the clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePacket } from '../../src/wire/codec.js';
import { Simulation, type SimulationOptions } from '../../src/sim/simulation.js';
import type { ActorContext, Tagged } from '../../src/sim/actor.js';
import { EchoActor, echoFactory, type EchoScript } from './fakes.js';

const seed = 7;

function makeSim(count: number, options: Partial<SimulationOptions> = {}): Simulation<EchoActor> {
  const sim = new Simulation<EchoActor>({ seed, link: { latency: { kind: 'fixed', ms: 10 } }, ...options });
  for (let i = 0; i < count; i++) sim.addNode({ factory: echoFactory, startAtMs: 0 });
  return sim;
}

function ping(sim: Simulation<EchoActor>, atMs: number, from: string, to: string, seq: number, channel: 'packet' | 'stream' = 'packet'): void {
  const input: EchoScript = { kind: 'send', to: sim.node(to).addr, seq, channel };
  sim.injectAt(atMs, from, input);
}

function seen(sim: Simulation<EchoActor>, name: string): string[] {
  return sim.node(name).core.seen.filter((s) => s.what !== 'start').map((s) => `${s.atMs} ${s.what}`);
}

test('fixed latency: ping arrives after 10 ms, the ack 10 ms later', () => {
  const sim = makeSim(2);
  ping(sim, 100, 'n0', 'n1', 1);
  sim.runUntil(1000);
  assert.deepEqual(seen(sim, 'n1'), [`110 packet ping 1 from ${sim.node('n0').addr}`]);
  assert.deepEqual(seen(sim, 'n0'), [`120 packet ack 1 from ${sim.node('n1').addr}`]);
  assert.equal(sim.stats.packetsSent, 2);
  assert.equal(sim.stats.packetsDelivered, 2);
  assert.equal(sim.nowMs, 1000);
});

test('a loss window drops every send inside it and none outside (setLossAt)', () => {
  const sim = makeSim(2, { link: { latency: { kind: 'fixed', ms: 1 } } });
  sim.setLossAt(51, 1);
  sim.setLossAt(301, 0);
  for (const t of [50, 51, 200, 300, 301]) ping(sim, t, 'n0', 'n1', t);
  sim.runUntil(1000);
  assert.deepEqual(
    seen(sim, 'n1').map((s) => s.split(' ')[3]),
    ['50', '301'],
    `seed=${seed}`,
  );
  // The acks for 50 and 301 went out at 51 and 302: 51 is inside the window, so lost.
  assert.deepEqual(seen(sim, 'n0').map((s) => s.split(' ')[0]), ['303']);
  assert.equal(sim.stats.drops.loss, 4);
});

test('random loss drops about the configured share, deterministically', () => {
  const run = (): number => {
    const sim = makeSim(2, { link: { latency: { kind: 'fixed', ms: 1 }, lossProbability: 0.3 } });
    for (let i = 0; i < 1000; i++) ping(sim, i, 'n0', 'n1', i);
    sim.runUntil(2000);
    return sim.stats.drops.loss;
  };
  const a = run();
  assert.equal(run(), a, `seed=${seed}: same seed, same losses`);
  // 1000 pings at 0.3, then the surviving pings' acks at 0.3: about 300 + 210 drops.
  assert.ok(a > 400 && a < 620, `seed=${seed}: ${a} drops`);
});

test('duplication delivers two copies; reordering adds delay', () => {
  const sim = makeSim(2, { link: { latency: { kind: 'fixed', ms: 10 }, duplicateProbability: 1, reorderProbability: 1, reorderDelayMsMax: 50 } });
  ping(sim, 0, 'n0', 'n1', 1);
  sim.runUntil(1000);
  const got = seen(sim, 'n1');
  assert.equal(got.length, 2, `seed=${seed}`);
  for (const line of got) {
    const t = Number(line.split(' ')[0]);
    assert.ok(t >= 10 && t <= 60, `seed=${seed}: arrival ${t}`);
  }
  assert.equal(sim.stats.duplicates, 3, 'the ping once, then each of the two acks');
});

test('a partition cuts both ways, also packets already in flight; heal restores', () => {
  const sim = makeSim(3);
  ping(sim, 0, 'n0', 'n1', 1); // in flight when the partition starts at 5
  sim.partitionAt(5, [['n0']]);
  ping(sim, 20, 'n1', 'n0', 2);
  ping(sim, 20, 'n1', 'n2', 3); // same side: fine
  sim.healAt(100);
  ping(sim, 100, 'n0', 'n1', 4);
  sim.runUntil(1000);
  assert.deepEqual(seen(sim, 'n1').map((s) => s.split(' ').slice(0, 4).join(' ')), ['40 packet ack 3', '110 packet ping 4']);
  assert.deepEqual(seen(sim, 'n0').map((s) => s.split(' ').slice(0, 4).join(' ')), ['120 packet ack 4']);
  assert.equal(sim.stats.drops.partition, 2);
});

test('a one-way block drops only that direction', () => {
  const sim = makeSim(2);
  sim.blockAt(0, 'n0', 'n1');
  ping(sim, 10, 'n0', 'n1', 1);
  ping(sim, 10, 'n1', 'n0', 2);
  sim.runUntil(1000);
  assert.deepEqual(seen(sim, 'n1'), [], 'n0 → n1 blocked: neither the ping nor the ack arrives');
  assert.deepEqual(seen(sim, 'n0').map((s) => s.split(' ').slice(0, 4).join(' ')), ['20 packet ping 2']);
  assert.equal(sim.stats.drops.partition, 2);
});

test('a crash drops inbound packets and pending timers; nothing runs after it', () => {
  const sim = makeSim(2);
  sim.injectAt(0, 'n1', { kind: 'set-timer', afterMs: 50, tag: 'late' } satisfies EchoScript);
  sim.crashAt(20, 'n1');
  ping(sim, 30, 'n0', 'n1', 1);
  sim.runUntil(1000);
  assert.deepEqual(seen(sim, 'n1'), []);
  assert.equal(sim.stats.drops.nodeDown, 1);
  assert.equal(sim.stats.timersDiscarded, 1);
  assert.equal(sim.node('n1').status, 'crashed');
  assert.ok(sim.timeline.isDown(1, 25));
});

test('a pause delays timers and inbound, processed in order at resume', () => {
  const sim = makeSim(2);
  sim.injectAt(0, 'n1', { kind: 'set-timer', afterMs: 15, tag: 't' } satisfies EchoScript);
  sim.pauseAt(5, 'n1', 100);
  ping(sim, 0, 'n0', 'n1', 1); // arrives at 10, during the pause
  sim.runUntil(1000);
  assert.deepEqual(seen(sim, 'n1'), [`105 packet ping 1 from ${sim.node('n0').addr}`, '105 timer t']);
  assert.deepEqual(seen(sim, 'n0').map((s) => s.split(' ')[0]), ['115']);
  assert.equal(sim.node('n1').status, 'up');
});

test('a paused node buffers at most pauseBacklogPacketsMax packets', () => {
  const sim = makeSim(2, { pauseBacklogPacketsMax: 2 });
  sim.pauseAt(0, 'n1', 500);
  for (let i = 0; i < 5; i++) ping(sim, 1, 'n0', 'n1', i);
  sim.runUntil(1000);
  assert.equal(seen(sim, 'n1').length, 2);
  assert.equal(sim.stats.drops.pauseBacklogFull, 3);
});

test('a restart builds a new actor one incarnation up, with its own rng, and drops old timers', () => {
  const sim = makeSim(2);
  const first = sim.node('n1').core;
  sim.injectAt(0, 'n1', { kind: 'set-timer', afterMs: 500, tag: 'old' } satisfies EchoScript);
  sim.restartAt(100, 'n1', { keepDisk: true });
  ping(sim, 200, 'n0', 'n1', 1);
  sim.runUntil(1000);
  const node = sim.node('n1');
  const ctx: ActorContext = node.core.startedWith;
  assert.notEqual(node.core, first);
  assert.equal(ctx.incarnation, 1);
  assert.equal(ctx.restartCount, 1);
  assert.equal(ctx.keepDisk, true);
  assert.equal(node.restartCount, 1);
  assert.deepEqual(node.core.seen.map((s) => s.what.split(' ').slice(0, 2).join(' ')), ['start', 'packet ping']);
  assert.deepEqual(first.seen.map((s) => s.what), ['start'], 'the old life never saw its timer');
  assert.equal(sim.stats.timersDiscarded, 1);
  assert.equal(sim.timeline.isDown(1, 150), false);
  assert.deepEqual(sim.timeline.crashTimesMs(1), [100]);
});

test('the stream channel is not lost (retransmits cost latency) but resets when a side crashes', () => {
  const sim = makeSim(2, { link: { latency: { kind: 'fixed', ms: 10 }, lossProbability: 0.5 }, streamRetransmitsMax: 1000 });
  for (let i = 0; i < 20; i++) ping(sim, 0, 'n0', 'n1', i, 'stream');
  sim.runUntil(100_000);
  const got = seen(sim, 'n1');
  assert.equal(got.length, 20, `seed=${seed}: every frame arrives`);
  for (const line of got) assert.equal((Number(line.split(' ')[0]) - 10) % 200, 0, `seed=${seed}: ${line}`);
  assert.ok(got.some((l) => Number(l.split(' ')[0]) > 10), `seed=${seed}: some frames were retransmitted`);

  const sim2 = makeSim(2);
  ping(sim2, 0, 'n0', 'n1', 1, 'stream');
  sim2.crashAt(5, 'n0'); // the frame is in flight; its connection dies with the sender
  sim2.runUntil(100);
  assert.deepEqual(seen(sim2, 'n1'), []);
  assert.equal(sim2.stats.drops.connectionReset, 1);
});

test('byte counters equal the encoded sizes, per node and channel', () => {
  const sim = makeSim(2);
  ping(sim, 0, 'n0', 'n1', 1);
  ping(sim, 0, 'n0', 'n1', 300, 'stream');
  sim.runUntil(1000);
  const source = sim.node('n0').ref;
  const pingBytes = (seq: number, channel: 'packet' | 'stream'): number => encodePacket([{ type: 'ping', seq, target: 'x', source }], { channel, label: '' }).length;
  const ackBytes = (seq: number, channel: 'packet' | 'stream'): number => encodePacket([{ type: 'ack', seq }], { channel, label: '' }).length;
  const t0 = sim.traffic.of(0);
  const t1 = sim.traffic.of(1);
  assert.deepEqual(t0.packet, { packetsSent: 1, bytesSent: pingBytes(1, 'packet'), packetsReceived: 1, bytesReceived: ackBytes(1, 'packet') });
  assert.deepEqual(t0.stream, { packetsSent: 1, bytesSent: pingBytes(300, 'stream'), packetsReceived: 1, bytesReceived: ackBytes(300, 'stream') });
  assert.equal(t1.packet.bytesReceived, t0.packet.bytesSent);
  assert.equal(t1.stream.bytesSent, t0.stream.bytesReceived);
  assert.equal(sim.stats.bytesSent, t0.packet.bytesSent + t0.stream.bytesSent + t1.packet.bytesSent + t1.stream.bytesSent);
});

test('events reach listeners; actions run at their time; trace lines describe messages', () => {
  const lines: string[] = [];
  const sim = makeSim(2, { trace: (l) => lines.push(l) });
  const events: string[] = [];
  sim.onEvent((node, event: Tagged, t) => events.push(`${t} ${node} ${event.type}`));
  let actionAt = -1;
  sim.at(42, (s) => {
    actionAt = s.nowMs;
  });
  ping(sim, 0, 'n0', 'n1', 5);
  sim.runUntil(100);
  assert.equal(actionAt, 42);
  assert.deepEqual(events, ['10 n1 recv', '20 n0 recv']);
  assert.ok(lines.some((l) => l.startsWith('10 n0->n1 recv ping seq=5')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('20 n1->n0 recv ack seq=5')), lines.join('\n'));
});

test('unknown output kinds go to onUnknownOutput, or fail loudly with the seed', () => {
  const weird = (ctx: ActorContext): EchoActor => {
    const actor = new EchoActor(ctx);
    actor.handle = (_input, _now, out) => {
      out.push({ kind: 'persist' });
    };
    return actor;
  };
  const got: string[] = [];
  const sim = new Simulation<EchoActor>({ seed, onUnknownOutput: (node, o, t) => got.push(`${t} ${node} ${o.kind}`) });
  sim.addNode({ factory: weird, startAtMs: 3 });
  sim.runUntil(10);
  assert.deepEqual(got, ['3 n0 persist']);

  const strict = new Simulation<EchoActor>({ seed });
  strict.addNode({ factory: weird, startAtMs: 3 });
  assert.throws(() => strict.runUntil(10), /output kind "persist".*sim seed=7 t=3ms node=n0/);
});

test('checkInvariantsEvery calls checkInvariants during the run', () => {
  const sim = makeSim(2, { checkInvariantsEvery: 1 });
  ping(sim, 0, 'n0', 'n1', 1);
  sim.runUntil(100);
  assert.ok(sim.node('n0').core.invariantChecks > 0);
  assert.ok(sim.stats.invariantSweeps > 0);
});

test('a factory must build the node it was asked for', () => {
  const sim = new Simulation<EchoActor>({ seed });
  assert.throws(() => sim.addNode({ factory: (ctx) => new EchoActor({ ...ctx, name: 'other' }) }), /factory built other/);
});
