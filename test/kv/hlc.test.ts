/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", OPODIS 2014): monotonicity,
 * the receive rule's causality guarantee, bounded divergence from physical time (Theorem on
 * l - pt ≤ ε), the drift guard, counter overflow, and the order-preserving encoding.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareHlc, decodeHlc, encodeHlc, Hlc, hlcNodeId, hlcZero } from '../../src/kv/hlc.js';
import type { HlcTimestamp } from '../../src/kv/hlc.js';
import { compareBytes } from '../../src/kv/version.js';
import { hlcLogicalMax } from '../../src/wire/kv-limits.js';
import { kvVersionArb } from '../wire/kv-arbitraries.js';
import { fcParams } from './arbitraries.js';

const drift = { hlcMaxDriftMs: 500 };

describe('HLC (Kulkarni et al. 2014)', () => {
  it('now() is strictly increasing even when physical time goes backwards (paper: send/local event)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }), (times) => {
        const clock = new Hlc(1, drift);
        let prev: HlcTimestamp = hlcZero;
        for (const t of times) {
          const ts = clock.now(t);
          assert.equal(compareHlc(ts, prev), 1);
          // l is the largest physical time seen: never behind the physical clock.
          assert.ok(ts.physicalMs >= t);
          prev = ts;
        }
      }),
      fcParams(500),
    );
  });

  it('observe(m) returns a timestamp above m and above every earlier one; later now() stays above m (causality)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -400, max: 400 }), fc.integer({ min: 0, max: 5 })), { maxLength: 100 }),
        (events) => {
          const clock = new Hlc(7, drift);
          let prev: HlcTimestamp = hlcZero;
          let now = 0;
          for (const [isReceive, step, skew, logical] of events) {
            now += step % 50;
            if (isReceive) {
              const remote = { physicalMs: Math.max(0, now + skew), logical, nodeId: 3 };
              const res = clock.observe(remote, now);
              assert.ok(res.ok);
              assert.equal(compareHlc(res.value, remote), 1);
              assert.equal(compareHlc(res.value, prev), 1);
              assert.equal(compareHlc(clock.now(now), remote), 1);
            } else {
              const ts = clock.now(now);
              assert.equal(compareHlc(ts, prev), 1);
            }
            // The last issued timestamp (after a receive, the now() that followed it).
            prev = clock.peek();
          }
        },
      ),
      fcParams(500),
    );
  });

  it('happened-before implies timestamp order across nodes exchanging messages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(2), fc.nat(2), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 150 }),
        fc.array(fc.integer({ min: -200, max: 200 }), { minLength: 3, maxLength: 3 }),
        (sends, offsets) => {
          // Three nodes whose physical clocks are skewed by up to ±200 ms (within the 500 ms guard).
          const clocks = [0, 1, 2].map((i) => new Hlc(i, drift));
          let real = 1000;
          let lastOnNode: (HlcTimestamp | undefined)[] = [undefined, undefined, undefined];
          for (const [from, to, step] of sends) {
            real += step;
            const sent = clocks[from]!.now(real + offsets[from]!);
            if (lastOnNode[from] !== undefined) assert.equal(compareHlc(sent, lastOnNode[from]!), 1);
            const recv = clocks[to]!.observe(sent, real + offsets[to]!);
            assert.ok(recv.ok);
            assert.equal(compareHlc(recv.value, sent), 1, 'receive is after send');
            lastOnNode = lastOnNode.map((t, i) => (i === from ? sent : i === to ? recv.value : t));
          }
        },
      ),
      fcParams(300),
    );
  });

  it('l stays within the drift bound of the largest physical time seen (paper: |l - pt| ≤ ε)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 500 })), { maxLength: 100 }), (steps) => {
        const clock = new Hlc(1, drift);
        let pt = 0;
        for (const [step, ahead] of steps) {
          pt += step;
          const res = clock.observe({ physicalMs: pt + ahead, logical: 0, nodeId: 2 }, pt);
          assert.ok(res.ok);
          assert.ok(res.value.physicalMs <= pt + drift.hlcMaxDriftMs);
        }
      }),
      fcParams(300),
    );
  });

  it('rejects a remote timestamp more than hlcMaxDriftMs ahead with KV_ERR_CLOCK_DRIFT and leaves the clock unchanged', () => {
    const clock = new Hlc(1, drift);
    clock.now(1000);
    const before = clock.peek();
    const res = clock.observe({ physicalMs: 1501, logical: 0, nodeId: 2 }, 1000);
    assert.ok(!res.ok);
    assert.equal(res.error.code, 'KV_ERR_CLOCK_DRIFT');
    assert.deepEqual(clock.peek(), before);
    assert.ok(clock.observe({ physicalMs: 1500, logical: 0, nodeId: 2 }, 1000).ok, 'exactly at the bound is accepted');
  });

  it('borrows a millisecond when the 16-bit logical counter overflows, staying monotonic', () => {
    const clock = new Hlc(1, drift);
    let prev = clock.now(10);
    for (let i = 0; i < hlcLogicalMax + 5; i++) {
      const ts = clock.now(10);
      assert.equal(compareHlc(ts, prev), 1);
      prev = ts;
    }
    assert.equal(prev.physicalMs, 11);
    const res = clock.observe({ physicalMs: 11, logical: hlcLogicalMax, nodeId: 9 }, 10);
    assert.ok(res.ok);
    assert.deepEqual([res.value.physicalMs, res.value.logical], [12, 0]);
  });

  it('a clock restored from the newest stored version never issues an older timestamp after a restart', () => {
    const last = { physicalMs: 5000, logical: 3, nodeId: 1 };
    const clock = new Hlc(1, drift, last);
    assert.equal(compareHlc(clock.now(100), last), 1);
  });

  it('the 12-byte encoding round-trips and byte order equals timestamp order', () => {
    fc.assert(
      fc.property(kvVersionArb, kvVersionArb, (a, b) => {
        const ea = encodeHlc(a);
        assert.deepEqual(decodeHlc(ea), a);
        assert.equal(compareBytes(ea, encodeHlc(b)), compareHlc(a, b));
      }),
      fcParams(2000),
    );
    assert.equal(decodeHlc(new Uint8Array(11)), null);
  });

  it('compareHlc is a total order (antisymmetric, transitive)', () => {
    fc.assert(
      fc.property(kvVersionArb, kvVersionArb, kvVersionArb, (a, b, c) => {
        assert.equal(compareHlc(a, b), -compareHlc(b, a) || 0);
        if (compareHlc(a, b) <= 0 && compareHlc(b, c) <= 0) assert.ok(compareHlc(a, c) <= 0);
        if (compareHlc(a, b) === 0) assert.deepEqual(a, b);
      }),
      fcParams(2000),
    );
  });

  it('node ids are stable u32s derived from names', () => {
    assert.equal(hlcNodeId('n1'), hlcNodeId('n1'));
    assert.notEqual(hlcNodeId('n1'), hlcNodeId('n2'));
    assert.equal(hlcNodeId('n1') >>> 0, hlcNodeId('n1'));
  });
});
