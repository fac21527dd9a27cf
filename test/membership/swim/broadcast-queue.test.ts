import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BroadcastQueue } from '../../../src/membership/swim/broadcast-queue.js';
import type { Msg } from '../../../src/wire/types.js';

function alive(i: number, inc = 0): Msg {
  return { type: 'alive', node: { name: `n${i}`, addr: `10.0.0.${(i % 250) + 1}:1` }, incarnation: inc, meta: new Uint8Array(0) };
}

function names(msgs: readonly Msg[]): string[] {
  return msgs.map((m) => (m.type === 'alive' ? `${m.node.name}@${m.incarnation}` : m.type === 'suspect' || m.type === 'dead' ? `${m.type}:${m.node}` : m.type));
}

describe('transmit-limited broadcast queue (SWIM §4.1 infection-style dissemination, memberlist queue.go)', () => {
  it('sends each broadcast exactly `limit` times, then drops it', () => {
    const q = new BroadcastQueue(100);
    q.enqueue(1, alive(1), 40);
    q.enqueue(2, alive(2), 40);
    const seen = new Map<string, number>();
    for (let round = 0; round < 10; round++) {
      const into: Msg[] = [];
      q.fill(into, 1000, 255, 3);
      for (const n of names(into)) seen.set(n, (seen.get(n) ?? 0) + 1);
      q.check();
    }
    assert.deepEqual([...seen.entries()].sort(), [
      ['n1@0', 3],
      ['n2@0', 3],
    ]);
    assert.equal(q.size, 0);
  });

  it('least-transmitted first, newest first among equals (memberlist queue.go ordering)', () => {
    const q = new BroadcastQueue(100);
    q.enqueue(1, alive(1), 100);
    q.enqueue(2, alive(2), 100);
    let into: Msg[] = [];
    q.fill(into, 100, 255, 10); // room for one: the newest
    assert.deepEqual(names(into), ['n2@0']);
    q.enqueue(3, alive(3), 100);
    into = [];
    q.fill(into, 200, 255, 10); // n3 (0 sends, newest), n1 (0 sends); n2 has 1 send
    assert.deepEqual(names(into), ['n3@0', 'n1@0']);
    q.enqueue(4, alive(4), 100);
    into = [];
    q.fill(into, 100, 255, 10);
    assert.deepEqual(names(into), ['n4@0'], 'a fresh broadcast jumps ahead of everything sent before');
    into = [];
    q.fill(into, 300, 255, 10);
    assert.equal(into.length, 3);
    const sends = [1, 2, 3, 4].map((m) => q.about(m)!.transmits).sort();
    assert.deepEqual(sends, [1, 2, 2, 2], 'all four were sent once before any is sent a second time');
    q.check();
  });

  it('a newer update about a member invalidates the queued one (memberlist NamedBroadcast)', () => {
    const q = new BroadcastQueue(100);
    q.enqueue(7, alive(7, 1), 40);
    q.enqueue(7, { type: 'suspect', node: 'n7', incarnation: 1, from: 'n1' }, 30);
    assert.equal(q.size, 1);
    const into: Msg[] = [];
    q.fill(into, 1000, 255, 5);
    assert.deepEqual(names(into), ['suspect:n7']);
    q.check();
  });

  it('fills only what fits in bytes and in message count', () => {
    const q = new BroadcastQueue(1000);
    for (let i = 0; i < 300; i++) q.enqueue(i, alive(i), 10);
    const into: Msg[] = [];
    const used = q.fill(into, 95, 255, 5);
    assert.equal(into.length, 9);
    assert.equal(used, 90);
    const many: Msg[] = [];
    q.fill(many, 100_000, 255, 5);
    assert.equal(many.length, 255, 'never more than messagesPerPacketMax');
    q.check();
  });

  it('is bounded: overflow drops the most-transmitted, oldest broadcast and reports it', () => {
    const q = new BroadcastQueue(3);
    q.enqueue(1, alive(1), 10);
    q.enqueue(2, alive(2), 10);
    q.fill([], 10, 255, 10); // n2 sent once
    q.enqueue(3, alive(3), 10);
    assert.equal(q.enqueue(4, alive(4), 10), 1);
    assert.equal(q.size, 3);
    assert.equal(q.about(2), undefined, 'the transmitted one went first');
    assert.equal(q.enqueue(5, alive(5), 10), 1);
    assert.equal(q.about(1), undefined, 'then the oldest untransmitted');
    q.check();
  });

  it('stays consistent through heavy churn (invalidation + fills + overflow), seed-free', () => {
    const q = new BroadcastQueue(500);
    let x = 12345;
    const next = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const r = next(10);
      if (r < 7) q.enqueue(next(2000), alive(i), 20 + next(100));
      else q.fill([], 200 + next(1200), 255, 1 + next(12));
      if (i % 997 === 0) q.check();
    }
    q.check();
    assert.ok(q.size <= 500);
  });
});
