import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/rng.js';
import {
  SwimProtocol,
  defaultSwimConfig,
  pushPullIntervalScaledMs,
  remainingSuspicionMs,
  retransmitLimit,
  suspicionConfirmationsWanted,
  suspicionMinMs,
  validateSwimConfig,
} from '../../../src/membership/swim/index.js';
import { confirmSuspicion, newSuspicion } from '../../../src/membership/swim/suspicion.js';

describe('suspicion timeout maths (Lifeguard §IV-B, memberlist suspicion.go / util.go)', () => {
  it('min = suspicionMult × max(1, log10 N) × probeInterval (memberlist util.go suspicionTimeout)', () => {
    assert.equal(suspicionMinMs(4, 1, 1000), 4000);
    assert.equal(suspicionMinMs(4, 3, 1000), 4000);
    assert.equal(suspicionMinMs(4, 10, 1000), 4000);
    assert.equal(suspicionMinMs(4, 100, 1000), 8000);
    assert.equal(suspicionMinMs(4, 1000, 1000), 12000);
    assert.equal(suspicionMinMs(4, 10_000, 1000), 16000);
  });

  it('k = suspicionMult − 2, or 0 when N − 2 < k (memberlist state.go suspectNode)', () => {
    assert.equal(suspicionConfirmationsWanted(4, 3), 0);
    assert.equal(suspicionConfirmationsWanted(4, 4), 2);
    assert.equal(suspicionConfirmationsWanted(4, 100), 2);
    assert.equal(suspicionConfirmationsWanted(2, 100), 0);
    assert.equal(suspicionConfirmationsWanted(6, 100), 4);
    // ours: a floor on the confirmations (the runtime's LAN profile: suspicionMult 1, floor 1)
    assert.equal(suspicionConfirmationsWanted(1, 100, 1), 1);
    assert.equal(suspicionConfirmationsWanted(4, 100, 1), 2);
    assert.equal(suspicionConfirmationsWanted(1, 2, 1), 0);
  });

  it('timeout shrinks max − ln(c+1)/ln(k+1)·(max−min) per confirmation (memberlist suspicion.go confirmation shrink; anchors §1.3 table)', () => {
    // N = 10: min 4 s, max 24 s, k = 2.
    assert.equal(remainingSuspicionMs(0, 2, 0, 4000, 24000), 24000);
    assert.equal(remainingSuspicionMs(1, 2, 0, 4000, 24000), 11381); // anchors: 11.4 s
    assert.equal(remainingSuspicionMs(2, 2, 0, 4000, 24000), 4000);
    // N = 100: min 8 s, max 48 s → 22.8 s after one confirmation.
    assert.equal(remainingSuspicionMs(1, 2, 0, 8000, 48000), 22762);
    // N = 1000: min 12 s, max 72 s → 34.1 s.
    assert.equal(remainingSuspicionMs(1, 2, 0, 12000, 72000), 34144);
    // Elapsed time is subtracted; the result may go negative (already expired).
    assert.equal(remainingSuspicionMs(1, 2, 5000, 4000, 24000), 6381);
    assert.equal(remainingSuspicionMs(2, 2, 5000, 4000, 24000), -1000);
    // Never below min, even past k confirmations.
    assert.equal(remainingSuspicionMs(5, 2, 0, 4000, 24000), 4000);
    // k = 0: min from the start.
    assert.equal(remainingSuspicionMs(0, 0, 1000, 4000, 24000), 3000);
  });

  it('a suspicion counts each distinct confirmer once, never the original accuser, at most k (memberlist suspicion.go Confirm)', () => {
    const s = newSuspicion(3, 'accuser', 2, 4000, 24000, 1000, 1);
    assert.equal(s.deadlineMs, 25000);
    assert.equal(confirmSuspicion(s, 'accuser', 2000), undefined);
    assert.equal(confirmSuspicion(s, 'b', 2000), 11381 - 1000);
    assert.equal(s.deadlineMs, 12381);
    assert.equal(confirmSuspicion(s, 'b', 2500), undefined);
    assert.equal(confirmSuspicion(s, 'c', 3000), 4000 - 2000);
    assert.equal(confirmSuspicion(s, 'd', 3000), undefined, 'k reached: no more confirmations');
    const k0 = newSuspicion(0, 'a', 0, 4000, 24000, 0, 2);
    assert.equal(k0.deadlineMs, 4000, 'k = 0 starts at min');
  });
});

