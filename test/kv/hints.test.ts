/**
 * Hinted handoff store (Dynamo §4.6; Cassandra hints and max_hint_window): bounds per target, in
 * total and in bytes with oldest-first eviction (counted), newest version per (target, key),
 * expiry after the hint window, bounded oldest-first replay batches, and version-checked acks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HintStore, hintConfigDefaults } from '../../src/kv/hints.js';
import type { HintConfig } from '../../src/kv/hints.js';
import { tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import { fcParams, recordArb } from './arbitraries.js';

const ver = (physicalMs: number, logical = 0, nodeId = 1) => ({ physicalMs, logical, nodeId });
const rec = (t: number, size = 1) => valueRecord(new Uint8Array(size), ver(t));
const small: HintConfig = { hintWindowMs: 1000, hintsPerNodeMax: 3, hintsTotalMax: 5, hintBytesTotalMax: 10_000 };

describe('HintStore (Dynamo §4.6 hinted handoff)', () => {
  it('keeps only the newest version per (target, key)', () => {
    const hints = new HintStore(small);
    assert.equal(hints.add('n1', 'k', rec(5), 0), 'stored');
    assert.equal(hints.add('n1', 'k', rec(4), 1), 'superseded');
    assert.equal(hints.add('n1', 'k', rec(5), 1), 'superseded');
    assert.equal(hints.add('n1', 'k', tombstoneRecord(ver(6)), 2), 'replaced');
    assert.equal(hints.add('n2', 'k', rec(1), 2), 'stored', 'targets are independent');
    assert.equal(hints.size, 2);
    const [h] = hints.batch('n1', 10, 3);
    assert.equal(h!.record.value, null);
    assert.deepEqual(h!.record.version, ver(6));
  });

  it('bounds hints per target and in total, dropping the oldest and counting the drops', () => {
    const hints = new HintStore(small);
    for (let i = 0; i < 5; i++) hints.add('n1', `k${i}`, rec(i), i);
    assert.equal(hints.countFor('n1'), 3);
    assert.deepEqual(hints.batch('n1', 10, 5).map((h) => h.key), ['k2', 'k3', 'k4']);
    hints.add('n2', 'a', rec(1), 6);
    hints.add('n2', 'b', rec(1), 7);
    assert.equal(hints.size, 5);
    hints.add('n3', 'x', rec(1), 8);
    assert.equal(hints.size, 5, 'hintsTotalMax holds');
    assert.deepEqual(hints.batch('n1', 10, 9).map((h) => h.key), ['k3', 'k4'], 'the globally oldest hint went');
    assert.equal(hints.stats().droppedOverflow, 3);
  });

  it('bounds hint bytes, and drops a hint larger than the whole budget', () => {
    const hints = new HintStore({ ...small, hintsPerNodeMax: 100, hintsTotalMax: 100, hintBytesTotalMax: 300 });
    assert.equal(hints.add('n1', 'a', rec(1, 100), 0), 'stored');
    assert.equal(hints.add('n1', 'b', rec(1, 100), 1), 'stored');
    assert.equal(hints.add('n1', 'c', rec(1, 100), 2), 'stored');
    assert.ok(hints.stats().bytes <= 300);
    assert.deepEqual(hints.batch('n1', 10, 3).map((h) => h.key), ['b', 'c']);
    assert.equal(hints.add('n1', 'huge', rec(1, 1000), 3), 'dropped');
    assert.equal(hints.stats().droppedOverflow, 2);
  });

  it('expires hints older than hintWindowMs (Cassandra max_hint_window), in expire() and in batch()', () => {
    const hints = new HintStore(small);
    hints.add('n1', 'old', rec(1), 0);
    hints.add('n2', 'x', rec(1), 100);
    hints.add('n1', 'new', rec(1), 500);
    assert.deepEqual(hints.batch('n1', 10, 999).map((h) => h.key), ['old', 'new']);
    assert.deepEqual(hints.batch('n1', 10, 1000).map((h) => h.key), ['new']);
    assert.equal(hints.expire(1099, 10), 0);
    assert.equal(hints.expire(1100, 10), 1);
    assert.equal(hints.stats().expired, 2);
    assert.deepEqual(hints.targets(), ['n1']);
  });

  it('replays in bounded oldest-first batches; an ack removes the hint only at the replayed version', () => {
    const hints = new HintStore({ ...hintConfigDefaults });
    for (let i = 0; i < 10; i++) hints.add('n1', `k${i}`, rec(i + 1), i);
    const first = hints.batch('n1', 4, 10);
    assert.deepEqual(first.map((h) => h.key), ['k0', 'k1', 'k2', 'k3']);
    // A newer write to k1 arrives while the batch is in flight.
    hints.add('n1', 'k1', rec(100), 11);
    for (const h of first) hints.ack('n1', h.key, h.record.version);
    assert.deepEqual(hints.batch('n1', 100, 12).map((h) => h.key), ['k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k1']);
    assert.equal(hints.stats().acked, 3);
    assert.equal(hints.dropTarget('n1'), 7);
    assert.equal(hints.size, 0);
  });

  it('random operations never break the bounds or the accounting', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), target: fc.constantFrom('a', 'b', 'c'), key: fc.constantFrom('k1', 'k2', 'k3', 'k4'), record: recordArb, dt: fc.nat(300) }),
      fc.record({ kind: fc.constant('batch-ack' as const), target: fc.constantFrom('a', 'b', 'c'), n: fc.nat(3), dt: fc.nat(300) }),
      fc.record({ kind: fc.constant('expire' as const), n: fc.nat(3), dt: fc.nat(300) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const cfg: HintConfig = { hintWindowMs: 1000, hintsPerNodeMax: 3, hintsTotalMax: 6, hintBytesTotalMax: 200 };
        const hints = new HintStore(cfg);
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.kind === 'add') hints.add(o.target, o.key, o.record, now);
          else if (o.kind === 'expire') hints.expire(now, o.n);
          else for (const h of hints.batch(o.target, o.n, now)) {
            assert.ok(now - h.storedAtMs < cfg.hintWindowMs, 'batch never returns an expired hint');
            assert.ok(hints.ack(o.target, h.key, h.record.version));
          }
          const s = hints.stats();
          assert.ok(s.hints <= cfg.hintsTotalMax && s.bytes <= cfg.hintBytesTotalMax);
          for (const t of ['a', 'b', 'c']) assert.ok(hints.countFor(t) <= cfg.hintsPerNodeMax);
          // Replacements keep the count; every other exit is counted (no hint here exceeds the byte budget alone).
          assert.equal(s.hints, s.stored - s.droppedOverflow - s.expired - s.acked);
          assert.equal(s.targets, ['a', 'b', 'c'].filter((t) => hints.countFor(t) > 0).length);
        }
      }),
      fcParams(500),
    );
  });
});

