/**
 * The replica side of client operations: the course's CRUD preconditions checked on local state,
 * last-writer-wins application (Dynamo §4.4 with LWW), tombstones, silent repair-writes, and
 * exactly one kv-served event per client operation (original-framework.md §6 logging rule).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveKvConfig } from '../../src/kv/config.js';
import { kvError } from '../../src/kv/errors.js';
import type { KvEvent } from '../../src/kv/events.js';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { Replica } from '../../src/kv/replica.js';
import { err, ok } from '../../src/lib/result.js';
import type { KvOp, KvRequestMsg, KvVersion } from '../../src/wire/types.js';

const enc = new TextEncoder();
const v = (physicalMs: number): KvVersion => ({ physicalMs, logical: 0, nodeId: 5 });
const config = (() => {
  const c = resolveKvConfig({ tombstoneGraceMs: 1000 });
  assert.ok(c.ok);
  return c.value;
})();

function setup(storage = new MemoryStorage(), driftAbove = Infinity) {
  const events: KvEvent[] = [];
  const replica = new Replica({
    storage,
    config,
    observe: (version) => (version.physicalMs > driftAbove ? err(kvError('KV_ERR_CLOCK_DRIFT', 'ahead')) : ok(null)),
    emit: (e) => events.push(e),
  });
  let reqId = 1;
  const req = (op: KvOp, key: string, value: string | null, version: KvVersion | null): KvRequestMsg => ({
    type: 'kv-req',
    reqId: reqId++,
    op,
    key,
    value: value === null ? null : enc.encode(value),
    version,
  });
  return { replica, storage, events, req };
}

describe('Replica', () => {
  it('create stores, then refuses with exists; update/delete need a live record', () => {
    const { replica, storage, events, req } = setup();
    assert.equal(replica.serve('c', req('update', 'k', 'u', v(1)), 1).status, 'not-found');
    assert.equal(replica.serve('c', req('delete', 'k', null, v(1)), 1).status, 'not-found');
    assert.equal(replica.serve('c', req('create', 'k', 'a', v(2)), 2).status, 'ok');
    const again = replica.serve('c', req('create', 'k', 'b', v(3)), 3);
    assert.equal(again.status, 'exists');
    assert.deepEqual(again.version, v(2));
    assert.equal(replica.serve('c', req('update', 'k', 'u', v(4)), 4).status, 'ok');
    assert.equal(new TextDecoder().decode(storage.get('k')!.value!), 'u');
    assert.equal(replica.serve('c', req('delete', 'k', null, v(5)), 5).status, 'ok');
    assert.equal(storage.get('k')!.value, null, 'a delete leaves a tombstone');
    assert.equal(storage.get('k')!.purgeAfterMs, 5 + 1000, 'purgeable tombstoneGraceMs after its version');
    // After a delete, create works again and update does not.
    assert.equal(replica.serve('c', req('update', 'k', 'u', v(6)), 6).status, 'not-found');
    assert.equal(replica.serve('c', req('create', 'k', 'again', v(7)), 7).status, 'ok');
    assert.deepEqual(
      events.map((e) => e.type === 'kv-served' && `${e.op}:${e.success}`),
      ['update:false', 'delete:false', 'create:true', 'create:false', 'update:true', 'delete:true', 'update:false', 'create:true'],
    );
  });

  it('read returns value and version, or not-found with the tombstone version', () => {
    const { replica, events, req } = setup();
    const missing = replica.serve('c', req('read', 'k', null, null), 1);
    assert.equal(missing.status, 'not-found');
    assert.equal(missing.version, null);
    replica.serve('c', req('put', 'k', 'x', v(2)), 2);
    const found = replica.serve('c', req('read', 'k', null, null), 3);
    assert.equal(found.status, 'ok');
    assert.deepEqual(found.version, v(2));
    replica.serve('c', req('delete', 'k', null, v(4)), 4);
    const gone = replica.serve('c', req('read', 'k', null, null), 5);
    assert.equal(gone.status, 'not-found');
    assert.deepEqual(gone.version, v(4), 'so read repair can spread the delete');
    const reads = events.filter((e): e is Extract<KvEvent, { type: 'kv-served' }> => e.type === 'kv-served' && e.op === 'read');
    assert.deepEqual(reads.map((e) => [e.success, e.value === null ? null : new TextDecoder().decode(e.value)]), [[false, null], [true, 'x'], [false, null]]);
  });

  it('a write losing LWW answers stale with the newer version; repair-write applies silently', () => {
    const { replica, storage, events, req } = setup();
    replica.serve('c', req('put', 'k', 'new', v(10)), 10);
    const stale = replica.serve('c', req('put', 'k', 'old', v(5)), 11);
    assert.equal(stale.status, 'stale');
    assert.deepEqual(stale.version, v(10));
    const before = events.length;
    assert.equal(replica.serve('c', req('repair-write', 'k', null, v(12)), 12).status, 'ok');
    assert.equal(replica.serve('c', req('repair-write', 'k', 'older', v(11)), 13).status, 'stale');
    assert.equal(storage.get('k')!.value, null, 'the repaired tombstone stays');
    assert.equal(events.length, before, 'no kv-served for repair-write');
    assert.equal(replica.stats.repairWrites, 2);
  });

  it('bad requests, clock drift and storage errors become statuses (and failed kv-served), never throws', () => {
    const { replica, events, req } = setup(new MemoryStorage({ bytesMax: 100 }), 1000);
    assert.equal(replica.serve('c', req('put', 'k', null, v(1)), 1).status, 'bad-request');
    assert.equal(replica.serve('c', req('put', 'k', 'x', null), 1).status, 'bad-request');
    assert.equal(replica.serve('c', req('put', 'k\ud800', 'x', v(1)), 1).status, 'key-invalid');
    assert.equal(replica.serve('c', req('put', 'k', 'x', v(5000)), 1).status, 'clock-drift');
    assert.equal(replica.serve('c', req('put', 'k', 'x'.repeat(200), v(2)), 2).status, 'storage-full');
    assert.equal(replica.serve('c', req('put', 'k', 'x', v(5000)), 1, true).status, 'ok', 'a local request is not drift-checked');
    assert.equal(events.length, 6);
    assert.deepEqual(events.map((e) => e.type === 'kv-served' && e.success), [false, false, false, false, false, true]);
    assert.equal(replica.stats.servedFailed, 5);
  });
});
