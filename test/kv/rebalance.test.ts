/**
 * Rebalancer (keeping exactly N copies, Dynamo §4.9 handoff, drop-after-ack) against the fake
 * host harness: node removed, node added, lost ack, LWW on transfer, bounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rebalancerStreamIdMin } from '../../src/kv/rebalance-types.js';
import { kvBatchEntriesMax } from '../../src/wire/kv-limits.js';
import { kvRecordEntryBytes } from '../../src/wire/kv-fields.js';
import type { KvRangeAckMsg, KvRangeBatchMsg } from '../../src/wire/kv-types.js';
import { names, val, World } from './rebalance-harness.js';

describe('Rebalancer: keeping exactly N copies', () => {
  it('a node removed from the ring: its keys return to exactly N owners on the survivors', () => {
    const seed = 11;
    const w = new World(names(10), { seed });
    const keys = w.populate(300);
    assert.deepEqual(w.placement(), [], 'placement exact before the failure');
    const victim = 'n3';
    const affected = keys.filter((k) => w.owners(k).includes(victim)).length;
    assert.ok(affected > 30, `seed ${seed}: the victim held a fair share of keys (${affected})`);
    w.crash(victim);
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 5_000, 1);
    assert.ok(doneAt !== undefined, `seed ${seed}: placement not restored: ${w.placement().slice(0, 5).join('; ')}`);
    assert.ok(doneAt <= 100, `seed ${seed}: re-replication took ${doneAt} ms`);
    w.runFor(3_000);
    assert.deepEqual(w.placement(), [], `seed ${seed}: placement stays exact`);
    assert.deepEqual(w.violations, [], `seed ${seed}`);
    const transferred = w.live().flatMap((h) => h.events).filter((e) => e.type === 'kv-transferred');
    const count = transferred.reduce((s, e) => s + (e.type === 'kv-transferred' ? e.count : 0), 0);
    // Each affected key has N - 1 = 2 surviving owners, each pushing once to the one new owner.
    assert.equal(count, 2 * affected, `seed ${seed}: records transferred`);
    assert.ok(w.idle(), `seed ${seed}: nothing pending`);
  });

  it('two of a key’s three replicas fail: the survivor re-creates both copies (the course’s READ/UPDATE test)', () => {
    const seed = 12;
    const w = new World(names(10), { seed });
    const keys = w.populate(100);
    const key = keys[0]!;
    const [, secondary, tertiary] = w.owners(key);
    w.crash(tertiary!);
    w.crash(secondary!);
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 5_000, 1);
    assert.ok(doneAt !== undefined && doneAt < 500, `seed ${seed}: placement restored at ${doneAt}: ${w.placement().slice(0, 3).join('; ')}`);
    assert.equal(w.live().filter((h) => h.storage.get(key) !== undefined).length, 3, `seed ${seed}: the key is on 3 live nodes`);
    assert.deepEqual(w.violations, []);
  });

  it('a second ring change in the middle of a sweep: keys not yet swept still reach the first change’s new owners', () => {
    const seed = 13;
    // Slow sweeps (5 keys per step, 10 ms apart) so the second failure lands mid-sweep.
    const w = new World(names(8), { seed, config: { rebalanceKeysPerStep: 5 }, limits: { sweepStepGapMs: 10 } });
    w.populate(300);
    w.crash('n3');
    w.runFor(40);
    assert.ok(w.live().some((h) => h.rebalancer.stats().sweepMode === 'change'), `seed ${seed}: sweeps still running`);
    w.crash('n5');
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 10_000, 5);
    assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().slice(0, 5).join('; ')}`);
    assert.deepEqual(w.violations, [], `seed ${seed}`);
  });

  it('a node added: it receives its ranges, and the nodes that fell out drop them only after its acks', () => {
    const seed = 21;
    const w = new World(names(6), { seed });
    const keys = w.populate(400);
    const ackAt = new Map<string, number>(); // "node>key" → when the newcomer acked a batch carrying it
    const batches = new Map<string, KvRangeBatchMsg>(); // "sender>streamId" (stream ids are per sender)
    const newcomer = 'n6';
    w.lose = (from, to, msg) => {
      if (msg.type === 'kv-range-batch' && to === newcomer) batches.set(`${from}>${msg.streamId}`, msg);
      if (msg.type === 'kv-range-ack' && from === newcomer) {
        for (const e of batches.get(`${to}>${msg.streamId}`)?.entries ?? []) ackAt.set(`${to}>${e.key}`, w.now + 1);
      }
      return false;
    };
    const before = new Map(keys.map((k) => [k, w.owners(k)]));
    w.join(newcomer);
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 5_000, 1);
    assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().slice(0, 5).join('; ')}`);
    const gained = keys.filter((k) => w.owners(k).includes(newcomer));
    assert.ok(gained.length > 20, `seed ${seed}: the newcomer owns a share (${gained.length})`);
    for (const k of gained) assert.ok(w.hosts.get(newcomer)!.storage.get(k) !== undefined, `seed ${seed}: ${newcomer} holds ${k}`);
    // Every node that fell out of a preference list dropped the key, and only after the newcomer acked it.
    let drops = 0;
    for (const k of gained) {
      for (const old of before.get(k)!) {
        if (w.owners(k).includes(old)) continue;
        assert.equal(w.hosts.get(old)!.storage.get(k), undefined, `seed ${seed}: ${old} dropped ${k}`);
        assert.ok(ackAt.has(`${old}>${k}`), `seed ${seed}: ${old} saw an ack from ${newcomer} for ${k} before dropping it`);
        drops++;
      }
    }
    assert.ok(drops > 0);
    const dropped = w.live().flatMap((h) => h.events).reduce((s, e) => s + (e.type === 'kv-dropped' ? e.count : 0), 0);
    assert.equal(dropped, drops, `seed ${seed}: kv-dropped events count every drop`);
    assert.deepEqual(w.violations, [], `seed ${seed}: drop safety (every owner held the version before each drop)`);
  });

  it('a lost ack: the transfer is retried and the key is not dropped until an ack arrives', () => {
    const seed = 31;
    const w = new World(names(5), { seed, limits: { transferAckTimeoutMs: 500 }, config: { rebalanceIntervalMs: 200 } });
    const keys = w.populate(200);
    const newcomer = 'n5';
    let lostAcks = 0;
    w.lose = (from, _to, msg) => {
      if (msg.type === 'kv-range-ack' && from === newcomer && w.now < 400) {
        lostAcks++;
        return true;
      }
      return false;
    };
    const before = new Map(keys.map((k) => [k, w.owners(k)]));
    w.join(newcomer);
    w.runUntil(390);
    assert.ok(lostAcks > 0, `seed ${seed}: acks were lost`);
    // Nothing the newcomer took over was dropped yet: every old owner still holds its keys.
    for (const k of keys) for (const old of before.get(k)!) assert.ok(w.hosts.get(old)!.storage.get(k) !== undefined, `seed ${seed}: ${old} kept ${k} while unacked`);
    const batchesEarly = w.traffic.byType.get('kv-range-batch')!.count;
    const doneAt = w.runUntilTrue(() => w.placement().length === 0, 10_000, 5);
    assert.ok(doneAt !== undefined, `seed ${seed}: ${w.placement().slice(0, 5).join('; ')}`);
    assert.ok(w.traffic.byType.get('kv-range-batch')!.count > batchesEarly, `seed ${seed}: transfers were retried`);
    assert.deepEqual(w.violations, [], `seed ${seed}`);
  });

  it('a transfer never overwrites a newer version, and its ack reports 0 applied', () => {
    const w = new World(names(3), { seed: 41 });
    const host = w.hosts.get('n0')!;
    w.write('k', val('new', 5_000), ['n0']);
    const streamId = rebalancerStreamIdMin + 7;
    const batch: KvRangeBatchMsg = {
      type: 'kv-range-batch',
      streamId,
      seq: 0,
      kind: 'transfer',
      range: { start: 0, end: 0 },
      entries: [
        { key: 'k', value: new TextEncoder().encode('old'), version: val('old', 4_000).version },
        { key: 'fresh', value: new TextEncoder().encode('x'), version: val('x', 4_000).version },
      ],
      last: true,
    };
    host.rebalancer.handleMessage('addr:n1', batch, w.now);
    assert.equal(new TextDecoder().decode(host.storage.get('k')!.value!), 'new');
    assert.ok(host.storage.get('fresh') !== undefined);
    w.runFor(10);
    const ack = w.log.find((m) => m.msg.type === 'kv-range-ack' && m.from === 'n0' && m.to === 'n1')?.msg as KvRangeAckMsg | undefined;
    assert.ok(ack !== undefined);
    assert.deepEqual({ status: ack.status, applied: ack.applied, streamId: ack.streamId }, { status: 'ok', applied: 1, streamId });
  });

  it('a stale copy on a non-owner never replaces the owners’ newer version, and is dropped', () => {
    const seed = 42;
    const w = new World(names(6), { seed });
    w.populate(50);
    const key = 'key-7';
    const owners = w.owners(key);
    const outsider = w.reference.nodes.find((n) => !owners.includes(n))!;
    w.write(key, val('stale', 10), [outsider]); // older than the owners' version (1_007)
    w.runFor(3_000); // periodic sweeps find it
    assert.equal(w.hosts.get(outsider)!.storage.get(key), undefined, `seed ${seed}: the stale copy was dropped`);
    assert.deepEqual(w.placement(), [], `seed ${seed}`);
    for (const o of owners) assert.equal(w.hosts.get(o)!.storage.get(key)!.version.physicalMs, 1_007, `seed ${seed}: ${o} kept the newer version`);
  });

  it('a newer write on a non-owner reaches the owners before the drop (tombstones too)', () => {
    const seed = 43;
    const w = new World(names(6), { seed });
    w.populate(50);
    const key = 'key-9';
    const owners = w.owners(key);
    const outsider = w.reference.nodes.find((n) => !owners.includes(n))!;
    w.write(key, { value: null, version: val('', 9_000).version, purgeAfterMs: 9_000 + 86_400_000 }, [outsider]);
    w.runFor(3_000);
    assert.equal(w.hosts.get(outsider)!.storage.get(key), undefined, `seed ${seed}`);
    for (const o of owners) assert.equal(w.hosts.get(o)!.storage.get(key)!.value, null, `seed ${seed}: ${o} holds the tombstone`);
    assert.deepEqual(w.placement(), []);
    assert.deepEqual(w.violations, []);
  });

  it('bounds: pending transfers, in-flight batches, batch bytes and entries stay within their limits', () => {
    const seed = 51;
    const limits = { pendingTransfersMax: 25, dropCandidatesMax: 10, inflightBatchesPerTargetMax: 1, inflightBatchesMax: 2 };
    const w = new World(names(6), { seed, limits, config: { rebalanceKeysPerStep: 7, transferBatchBytesMax: 1024, rebalanceIntervalMs: 50 } });
    w.populate(300, 100);
    let maxPending = 0;
    let maxInflight = 0;
    let maxDrops = 0;
    let batchTooBig = 0;
    const inflightByNode = new Map<string, Set<number>>();
    w.lose = (from, _to, msg) => {
      if (msg.type === 'kv-range-batch') {
        const bytes = msg.entries.reduce((s, e) => s + kvRecordEntryBytes(e), 0);
        if ((bytes > 1024 && msg.entries.length > 1) || msg.entries.length > kvBatchEntriesMax) batchTooBig++;
        const set = inflightByNode.get(from) ?? new Set();
        set.add(msg.streamId);
        inflightByNode.set(from, set);
        maxInflight = Math.max(maxInflight, set.size);
      }
      return false;
    };
    const origLose = w.lose;
    w.lose = (from, to, msg) => {
      if (msg.type === 'kv-range-ack') inflightByNode.get(to)?.delete(msg.streamId);
      return origLose(from, to, msg);
    };
    w.join('n6');
    w.crash('n2');
    for (let t = 0; t < 20_000 && w.placement().length > 0; t += 5) {
      w.runFor(5);
      for (const h of w.live()) {
        const s = h.rebalancer.stats();
        maxPending = Math.max(maxPending, s.pendingTransfers);
        maxDrops = Math.max(maxDrops, s.dropCandidates);
      }
    }
    assert.deepEqual(w.placement(), [], `seed ${seed}: converged despite tight bounds`);
    assert.ok(maxPending <= 25, `seed ${seed}: pending ${maxPending}`);
    assert.ok(maxDrops <= 10, `seed ${seed}: drop candidates ${maxDrops}`);
    assert.ok(maxInflight <= 2, `seed ${seed}: in flight ${maxInflight}`);
    assert.equal(batchTooBig, 0, `seed ${seed}: batches within bytes and entries`);
    w.runUntilTrue(() => w.idle(), w.now + 10_000);
    assert.ok(w.idle(), `seed ${seed}: every sweep completed, nothing pending`);
    assert.ok(w.live().some((h) => h.rebalancer.stats().sweepsCompleted >= 1), 'the change sweep completed');
    assert.deepEqual(w.violations, [], `seed ${seed}`);
  });
});