describe('dissemination and anti-entropy scaling (SWIM §4.1, memberlist util.go)', () => {
  it('retransmit limit = retransmitMult × max(2, ceil(log10(N+1))) (memberlist, with a floor for small clusters)', () => {
    // memberlist gives N <= 9 only retransmitMult sends; the floor doubles that (see timing.ts).
    assert.equal(retransmitLimit(4, 1), 8);
    assert.equal(retransmitLimit(4, 9), 8);
    assert.equal(retransmitLimit(4, 10), 8);
    assert.equal(retransmitLimit(4, 99), 8);
    assert.equal(retransmitLimit(4, 100), 12);
    assert.equal(retransmitLimit(4, 10_000), 20);
  });

  it('push-pull interval scales as ceil(log2 N − 5) + 1 above 32 members (memberlist pushPullScale)', () => {
    assert.equal(pushPullIntervalScaledMs(30000, 10), 30000);
    assert.equal(pushPullIntervalScaledMs(30000, 32), 30000);
    assert.equal(pushPullIntervalScaledMs(30000, 100), 90000);
    assert.equal(pushPullIntervalScaledMs(30000, 1000), 180000);
  });
});

describe('config validation', () => {
  it('defaults are memberlist LAN defaults and valid', () => {
    const r = validateSwimConfig(defaultSwimConfig);
    assert.ok(r.ok);
    assert.equal(defaultSwimConfig.probeIntervalMs, 1000);
    assert.equal(defaultSwimConfig.probeTimeoutMs, 500);
    assert.equal(defaultSwimConfig.indirectChecks, 3);
    assert.equal(defaultSwimConfig.retransmitMult, 4);
    assert.equal(defaultSwimConfig.suspicionMult, 4);
    assert.equal(defaultSwimConfig.suspicionMaxTimeoutMult, 6);
    assert.equal(defaultSwimConfig.gossipIntervalMs, 200);
    assert.equal(defaultSwimConfig.gossipNodes, 3);
    assert.equal(defaultSwimConfig.gossipToTheDeadMs, 30000);
    assert.equal(defaultSwimConfig.pushPullIntervalMs, 30000);
    assert.equal(defaultSwimConfig.awarenessMaxMultiplier, 8);
    assert.equal(defaultSwimConfig.udpPacketBytesMax, 1400);
  });

  const bad: [string, Record<string, unknown>][] = [
    ['probeIntervalMs', { probeIntervalMs: 0 }],
    ['probeIntervalMs', { probeIntervalMs: 1.5 }],
    ['probeTimeoutMs', { probeTimeoutMs: 1000 }],
    ['indirectChecks', { indirectChecks: -1 }],
    ['udpPacketBytesMax', { udpPacketBytesMax: 1401 }],
    ['udpPacketBytesMax', { udpPacketBytesMax: 100 }],
    ['broadcastQueueMax', { broadcastQueueMax: 0 }],
    ['awarenessMaxMultiplier', { awarenessMaxMultiplier: 0 }],
    ['joinRetryBackoffMaxMs', { joinRetryIntervalMs: 5000, joinRetryBackoffMaxMs: 1000 }],
    ['suspicionMult', { suspicionMult: Number.NaN }],
  ];
  for (const [field, patch] of bad) {
    it(`rejects ${JSON.stringify(patch)} with CONFIG_ERR_INVALID naming ${field}`, () => {
      const r = validateSwimConfig({ ...defaultSwimConfig, ...patch });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'CONFIG_ERR_INVALID');
      assert.equal(r.error.field, field);
      assert.match(r.error.message, new RegExp(field));
    });
  }

  it('the constructor asserts a valid config', () => {
    assert.throws(() => new SwimProtocol({ self: { name: 'a', addr: '10.0.0.1:1' }, rng: new Rng(1), config: { probeTimeoutMs: 5000 } }), /probeTimeoutMs/);
  });
});
