/**
 * Failure detection (course MP1 spec §4: completeness and accuracy; van Renesse et al. 1998 §2:
 * TFAIL then TCLEANUP): a crash is suspected after TFAIL and removed after TREMOVE at every
 * survivor, exactly once; no false removals; tombstones stop stale gossip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultGossipConfig } from '../../../src/membership/gossip/index.js';
import type { HeartbeatMsg } from '../../../src/wire/types.js';
import { cluster, eventsAbout, nodeAddr, nodeName } from './harness.js';

const { failTimeoutMs, removeTimeoutMs, gossipIntervalMs, heartbeatIntervalMs } = defaultGossipConfig;

describe('gossip failure detection', () => {
  for (const seed of [7, 8, 9]) {
    it(`a crash is suspected after TFAIL and removed after TREMOVE, once at every survivor (seed ${seed})`, () => {
      const pump = cluster({ seed }, 10, 10_000);
      const crashAt = pump.nowMs;
      const victim = 3;
      pump.crash(victim);
      pump.runUntil(crashAt + 20_000); // removal is due about 12 s after the crash; tombstones last 30 s
      for (let i = 0; i < 10; i++) {
        if (i === victim) continue;
        const suspects = eventsAbout(pump, i, 'suspect', nodeName(victim));
        const deads = eventsAbout(pump, i, 'dead', nodeName(victim));
        assert.equal(suspects.length, 1, `seed ${seed}: node ${i} suspect events`);
        assert.equal(deads.length, 1, `seed ${seed}: node ${i} dead events`);
        const suspectAfter = suspects[0]!.atMs - crashAt;
        const deadAfter = deads[0]!.atMs - suspects[0]!.atMs;
        // The last heartbeat may reach the observer up to a couple of rounds after the crash, and
        // timeouts are checked once per round.
        assert.ok(suspectAfter >= failTimeoutMs - heartbeatIntervalMs && suspectAfter <= failTimeoutMs + 3 * gossipIntervalMs, `seed ${seed}: node ${i} suspected after ${suspectAfter} ms`);
        assert.ok(deadAfter >= removeTimeoutMs && deadAfter <= removeTimeoutMs + gossipIntervalMs, `seed ${seed}: node ${i} removed ${deadAfter} ms after suspecting`);
        assert.equal(eventsAbout(pump, i, 'alive', nodeName(victim)).length, 0, `seed ${seed}: revival at ${i}`);
        assert.equal(pump.node(i).member(nodeName(victim))?.state, 'dead', `seed ${seed}: node ${i}`);
        assert.equal(pump.node(i).liveCount(), 9, `seed ${seed}: node ${i}`);
        // Nothing about anyone else.
        assert.equal(pump.events(i).filter((e) => e.event.type === 'dead').length, 1, `seed ${seed}: node ${i} extra removals`);
      }
    });
  }

  it('two simultaneous crashes are both detected everywhere (seed 21)', () => {
    const seed = 21;
    const pump = cluster({ seed }, 10, 10_000);
    pump.crash(2);
    pump.crash(7);
    pump.runUntil(pump.nowMs + 30_000);
    for (let i = 0; i < 10; i++) {
      if (i === 2 || i === 7) continue;
      for (const v of [2, 7]) assert.equal(eventsAbout(pump, i, 'dead', nodeName(v)).length, 1, `seed ${seed}: node ${i} about ${v}`);
      assert.equal(pump.node(i).liveCount(), 8, `seed ${seed}`);
    }
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`no false suspicion or removal over 60 s at 0 % loss (seed ${seed})`, () => {
      const pump = cluster({ seed }, 10, 60_000);
      for (let i = 0; i < 10; i++) {
        const bad = pump.events(i).filter((e) => e.event.type === 'suspect' || e.event.type === 'dead');
        assert.equal(bad.length, 0, `seed ${seed}: node ${i}: ${JSON.stringify(bad)}`);
        assert.equal(pump.node(i).liveCount(), 10, `seed ${seed}`);
      }
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`no false removal over 60 s at 10 % loss (seed ${seed})`, () => {
      const pump = cluster({ seed, loss: 0.1 }, 10, 60_000);
      assert.ok(pump.packetsLost > 0, `seed ${seed}: the pump lost nothing`);
      for (let i = 0; i < 10; i++) {
        const bad = pump.events(i).filter((e) => e.event.type === 'suspect' || e.event.type === 'dead');
        assert.equal(bad.length, 0, `seed ${seed}: node ${i}: ${JSON.stringify(bad)}`);
        assert.equal(pump.node(i).liveCount(), 10, `seed ${seed}: node ${i}`);
      }
    });
  }

  it('stale gossip cannot resurrect a removed member; only a higher heartbeat re-adds it (seed 31)', () => {
    const seed = 31;
    const pump = cluster({ seed }, 5, 10_000);
    const victim = nodeName(4);
    pump.crash(4);
    pump.runUntil(pump.nowMs + 20_000);
    const observer = pump.node(0);
    assert.equal(observer.member(victim)?.state, 'dead', `seed ${seed}`);
    const tombstone = observer.heartbeatOf(victim);
    assert.ok(tombstone !== undefined && tombstone > 0, `seed ${seed}`);
    const rumour = (heartbeat: number): HeartbeatMsg => ({
      type: 'heartbeat',
      source: { name: nodeName(1), addr: nodeAddr(1) },
      entries: [{ node: { name: victim, addr: nodeAddr(4) }, heartbeat }],
    });
    const before = pump.events(0).length;
    for (const hb of [0, tombstone - 1, tombstone]) {
      pump.input(0, { kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [rumour(hb)] });
    }
    assert.equal(pump.events(0).length, before, `seed ${seed}: stale gossip produced events`);
    assert.equal(observer.member(victim)?.state, 'dead', `seed ${seed}`);
    assert.ok(observer.gossipStats.entriesStale >= 3, `seed ${seed}`);
    // Only the victim itself can produce a heartbeat above its tombstone: that re-adds it.
    pump.input(0, { kind: 'packet', from: nodeAddr(1), channel: 'packet', msgs: [rumour(tombstone + 1)] });
    assert.equal(eventsAbout(pump, 0, 'join', victim).length, 2, `seed ${seed}: join at start and re-add`);
    assert.equal(observer.member(victim)?.state, 'alive', `seed ${seed}`);
  });

  it('a tombstone is forgotten after tombstoneMs (seed 32)', () => {
    const seed = 32;
    const pump = cluster({ seed }, 4, 10_000);
    pump.crash(3);
    pump.runUntil(pump.nowMs + failTimeoutMs + removeTimeoutMs + defaultGossipConfig.tombstoneMs + 2_000);
    for (let i = 0; i < 3; i++) {
      assert.equal(pump.node(i).member(nodeName(3)), undefined, `seed ${seed}: node ${i} still remembers`);
      assert.equal(pump.node(i).members().length, 3, `seed ${seed}`);
    }
  });
});
