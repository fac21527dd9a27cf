/**
 * The event queue orders by (time, insertion order) across its bucket and heap tiers, grows,
 * stops at its bound, and recycles slots. Method: random operations checked against a sorted reference list (seeded; the seed is
 * in every failure message).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/lib/rng.js';
import { EventQueue } from '../../src/sim/event-queue.js';

test('pops in (time, insertion) order, against a sorted reference', () => {
  for (const seed of [1, 2, 3, 42]) {
    const rng = new Rng(seed);
    const q = new EventQueue(1_000_000);
    const ref: { t: number; id: number }[] = [];
    let id = 0;
    for (let round = 0; round < 2000; round++) {
      if (rng.chance(0.6) || ref.length === 0) {
        const t = rng.intBelow(50);
        q.push(t, 1, id, 0, 0, 0, undefined);
        ref.push({ t, id });
        id++;
      } else {
        ref.sort((a, b) => a.t - b.t || a.id - b.id);
        const want = ref.shift()!;
        assert.equal(q.peekTimeMs(), want.t, `seed=${seed}`);
        const slot = q.pop();
        assert.equal(q.node[slot], want.id, `seed=${seed} round=${round}`);
        q.release(slot);
      }
    }
    assert.equal(q.size, ref.length, `seed=${seed}`);
  }
});

test('mixed tiers: whole and fractional times, near and far, monotonic or not, against a reference', () => {
  for (const seed of [5, 6, 7, 8]) {
    const rng = new Rng(seed);
    const q = new EventQueue(1_000_000);
    const ref: { t: number; id: number }[] = [];
    let id = 0;
    let now = 0;
    for (let round = 0; round < 20_000; round++) {
      if (rng.chance(0.55) || ref.length === 0) {
        // Mostly at or after the last popped time (as the engine does), sometimes before it.
        const r = rng.intBelow(10);
        const t =
          r < 5 ? now + rng.intBelow(20) : r < 7 ? now + rng.intBelow(5000) : r < 9 ? now + rng.intBelow(100) + 0.5 : Math.max(0, now - rng.intBelow(30));
        q.push(t, 1, id, 0, 0, 0, undefined);
        ref.push({ t, id });
        id++;
      } else {
        ref.sort((a, b) => a.t - b.t || a.id - b.id);
        const want = ref.shift()!;
        assert.equal(q.peekTimeMs(), want.t, `seed=${seed} round=${round}`);
        const slot = q.pop();
        assert.equal(q.node[slot], want.id, `seed=${seed} round=${round}`);
        q.release(slot);
        now = Math.floor(want.t);
      }
      assert.equal(q.size, ref.length);
    }
  }
});

test('equal times keep insertion order, also after a slot is rescheduled', () => {
  const q = new EventQueue(100);
  for (let i = 0; i < 5; i++) q.push(10, 1, i, 0, 0, 0, `e${i}`);
  const first = q.pop();
  assert.equal(q.ref[first], 'e0');
  q.schedule(first, 10); // postponed to the back of time 10
  const order: unknown[] = [];
  while (q.size > 0) {
    const s = q.pop();
    order.push(q.ref[s]);
    q.release(s);
  }
  assert.deepEqual(order, ['e1', 'e2', 'e3', 'e4', 'e0']);
});

test('grows to its bound, then push returns false; released slots are reused', () => {
  const q = new EventQueue(3000);
  for (let i = 0; i < 3000; i++) assert.equal(q.push(i, 1, i, 0, 0, 0, undefined), true);
  assert.equal(q.push(5, 1, 0, 0, 0, 0, undefined), false);
  assert.equal(q.size, 3000);
  assert.equal(q.peakSize, 3000);
  const s = q.pop();
  q.release(s);
  assert.equal(q.push(7, 1, 99, 0, 0, 0, 'again'), true);
  assert.equal(q.size, 3000);
});

test('release drops the payload reference', () => {
  const q = new EventQueue(10);
  q.push(1, 1, 0, 0, 0, 0, { big: true });
  const s = q.pop();
  q.release(s);
  assert.equal(q.ref[s], undefined);
});
