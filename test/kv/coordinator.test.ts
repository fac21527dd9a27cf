/**
 * The coordinator state machine on its own (Dynamo §4.5 request coordination, §5 read repair,
 * §4.6 hinted handoff with Cassandra's "hints never count toward W"), driven through a scripted
 * host: which replicas answer what, and when the deadline fires.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientOp, ClientResult } from '../../src/kv/client-types.js';
import { resolveKvConfig } from '../../src/kv/config.js';
import type { KvConfig } from '../../src/kv/config.js';
import { Coordinator } from '../../src/kv/coordinator.js';
import { decide } from '../../src/kv/coordinator-rules.js';
import type { CoordinatorTimer } from '../../src/kv/coordinator-types.js';
import type { KvEvent } from '../../src/kv/events.js';
import type { StoredRecord } from '../../src/kv/record.js';
import type { Ring } from '../../src/ring/ring.js';
import type { KvRequestMsg, KvResponseMsg, KvStatus, KvVersion } from '../../src/wire/types.js';

const enc = new TextEncoder();
const v = (physicalMs: number, nodeId = 1): KvVersion => ({ physicalMs, logical: 0, nodeId });

interface Harness {
  co: Coordinator;
  config: KvConfig;
  sent: Array<{ node: string; msg: KvRequestMsg }>;
  timers: CoordinatorTimer[];
  /** The delay each timer in `timers` was scheduled with. */
  delays: number[];
  events: KvEvent[];
  replies: Array<{ requestId: number; result: ClientResult }>;
  hints: Array<{ target: string; key: string; record: StoredRecord }>;
  hintAcks: string[];
  local: KvRequestMsg[];
  submit(op: ClientOp, requestId?: number): KvRequestMsg | undefined;
  answer(node: string, status: KvStatus, value?: string | null, version?: KvVersion | null): void;
  fire(type: CoordinatorTimer['type'], nowMs?: number): void;
}

function harness(replicas: string[], options: { self?: string; config?: Partial<KvConfig>; suspects?: string[]; unreachable?: string[]; localAnswer?: KvStatus } = {}): Harness {
  const resolved = resolveKvConfig({ requestTimeoutMs: 1000, readRepairWindowMs: 200, ...options.config });
  assert.ok(resolved.ok);
  const config = resolved.value;
  const ring = { preferenceList: () => replicas, size: replicas.length } as unknown as Ring;
  let clock = 100;
  const h: Harness = {
    config,
    sent: [],
    timers: [],
    delays: [],
    events: [],
    replies: [],
    hints: [],
    hintAcks: [],
    local: [],
    co: undefined as unknown as Coordinator,
    submit(op, requestId = h.replies.length + 1000) {
      const before = h.sent.length;
      h.co.submit(requestId, op, 10);
      return h.sent[before]?.msg ?? h.local.at(-1);
    },
    answer(node, status, value = null, version = null) {
      const msg = h.sent.find((s) => s.node === node && s.msg.op !== 'repair-write')!.msg;
      h.co.onResponse(node, { type: 'kv-rep', reqId: msg.reqId, status, value: value === null ? null : enc.encode(value), version }, 20);
    },
    fire(type, nowMs = 1010) {
      const t = h.timers.filter((x) => x.type === type).at(-1);
      assert.ok(t !== undefined, `no ${type} timer armed`);
      h.co.handleTimer(t, nowMs);
    },
  };
  h.co = new Coordinator({
    self: options.self ?? 'me',
    config,
    ring: () => ring,
    isSuspect: (n) => options.suspects?.includes(n) ?? false,
    send: (node, msg) => {
      if (options.unreachable?.includes(node)) return false;
      h.sent.push({ node, msg });
      return true;
    },
    serveLocally: (msg) => {
      h.local.push(msg);
      const rep: KvResponseMsg = { type: 'kv-rep', reqId: msg.reqId, status: options.localAnswer ?? 'ok', value: null, version: msg.version };
      return rep;
    },
    newVersion: () => v(clock++, 9),
    schedule: (afterMs, timer) => {
      h.timers.push(timer);
      h.delays.push(afterMs);
    },
    emit: (e) => h.events.push(e),
    reply: (requestId, result) => h.replies.push({ requestId, result }),
    storeHint: (target, key, record) => h.hints.push({ target, key, record }),
    hintAcknowledged: (target) => h.hintAcks.push(target),
  });
  return h;
}

