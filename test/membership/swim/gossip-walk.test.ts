/**
 * Gossip targets walk a fresh permutation of member indices each cycle (SWIM §4.3's round-robin
 * argument applied to dissemination): within a cycle every index comes exactly once, so one
 * sender's consecutive transmissions of an update reach distinct members.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/lib/rng.js';
import { GossipWalk } from '../../../src/membership/swim/gossip-walk.js';

test('every index exactly once per cycle, for many sizes and seeds', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = new Rng(seed);
    for (const size of [1, 2, 3, 10, 12, 97, 100, 1024]) {
      const walk = new GossipWalk();
      for (let cycle = 0; cycle < 3; cycle++) {
        const seen = new Set<number>();
        for (let i = 0; i < size; i++) seen.add(walk.next(size, rng));
        assert.equal(seen.size, size, `seed ${seed} size ${size} cycle ${cycle}: a full cycle visits every index once`);
      }
    }
  }
});

test('cycles differ (the order is reshuffled)', () => {
  const rng = new Rng(7);
  const walk = new GossipWalk();
  const first = Array.from({ length: 50 }, () => walk.next(50, rng));
  const second = Array.from({ length: 50 }, () => walk.next(50, rng));
  assert.notDeepEqual(first, second, 'seed 7: two cycles in the same order');
});

test('a size change starts a new cycle over the new size', () => {
  const rng = new Rng(3);
  const walk = new GossipWalk();
  walk.next(5, rng);
  const seen = new Set<number>();
  for (let i = 0; i < 8; i++) seen.add(walk.next(8, rng));
  assert.equal(seen.size, 8);
});
