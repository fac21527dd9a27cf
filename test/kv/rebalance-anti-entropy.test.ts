/**
 * Merkle anti-entropy (Dynamo §4.7) through the Rebalancer, against the fake host harness:
 * repairs missed writes and missed deletes in both directions, does nothing (beyond comparing
 * roots) when replicas agree, answers 'not-owner' for ranges it does not own, respects its
 * bounds, and survives a peer that stops answering.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KvMerkleReplyMsg } from '../../src/wire/kv-types.js';
import { names, tomb, val, World } from './rebalance-harness.js';

function repairedTotal(w: World): number {
  return w.live().flatMap((h) => h.events).reduce((s, e) => s + (e.type === 'kv-anti-entropy' ? e.repaired : 0), 0);
}

describe('Rebalancer: Merkle anti-entropy', () => {
  it('repairs a replica that missed writes and a delete, in both directions', () => {
    const seed = 61;
    const w = new World(names(3), { seed, config: { tokensPerNode: 4, antiEntropyIntervalMs: 100 } });
    const keys = w.populate(300);
    // n2 misses 20 updates, 5 deletes and one new key; n0 and n1 miss one write that only n2 has.
    const missed = keys.slice(0, 20);
    for (const k of missed) w.write(k, val(`v2-${k}`, 5_000), ['n0', 'n1']);
    const deleted = keys.slice(20, 25);
    for (const k of deleted) w.write(k, tomb(6_000), ['n0', 'n1']);
    w.write('only-two', val('x', 7_000), ['n0', 'n1']);
    w.write(keys[30]!, val('n2-newest', 8_000), ['n2']);
    assert.ok(w.placement().length > 0);
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 30_000, 50);
    assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().slice(0, 5).join('; ')}`);
    w.runFor(3_000); // let the last exchanges finish and report
    const n2 = w.hosts.get('n2')!.storage;
    for (const k of missed) assert.equal(n2.get(k)!.version.physicalMs, 5_000, `seed ${seed}: ${k} repaired on n2`);
    for (const k of deleted) assert.equal(n2.get(k)!.value, null, `seed ${seed}: delete of ${k} repaired on n2`);
    assert.ok(n2.get('only-two') !== undefined);
    for (const n of ['n0', 'n1']) assert.equal(w.hosts.get(n)!.storage.get(keys[30]!)!.version.physicalMs, 8_000, `seed ${seed}: pushed to ${n}`);
    // 26 keys repaired on n2 and 1 on each of n0, n1: only records that won LWW count.
    assert.equal(repairedTotal(w), 28, `seed ${seed}: repaired ${repairedTotal(w)}`);
    assert.deepEqual(w.violations, []);
  });

  it('does nothing but compare roots when replicas agree', () => {
    const seed = 62;
    const w = new World(names(3), { seed, config: { tokensPerNode: 4, antiEntropyIntervalMs: 100 } });
    w.populate(300);
    w.runFor(2_000);
    const events = w.live().flatMap((h) => h.events).filter((e) => e.type === 'kv-anti-entropy');
    assert.ok(events.length >= 30, `seed ${seed}: exchanges ran (${events.length})`);
    assert.equal(repairedTotal(w), 0);
    for (const t of ['kv-keys-req', 'kv-fetch-req', 'kv-range-batch']) assert.equal(w.traffic.byType.get(t), undefined, `seed ${seed}: no ${t}`);
    const reqs = w.traffic.byType.get('kv-merkle-req')!;
    assert.equal(reqs.count, events.length, `seed ${seed}: one root query per exchange`);
    assert.deepEqual(w.placement(), []);
  });

  it('answers not-owner for a range the node does not own', () => {
    const w = new World(names(6), { seed: 63, config: { tokensPerNode: 8 } });
    const ring = w.reference;
    const n0 = w.hosts.get('n0')!;
    // A one-position range whose owners exclude n0.
    let p = 12345;
    while (ring.preferenceListAt(p, 3).includes('n0')) p += 1_000_000_007;
    n0.rebalancer.handleMessage('addr:n1', { type: 'kv-merkle-req', reqId: 9, range: { start: p - 1, end: p }, depth: 4, level: 0, nodes: [0] }, w.now);
    w.runFor(5);
    const rep = w.log.find((m) => m.msg.type === 'kv-merkle-rep')?.msg as KvMerkleReplyMsg | undefined;
    assert.ok(rep !== undefined);
    assert.deepEqual({ reqId: rep.reqId, status: rep.status, hashes: rep.hashes }, { reqId: 9, status: 'not-owner', hashes: [] });
  });

  it('respects its bounds (leaves, keys per request, repairs per exchange) and still converges over rounds', () => {
    const seed = 64;
    const w = new World(names(3), {
      seed,
      config: { tokensPerNode: 2, antiEntropyIntervalMs: 100 },
      limits: { antiEntropyTreeDepth: 6, antiEntropyLeavesPerExchangeMax: 3, antiEntropyKeysPerRequest: 4, antiEntropyRepairsPerExchangeMax: 10 },
    });
    const keys = w.populate(400);
    for (const k of keys.slice(0, 150)) w.write(k, val(`v2-${k}`, 5_000), ['n0', 'n1']);
    let maxDigests = 0;
    w.lose = (_from, _to, msg) => {
      if (msg.type === 'kv-keys-rep') maxDigests = Math.max(maxDigests, msg.entries.length);
      return false;
    };
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 120_000, 100);
    assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().length} keys still differ`);
    assert.ok(maxDigests <= 4, `seed ${seed}: digests per reply ${maxDigests}`);
    const perExchange = w.live().flatMap((h) => h.events).map((e) => (e.type === 'kv-anti-entropy' ? e.repaired : 0));
    assert.ok(Math.max(...perExchange) <= 10, `seed ${seed}: repairs per exchange ${Math.max(...perExchange)}`);
  });

  it('a peer that stops answering: the exchange times out and later rounds go on', () => {
    const seed = 65;
    const w = new World(names(3), { seed, config: { tokensPerNode: 4, antiEntropyIntervalMs: 100 }, limits: { antiEntropyStepTimeoutMs: 300 } });
    w.populate(100);
    let silent = true;
    w.lose = (from, _to, msg) => silent && from === 'n1' && msg.type === 'kv-merkle-rep';
    w.runFor(1_000);
    const n0 = w.hosts.get('n0')!.rebalancer;
    const finishedWhileSilent = n0.stats().antiEntropyExchanges;
    assert.ok(finishedWhileSilent >= 1, `seed ${seed}: exchanges with the silent peer time out`);
    silent = false;
    w.write('late', val('z', 9_000), ['n0', 'n1']);
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 30_000, 50);
    assert.ok(doneAt !== undefined, `seed ${seed}: repaired after the peer answers again`);
    assert.ok(n0.stats().antiEntropyExchanges > finishedWhileSilent);
  });
});