const put = (key = 'k', value = 'x'): ClientOp => ({ type: 'put', key, value: enc.encode(value) });
const code = (r: ClientResult | undefined): string | undefined => (r === undefined ? undefined : r.ok ? 'ok' : r.error.code);

describe('coordinator decision rules', () => {
  it('succeeds at required, fails as soon as impossible, names preconditions only when they decide', () => {
    const t = (successes: number, preconditions: number, pending: number) => ({ successes, preconditions, pending, total: 3, required: 2 });
    assert.equal(decide('put', t(2, 0, 1), false), 'success');
    assert.equal(decide('put', t(1, 0, 1), false), null);
    assert.equal(decide('put', t(1, 0, 1), true), 'KV_ERR_QUORUM_UNAVAILABLE');
    assert.equal(decide('create', t(0, 2, 1), false), 'KV_ERR_EXISTS');
    assert.equal(decide('update', t(0, 2, 1), false), 'KV_ERR_NOT_FOUND');
    assert.equal(decide('delete', t(1, 1, 1), false), null);
    assert.equal(decide('delete', t(0, 1, 0), false), 'KV_ERR_QUORUM_UNAVAILABLE', 'one refusal + errors: the quorum was lost, not decided by the key');
  });
});

describe('Coordinator', () => {
  it('answers once at W acks; a late answer finishes the request without a second reply', () => {
    const h = harness(['a', 'b', 'c']);
    const msg = h.submit(put())!;
    assert.equal(h.sent.length, 3);
    assert.ok(msg.reqId !== 0 && msg.version !== null);
    h.answer('a', 'ok');
    assert.equal(h.replies.length, 0);
    h.answer('b', 'stale'); // holds a newer version already: still an acknowledgement
    assert.equal(code(h.replies[0]?.result), 'ok');
    h.answer('c', 'ok');
    h.answer('c', 'ok'); // duplicate
    assert.equal(h.replies.length, 1);
    assert.equal(h.events.filter((e) => e.type === 'kv-coordinated').length, 1);
    assert.equal(h.co.inflight, 0);
    assert.equal(h.co.stats.repliesIgnored, 1);
    h.fire('coord-deadline'); // stale timer: ignored
    assert.equal(h.replies.length, 1);
    h.co.checkInvariants();
  });

  it('create fails with EXISTS once two replicas refuse; update/delete with NOT_FOUND', () => {
    const h = harness(['a', 'b', 'c']);
    h.submit({ type: 'create', key: 'k', value: enc.encode('x') });
    h.answer('a', 'exists');
    h.answer('b', 'exists');
    assert.equal(code(h.replies[0]?.result), 'KV_ERR_EXISTS');
    const u = harness(['a', 'b', 'c']);
    u.submit({ type: 'update', key: 'k', value: enc.encode('x') });
    u.answer('a', 'not-found');
    u.answer('b', 'ok');
    assert.equal(u.replies.length, 0, 'still possible');
    u.answer('c', 'not-found');
    assert.equal(code(u.replies[0]?.result), 'KV_ERR_NOT_FOUND');
  });

  it('times out with QUORUM_UNAVAILABLE (acks and required in the error) when replicas stay silent', () => {
    const h = harness(['a', 'b', 'c'], { config: { readSpeculativeRetryMs: 0 } });
    h.submit({ type: 'read', key: 'k' });
    h.answer('a', 'ok', 'x', v(5));
    h.fire('coord-deadline');
    const r = h.replies[0]!.result;
    assert.ok(!r.ok && r.error.code === 'KV_ERR_QUORUM_UNAVAILABLE' && r.error.acks === 1 && r.error.required === 2, JSON.stringify(r));
    assert.equal(h.co.inflight, 0);
    assert.equal(h.co.stats.timedOut, 1);
  });

  it('unreachable replicas count as failed at once', () => {
    const h = harness(['a', 'b', 'c'], { unreachable: ['b', 'c'] });
    h.submit(put());
    assert.equal(code(h.replies[0]?.result), 'KV_ERR_QUORUM_UNAVAILABLE');
  });

  it('a read returns the LWW-newest answer; a newest tombstone means NOT_FOUND', () => {
    const all = { config: { readSpeculativeRetryMs: 0 } };
    const h = harness(['a', 'b', 'c'], all);
    h.submit({ type: 'read', key: 'k' });
    h.answer('a', 'ok', 'old', v(5));
    h.answer('b', 'ok', 'new', v(7));
    const r = h.replies[0]!.result;
    assert.ok(r.ok && new TextDecoder().decode(r.value) === 'new' && r.version!.physicalMs === 7);
    const t = harness(['a', 'b', 'c'], all);
    t.submit({ type: 'read', key: 'k' });
    t.answer('a', 'ok', 'old', v(5));
    t.answer('b', 'not-found', null, v(6));
    assert.equal(code(t.replies[0]?.result), 'KV_ERR_NOT_FOUND');
    const n = harness(['a', 'b', 'c'], all);
    n.submit({ type: 'read', key: 'k' });
    n.answer('a', 'not-found');
    n.answer('b', 'ok', 'only', v(3));
    assert.equal(code(n.replies[0]?.result), 'ok', 'Dynamo: a replica missing the key is an answer; the newest wins');
  });

  it('read repair: a late, older answer gets the newest record as a repair-write (reqId 0)', () => {
    const h = harness(['a', 'b', 'c'], { config: { readSpeculativeRetryMs: 0 } });
    h.submit({ type: 'read', key: 'k' });
    h.answer('a', 'ok', 'new', v(7));
    h.answer('b', 'ok', 'new', v(7));
    assert.equal(h.timers.at(-1)?.type, 'coord-repair');
    h.answer('c', 'ok', 'old', v(5));
    const repairs = h.sent.filter((s) => s.msg.op === 'repair-write');
    assert.deepEqual(repairs.map((s) => s.node), ['c']);
    assert.equal(repairs[0]!.msg.reqId, 0);
    assert.deepEqual(repairs[0]!.msg.version, v(7));
    assert.deepEqual(h.events.filter((e) => e.type === 'kv-read-repair'), [{ type: 'kv-read-repair', key: 'k', replica: 'c' }]);
    h.co.onResponse('c', { type: 'kv-rep', reqId: 0, status: 'ok', value: null, version: v(7) }, 30);
    assert.equal(h.co.stats.repliesIgnored, 1, 'answers to repair-writes are ignored');
  });

  it('read repair at the end of the window repairs the stale answers seen so far, including our own replica', () => {
    const h = harness(['me', 'b', 'c'], { localAnswer: 'not-found', config: { readSpeculativeRetryMs: 0 } });
    h.submit({ type: 'read', key: 'k' });
    h.answer('b', 'ok', 'x', v(4));
    assert.equal(code(h.replies[0]?.result), 'ok');
    h.fire('coord-repair', 300);
    assert.equal(h.local.filter((m) => m.op === 'repair-write').length, 1, 'the local replica is repaired synchronously');
    assert.equal(h.co.inflight, 0);
  });

  // A fresh harness's first request has reqId 1: the other replicas are taken from index 1 on.
  it('a read asks only the replicas its level needs: its own first, then a live one; done when they answered', () => {
    const h = harness(['b', 'me', 'c'], { localAnswer: 'not-found' });
    h.submit({ type: 'read', key: 'k' });
    assert.deepEqual(h.local.map((m) => m.op), ['read']);
    assert.deepEqual(h.sent.map((s) => s.node), ['c'], 'one remote replica, b is not asked');
    h.answer('c', 'ok', 'x', v(4));
    assert.equal(code(h.replies[0]?.result), 'ok');
    assert.equal(h.co.inflight, 0, 'no repair window when every asked replica answered');
    assert.equal(h.local.filter((m) => m.op === 'repair-write').length, 1, 'the stale local replica is repaired at once');
    h.co.checkInvariants();
    const all = harness(['a', 'b', 'c']);
    all.submit({ type: 'read', key: 'k', consistency: 'all' });
    assert.deepEqual(all.sent.map((s) => s.node), ['a', 'b', 'c'], 'ALL asks every replica');
    const one = harness(['a', 'b', 'c']);
    one.submit({ type: 'read', key: 'k', consistency: 'one' });
    assert.deepEqual(one.sent.map((s) => s.node), ['b']);
    const late = harness(['a', 'b', 'c'], { config: { requestTimeoutMs: 20, readSpeculativeRetryMs: 25 } });
    late.submit({ type: 'read', key: 'k' });
    assert.deepEqual(late.sent.map((s) => s.node), ['a', 'b', 'c'], 'a retry that could not come before the deadline: every replica at once');
  });

  it('reads rotate over the replicas, so every one serves reads (and gets read-repaired)', () => {
    const h = harness(['a', 'b', 'c']);
    for (let i = 0; i < 6; i++) h.submit({ type: 'read', key: 'k' });
    const asked = new Map<string, number>();
    for (const s of h.sent) asked.set(s.node, (asked.get(s.node) ?? 0) + 1);
    assert.deepEqual([...asked.entries()].sort(), [['a', 4], ['b', 4], ['c', 4]]);
    const own = harness(['me', 'b', 'c']);
    for (let i = 0; i < 4; i++) own.submit({ type: 'read', key: 'k' });
    assert.deepEqual(own.sent.map((s) => s.node).sort(), ['b', 'b', 'c', 'c']);
  });

  it('a read skips suspected replicas first, and replaces an unreachable or failing replica at once', () => {
    const s = harness(['a', 'b', 'c'], { suspects: ['b'] });
    s.submit({ type: 'read', key: 'k' });
    assert.deepEqual(s.sent.map((x) => x.node), ['c', 'a']);
    const u = harness(['a', 'b', 'c'], { unreachable: ['b'] });
    u.submit({ type: 'read', key: 'k' });
    assert.deepEqual(u.sent.map((x) => x.node), ['c', 'a'], 'b (unreachable) was tried first, then replaced');
    const f = harness(['a', 'b', 'c']);
    f.submit({ type: 'read', key: 'k' });
    assert.deepEqual(f.sent.map((x) => x.node), ['b', 'c']);
    f.answer('b', 'overloaded');
    assert.deepEqual(f.sent.map((x) => x.node), ['b', 'c', 'a'], 'the failed answer is replaced by a');
    f.answer('c', 'ok', 'x', v(2));
    f.answer('a', 'ok', 'x', v(2));
    assert.equal(code(f.replies[0]?.result), 'ok');
    assert.equal(f.co.inflight, 0);
    const none = harness(['a', 'b', 'c'], { unreachable: ['a', 'b', 'c'] });
    none.submit({ type: 'read', key: 'k' });
    assert.equal(code(none.replies[0]?.result), 'KV_ERR_QUORUM_UNAVAILABLE');
    assert.equal(none.co.inflight, 0);
  });

  it('speculative retry: asked replicas still silent after readSpeculativeRetryMs, the rest are asked; an answer from a replica never asked is ignored', () => {
    const h = harness(['a', 'b', 'c']);
    h.submit({ type: 'read', key: 'k' });
    assert.deepEqual(h.sent.map((x) => x.node), ['b', 'c']);
    h.co.onResponse('a', { type: 'kv-rep', reqId: h.sent[0]!.msg.reqId, status: 'ok', value: null, version: v(1) }, 15);
    assert.equal(h.co.stats.repliesIgnored, 1);
    h.answer('b', 'ok', 'x', v(3));
    assert.equal(h.replies.length, 0);
    h.fire('coord-spare', 35);
    assert.equal(h.co.stats.speculativeRetries, 1);
    assert.deepEqual(h.sent.map((x) => x.node), ['b', 'c', 'a']);
    h.answer('a', 'ok', 'x', v(3));
    assert.equal(code(h.replies[0]?.result), 'ok');
    assert.equal(h.timers.at(-1)?.type, 'coord-repair', 'c may still answer within the repair window');
    h.co.checkInvariants();
    h.answer('c', 'ok', 'old', v(1));
    assert.equal(h.co.inflight, 0);
    assert.deepEqual(h.sent.filter((x) => x.msg.op === 'repair-write').map((x) => x.node), ['c']);
    const late = harness(['a', 'b', 'c']);
    late.submit({ type: 'read', key: 'k' });
    late.answer('b', 'ok', 'x', v(3));
    late.answer('c', 'ok', 'x', v(3));
    late.fire('coord-spare', 35);
    assert.equal(late.co.stats.speculativeRetries, 0, 'a finished read asks nobody else');
    assert.deepEqual(late.sent.map((x) => x.node), ['b', 'c']);
  });

  it('hints: silent replicas of a successful write at the deadline; suspects at settle; none for failed writes', () => {
    const h = harness(['a', 'b', 'c'], { suspects: ['c'] });
    h.submit(put('k', 'x'));
    h.answer('a', 'ok');
    h.answer('b', 'ok');
    assert.deepEqual(h.hints.map((x) => x.target), ['c'], 'suspect hinted at settle');
    h.answer('c', 'ok');
    assert.deepEqual(h.hintAcks, ['c'], 'a late ack retires the early hint');

    const d = harness(['a', 'b', 'c']);
    d.submit({ type: 'delete', key: 'k' });
    d.answer('a', 'ok');
    d.answer('b', 'ok');
    assert.equal(d.hints.length, 0);
    d.fire('coord-deadline');
    assert.deepEqual(d.hints.map((x) => [x.target, x.record.value]), [['c', null]], 'a delete hints its tombstone');

    const f = harness(['a', 'b', 'c']);
    f.submit(put());
    f.answer('a', 'ok');
    f.fire('coord-deadline');
    assert.equal(code(f.replies[0]?.result), 'KV_ERR_QUORUM_UNAVAILABLE');
    assert.equal(f.hints.length, 0, 'hints never make up for a missed W');
  });

  it('one deadline timer at a time: armed for the oldest request, it times out every request due and re-arms for the next', () => {
    const h = harness(['a', 'b', 'c'], { config: { readSpeculativeRetryMs: 0 } });
    const deadlines = () => h.timers.map((t, i) => [t.type, h.delays[i]]).filter(([t]) => t === 'coord-deadline');
    h.co.submit(1, put('k1'), 0);
    h.co.submit(2, put('k2'), 300);
    h.co.submit(3, put('k3'), 300);
    h.co.submit(4, put('k4'), 700);
    assert.deepEqual(deadlines(), [['coord-deadline', 1000]], 'only the first request armed a timer');
    // k2 succeeds and finishes early; k1, k3, k4 stay silent.
    for (const node of ['a', 'b', 'c']) {
      const msg = h.sent.find((x) => x.node === node && x.msg.key === 'k2')!.msg;
      h.co.onResponse(node, { type: 'kv-rep', reqId: msg.reqId, status: 'ok', value: null, version: msg.version }, 310);
    }
    h.co.checkInvariants();
    h.co.handleTimer({ type: 'coord-deadline' }, 1000);
    assert.deepEqual(h.replies.map((r) => [r.requestId, code(r.result)]), [[2, 'ok'], [1, 'KV_ERR_QUORUM_UNAVAILABLE']]);
    assert.deepEqual(deadlines().at(-1), ['coord-deadline', 300], 're-armed for k3 (started at 300)');
    h.co.checkInvariants();
    h.co.handleTimer({ type: 'coord-deadline' }, 1300);
    assert.deepEqual(h.replies.map((r) => r.requestId), [2, 1, 3]);
    assert.deepEqual(deadlines().at(-1), ['coord-deadline', 400]);
    h.co.handleTimer({ type: 'coord-deadline' }, 1750); // late: still handles k4
    assert.deepEqual(h.replies.map((r) => r.requestId), [2, 1, 3, 4]);
    assert.equal(h.co.inflight, 0);
    assert.equal(deadlines().length, 3, 'nothing left: no timer re-armed');
    h.co.submit(5, put('k5'), 2000);
    assert.deepEqual(deadlines().at(-1), ['coord-deadline', 1000], 'the next request arms it again');
    h.co.checkInvariants();
  });

  it('one speculative-retry timer at a time: due reads ask the rest, finished ones are skipped, it re-arms for the next', () => {
    const h = harness(['me', 'b', 'c'], { self: 'me', config: { readSpeculativeRetryMs: 25 } });
    const spares = () => h.timers.map((t, i) => [t.type, h.delays[i]]).filter(([t]) => t === 'coord-spare');
    const askedFor = (key: string) => h.sent.filter((x) => x.msg.key === key).map((x) => x.node);
    h.co.submit(1, { type: 'read', key: 'r1' }, 0);
    h.co.submit(2, { type: 'read', key: 'r2' }, 10);
    h.co.submit(3, { type: 'read', key: 'r3' }, 20);
    assert.deepEqual(spares(), [['coord-spare', 25]]);
    for (const key of ['r1', 'r2', 'r3']) assert.equal(askedFor(key).length, 1, 'own replica + one other');
    const r2 = h.sent.find((x) => x.msg.key === 'r2')!;
    h.co.onResponse(r2.node, { type: 'kv-rep', reqId: r2.msg.reqId, status: 'not-found', value: null, version: null }, 12);
    assert.equal(h.replies.length, 1, 'r2 answered by its two replicas');
    h.co.checkInvariants();
    h.co.handleTimer({ type: 'coord-spare' }, 25);
    assert.equal(askedFor('r1').length, 2, 'r1 asked the remaining replica');
    assert.equal(h.co.stats.speculativeRetries, 1);
    assert.deepEqual(spares().at(-1), ['coord-spare', 20], 'r2 skipped (finished); re-armed for r3 (due at 45)');
    h.co.checkInvariants();
    h.co.handleTimer({ type: 'coord-spare' }, 45);
    assert.equal(askedFor('r3').length, 2);
    assert.equal(h.co.stats.speculativeRetries, 2);
    assert.equal(spares().length, 2, 'queue empty: not re-armed');
    h.co.submit(4, { type: 'read', key: 'r4' }, 50);
    assert.deepEqual(spares().at(-1), ['coord-spare', 25]);
    h.co.checkInvariants();
  });

  it('a settled read in its repair window outlives its deadline without blocking later deadlines', () => {
    const h = harness(['me', 'b', 'c'], { self: 'me', config: { readSpeculativeRetryMs: 0, readRepairWindowMs: 5000 } });
    h.co.submit(1, { type: 'read', key: 'r' }, 0); // own replica answers at once
    const b = h.sent.find((x) => x.node === 'b')!.msg;
    h.co.onResponse('b', { type: 'kv-rep', reqId: b.reqId, status: 'ok', value: null, version: null }, 5);
    assert.equal(h.replies.length, 1, 'settled at R=2; c is still awaited for repair');
    h.co.submit(2, put('w'), 500);
    h.co.handleTimer({ type: 'coord-deadline' }, 1000);
    assert.equal(h.co.inflight, 2, 'the read keeps its repair window');
    h.co.handleTimer({ type: 'coord-deadline' }, 1500);
    assert.equal(code(h.replies[1]?.result), 'KV_ERR_QUORUM_UNAVAILABLE', 'the later write still timed out on time');
    assert.equal(h.co.inflight, 1);
    h.co.checkInvariants();
  });

  it('reqIds are unique, never 0, and bounded by inflightRequestsMax', () => {
    const h = harness(['a', 'b', 'c'], { config: { inflightRequestsMax: 3 } });
    const ids = new Set<number>();
    for (let i = 0; i < 3; i++) ids.add(h.submit(put(`k${i}`))!.reqId);
    assert.equal(ids.size, 3);
    assert.ok(!ids.has(0));
    h.co.submit(99, put('k9'), 10);
    assert.equal(code(h.replies.find((r) => r.requestId === 99)?.result), 'KV_ERR_OVERLOADED');
    h.co.checkInvariants();
  });
});
