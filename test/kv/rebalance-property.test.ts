/**
 * Rebalancer properties over random membership changes (joins, crashes, skewed ring views,
 * latency jitter, writes during the changes): after quiescence every key is on exactly its N
 * owners with one version, no drop ever removed the last copy, and nothing is left pending.
 * Plus the measurement the course scenario needs: re-replication time and bytes for 1,000 keys
 * after one of 10 nodes leaves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/lib/rng.js';
import { valueRecord } from '../../src/kv/record.js';
import { compareLww } from '../../src/kv/version.js';
import { names, ver, World } from './rebalance-harness.js';

/** Seeds run by default; RINGKV_REBALANCE_SEEDS=a..b widens the sweep. */
function seeds(): number[] {
  const spec = process.env['RINGKV_REBALANCE_SEEDS'];
  const m = spec === undefined ? null : /^(\d+)\.\.(\d+)$/.exec(spec);
  const [lo, hi] = m === null ? [1, 40] : [Number(m[1]), Number(m[2])];
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** One random scenario; returns a description for assertion messages. */
function scenario(seed: number): { w: World; story: string[]; keys: string[] } {
  const rng = new Rng(seed);
  const start = rng.intBetween(4, 8);
  const w = new World(names(start), {
    seed,
    dropCheck: 'weak',
    jitterMs: rng.intBelow(6),
    // Anti-entropy on: writes under stale views can miss a final owner, which only repair fixes.
    config: {
      tokensPerNode: rng.pick([4, 16, 64]),
      rebalanceKeysPerStep: rng.pick([17, 100, 2000]),
      rebalanceIntervalMs: rng.pick([100, 500, 1000]),
      antiEntropyIntervalMs: 50,
    },
    limits: { transferAckTimeoutMs: 800, antiEntropyTreeDepth: 6, ...(rng.chance(0.3) ? { pendingTransfersMax: 40, dropCandidatesMax: 20, inflightBatchesMax: 2 } : {}) },
  });
  const keys = w.populate(rng.intBetween(50, 300), rng.intBetween(1, 64));
  const story: string[] = [`seed ${seed}: ${start} nodes, ${keys.length} keys`];
  let nextName = start;
  let lastCrashAt = -Infinity;
  const ops = rng.intBetween(1, 5);
  for (let i = 0; i < ops; i++) {
    const skewMax = rng.pick([0, 50, 400]);
    const skew = (): number => (skewMax === 0 ? 0 : rng.intBelow(skewMax + 1));
    const live = w.reference.nodes;
    // Crashes are spaced so that no key can lose all N replicas before re-replication.
    const canCrash = live.length > w.config.replicationFactor + 1 && w.now - lastCrashAt >= 3_000;
    if (canCrash && rng.chance(0.5)) {
      const victim = rng.pick(live);
      w.crash(victim, skew);
      lastCrashAt = w.now;
      story.push(`t=${w.now} crash ${victim} (skew ≤ ${skewMax})`);
    } else {
      const node = `n${nextName++}`;
      w.join(node, skew);
      story.push(`t=${w.now} join ${node} (skew ≤ ${skewMax})`);
    }
    // A few client writes during the change, to the owners under some live node's (maybe stale) view.
    for (let j = rng.intBelow(6); j > 0; j--) {
      const key = rng.pick(keys);
      const viewer = rng.pick(w.live());
      const owners = viewer.view.preferenceList(key, w.config.replicationFactor).filter((n) => w.hosts.get(n)?.alive === true);
      if (owners.length > 0) w.write(key, valueRecord(new Uint8Array([j]), ver(10_000 + w.now + j)), owners);
    }
    w.runFor(rng.pick([0, 5, 100, 1_500, 3_000]));
  }
  return { w, story, keys };
}

describe('Rebalancer properties', () => {
  it('after quiescence every key is on exactly its N owners with one version (random joins, crashes, skew)', () => {
    for (const seed of seeds()) {
      const { w, story, keys } = scenario(seed);
      const settled = w.runUntilTrue(() => w.placement().length === 0 && w.idle(), w.now + 60_000, 50);
      const why = `${story.join('; ')}; problems: ${w.placement().slice(0, 4).join('; ')}`;
      assert.ok(settled !== undefined, why);
      assert.deepEqual(w.violations, [], `${why}: drop safety`);
      const present = new Set(w.live().flatMap((h) => keys.filter((k) => h.storage.get(k) !== undefined)));
      assert.equal(present.size, keys.length, `${why}: no key lost`);
      // Stays settled: periodic sweeps change nothing.
      w.runFor(3_000);
      assert.deepEqual(w.placement(), [], `${why}: stays exact`);
    }
  });

  it('transfers and drops keep the newest version (LWW) through the changes', () => {
    for (const seed of seeds().slice(0, 15)) {
      const { w, story, keys } = scenario(seed + 1000);
      w.runUntilTrue(() => w.placement().length === 0 && w.idle(), w.now + 60_000, 50);
      for (const key of keys) {
        const records = w.live().map((h) => h.storage.get(key)).filter((r) => r !== undefined);
        assert.ok(records.length > 0, `${story.join('; ')}: ${key} present`);
        for (const r of records) assert.equal(compareLww(r, records[0]!), 0, `${story.join('; ')}: ${key} has one version`);
      }
    }
  });
});

describe('Rebalancer measurement: one of 10 nodes leaves, 1,000 keys (N = 3, 256 tokens per node)', () => {
  for (const valueBytes of [100, 1024]) {
    it(`re-replicates ${valueBytes}-byte values within the course's budget, and reports time and bytes`, () => {
      const seed = 7;
      const w = new World(names(10), { seed, jitterMs: 2, config: { tokensPerNode: 256 } });
      const keys = w.populate(1_000, valueBytes);
      w.runFor(10); // start-up sweeps
      const victim = 'n4';
      const affected = keys.filter((k) => w.owners(k).includes(victim)).length;
      const bytes0 = w.traffic.bytes;
      const msgs0 = w.traffic.messages;
      const t0 = w.now;
      w.crash(victim);
      const doneAt = w.runUntilTrue(() => w.placement().length === 0, t0 + 10_000, 1);
      assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().slice(0, 3).join('; ')}`);
      const elapsed = doneAt - t0;
      const bytes = w.traffic.bytes - bytes0;
      const minimal = affected * (valueBytes + 'key-000'.length + 14);
      console.log(
        `# measure valueBytes=${valueBytes}: ${affected} keys lost a replica; re-replicated in ${elapsed} virtual ms ` +
          `(1-2 ms one-way latency); ${w.traffic.messages - msgs0} messages, ${bytes} bytes (≈ ${(bytes / minimal).toFixed(2)}× one copy per key)`,
      );
      assert.ok(elapsed <= 50, `seed ${seed}: re-replication took ${elapsed} ms`);
      assert.ok(bytes <= 2.2 * minimal, `seed ${seed}: ${bytes} bytes for ${affected} records`);
      assert.deepEqual(w.violations, []);
    });
  }

  it('a node joins a 10-node cluster: handoff and drops finish promptly; reports time and bytes', () => {
    const seed = 8;
    const w = new World(names(10), { seed, jitterMs: 2, config: { tokensPerNode: 256 } });
    const keys = w.populate(1_000, 100);
    w.runFor(10);
    const bytes0 = w.traffic.bytes;
    const t0 = w.now;
    w.join('n10');
    const doneAt = w.runUntilTrue(() => w.placement().length === 0 && w.idle(), t0 + 10_000, 1);
    assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().slice(0, 3).join('; ')}`);
    const gained = keys.filter((k) => w.owners(k).includes('n10')).length;
    const dropped = w.live().flatMap((h) => h.events).reduce((s, e) => s + (e.type === 'kv-dropped' ? e.count : 0), 0);
    console.log(`# measure join: n10 took over ${gained} keys, ${dropped} copies dropped after acks, in ${doneAt - t0} virtual ms; ${w.traffic.bytes - bytes0} bytes`);
    assert.equal(dropped, gained, `seed ${seed}: one copy dropped per key taken over`);
    assert.ok(doneAt - t0 <= 50, `seed ${seed}: took ${doneAt - t0} ms`);
    assert.deepEqual(w.violations, []);
  });
});
