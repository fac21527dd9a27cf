/** Configuration validation: typed CONFIG_ERR_INVALID naming the field; the constructor asserts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionError } from '../../../src/lib/assert.js';
import { Rng } from '../../../src/lib/rng.js';
import type { GossipConfig } from '../../../src/membership/gossip/index.js';
import { GossipProtocol, defaultGossipConfig, resolveGossipConfig, validateGossipConfig } from '../../../src/membership/gossip/index.js';

describe('gossip config', () => {
  it('the defaults are valid and are what an empty override resolves to', () => {
    assert.deepEqual(validateGossipConfig(defaultGossipConfig), { ok: true, value: defaultGossipConfig });
    assert.deepEqual(resolveGossipConfig(undefined), { ...defaultGossipConfig });
    assert.deepEqual(resolveGossipConfig({ gossipFanout: 5 }), { ...defaultGossipConfig, gossipFanout: 5 });
  });

  it('defaults detect a crash within 60 s (suspect at TFAIL, removal at TFAIL + TREMOVE)', () => {
    assert.ok(defaultGossipConfig.failTimeoutMs + defaultGossipConfig.removeTimeoutMs + defaultGossipConfig.gossipIntervalMs < 60_000);
  });

  const bad: [keyof GossipConfig, number][] = [
    ['heartbeatIntervalMs', 0],
    ['heartbeatIntervalMs', 1.5],
    ['gossipIntervalMs', -200],
    ['gossipIntervalMs', Number.NaN],
    ['gossipFanout', 0],
    ['gossipFanout', 65],
    ['failTimeoutMs', 500], // < 3 gossip intervals
    ['removeTimeoutMs', 0],
    ['joinRetryIntervalMs', 86_400_001],
    ['tombstoneMs', 1_000], // < failTimeoutMs
    ['membersMax', 1],
    ['membersMax', 2.5],
  ];
  for (const [field, value] of bad) {
    it(`rejects ${field} = ${value} with CONFIG_ERR_INVALID naming the field`, () => {
      const r = validateGossipConfig({ ...defaultGossipConfig, [field]: value });
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'CONFIG_ERR_INVALID');
      assert.equal(r.error.field, field);
      assert.match(r.error.detail, new RegExp(field));
    });
  }

  it('the constructor asserts a valid config', () => {
    assert.throws(
      () => new GossipProtocol({ self: { name: 'a', addr: '10.0.0.1:1' }, rng: new Rng(1), config: { gossipFanout: 0 } }),
      (e: unknown) => e instanceof AssertionError && /gossipFanout/.test(e.message),
    );
    assert.throws(() => new GossipProtocol({ self: { name: 'a', addr: '10.0.0.1:1' }, rng: new Rng(1), initialIncarnation: -1 }), AssertionError);
  });
});
