/**
 * TimerQueue (src/runtime/timer-queue.ts): many timers over one setTimeout. Deterministic: Node's
 * mocked setTimeout is advanced together with the injected clock, so no real time passes.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { TimerQueue } from '../../src/runtime/timer-queue.js';

interface Harness {
  readonly q: TimerQueue<string>;
  /** Every batch handed to `fire`, in order. */
  readonly batches: string[][];
  /** Moves the injected clock and the mocked timers forward together. */
  advance(ms: number): void;
  /** Moves only the injected clock (the timer fires later than the clock says, or vice versa). */
  setClock(ms: number): void;
}

function harness(onFire?: (due: string[], q: TimerQueue<string>, now: number) => void): Harness {
  let clock = 1_000;
  const batches: string[][] = [];
  const q: TimerQueue<string> = new TimerQueue<string>(
    () => clock,
    (due) => {
      batches.push(due);
      onFire?.(due, q, clock);
    },
  );
  return {
    q,
    batches,
    advance(ms) {
      clock += ms;
      mock.timers.tick(ms);
    },
    setClock(ms) {
      clock = ms;
    },
  };
}

/** A small deterministic PRNG (mulberry32) for the heap property test. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TimerQueue', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('fires nothing before the due time, then the due timer', () => {
    const h = harness();
    h.q.add(1_010, 'a');
    assert.equal(h.q.size, 1);
    h.advance(9);
    assert.deepEqual(h.batches, []);
    h.advance(1);
    assert.deepEqual(h.batches, [['a']]);
    assert.equal(h.q.size, 0);
  });

  it('orders by due time, then by insertion order, and fires everything due in one batch', () => {
    const h = harness();
    h.q.add(1_030, 'c');
    h.q.add(1_010, 'a1');
    h.q.add(1_020, 'b1');
    h.q.add(1_010, 'a2');
    h.q.add(1_020, 'b2');
    h.q.add(1_010, 'a3');
    assert.equal(h.q.size, 6);
    h.advance(30);
    assert.deepEqual(h.batches, [['a1', 'a2', 'a3', 'b1', 'b2', 'c']]);
    assert.equal(h.q.size, 0);
  });

  it('fires step by step as time advances, one batch per due time', () => {
    const h = harness();
    for (const [due, name] of [[1_020, 'b'], [1_010, 'a1'], [1_030, 'c'], [1_010, 'a2']] as const) h.q.add(due, name);
    h.advance(10);
    assert.deepEqual(h.batches, [['a1', 'a2']]);
    h.advance(10);
    assert.deepEqual(h.batches, [['a1', 'a2'], ['b']]);
    h.advance(5);
    assert.equal(h.batches.length, 2);
    h.advance(5);
    assert.deepEqual(h.batches, [['a1', 'a2'], ['b'], ['c']]);
  });

  it('fires timers already due (in the past, or now) on the next timer turn, not synchronously', () => {
    const h = harness();
    h.q.add(500, 'past');
    h.q.add(1_000, 'now');
    assert.deepEqual(h.batches, []);
    h.advance(0);
    assert.deepEqual(h.batches, [['past', 'now']]);
  });

  it('an earlier timer added later re-arms the single Node timer', () => {
    const h = harness();
    h.q.add(1_100, 'late');
    h.advance(10);
    h.q.add(1_015, 'early');
    h.advance(5);
    assert.deepEqual(h.batches, [['early']]);
    h.advance(84);
    assert.deepEqual(h.batches, [['early']]);
    h.advance(1);
    assert.deepEqual(h.batches, [['early'], ['late']]);
  });

  it('a later timer does not delay an earlier one', () => {
    const h = harness();
    h.q.add(1_005, 'a');
    h.q.add(1_500, 'b');
    h.advance(5);
    assert.deepEqual(h.batches, [['a']]);
    assert.equal(h.q.size, 1);
  });

  it('re-arms when the Node timer fires before the clock reaches the due time', () => {
    const h = harness();
    h.q.add(1_010, 'x');
    // The Node timer fires after 10 ms, but the injected clock only moved 4 ms.
    h.setClock(1_004);
    mock.timers.tick(10);
    assert.deepEqual(h.batches, []);
    assert.equal(h.q.size, 1);
    h.setClock(1_010);
    mock.timers.tick(6);
    assert.deepEqual(h.batches, [['x']]);
  });

  it('timers scheduled from the fire callback are honoured (periodic timers)', () => {
    let ticks = 0;
    const h = harness((due, q, now) => {
      for (const name of due) if (name === 'tick' && ++ticks < 5) q.add(now + 10, 'tick');
    });
    h.q.add(1_010, 'tick');
    for (let i = 0; i < 10; i++) h.advance(10);
    assert.deepEqual(h.batches, [['tick'], ['tick'], ['tick'], ['tick'], ['tick']]);
    assert.equal(h.q.size, 0);
  });

  it('a timer added from the fire callback and already due fires in a later batch', () => {
    const h = harness((due, q, now) => {
      if (due.includes('first')) q.add(now, 'second');
    });
    h.q.add(1_001, 'first');
    h.advance(1);
    h.advance(0);
    assert.deepEqual(h.batches, [['first'], ['second']]);
  });

  it('close() cancels everything pending and ignores later adds', () => {
    const h = harness();
    h.q.add(1_010, 'a');
    h.q.add(1_020, 'b');
    h.q.close();
    assert.equal(h.q.size, 0);
    h.q.add(1_015, 'after-close');
    assert.equal(h.q.size, 0);
    h.advance(100);
    assert.deepEqual(h.batches, []);
    h.q.close(); // idempotent
  });

  it('close() from inside the fire callback stops the queue', () => {
    const h = harness((due, q) => {
      if (due.includes('stop')) q.close();
    });
    h.q.add(1_010, 'stop');
    h.q.add(1_020, 'never');
    h.advance(10);
    h.advance(100);
    assert.deepEqual(h.batches, [['stop']]);
  });

  it('keeps heap order over many random timers (due time, then insertion)', () => {
    const h = harness();
    const rnd = prng(42);
    const added: Array<{ due: number; seq: number }> = [];
    for (let seq = 0; seq < 2_000; seq++) {
      const due = 1_000 + Math.floor(rnd() * 200);
      added.push({ due, seq });
      h.q.add(due, `${due}:${seq}`);
    }
    // Advance in uneven steps so batches split at arbitrary points.
    for (let t = 0; t < 210; t += 7) h.advance(7);
    const fired = h.batches.flat();
    const expected = [...added].sort((a, b) => a.due - b.due || a.seq - b.seq).map((e) => `${e.due}:${e.seq}`);
    assert.deepEqual(fired, expected);
    assert.equal(h.q.size, 0);
  });
});
