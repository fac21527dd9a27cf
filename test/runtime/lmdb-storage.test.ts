/**
 * The LMDB engine (src/runtime/lmdb-storage.ts): the shared Storage contract, the binary key and
 * record codecs (order and totality), durability across close + reopen, transaction() grouping,
 * read-your-writes and rollback, and a differential property against the memory engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { open } from 'lmdb';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { recordBytes, tombstoneRecord, valueRecord } from '../../src/kv/record.js';
import type { Storage } from '../../src/kv/storage.js';
import { compareBytes } from '../../src/kv/version.js';
import { AssertionError } from '../../src/lib/assert.js';
import { keyPosition } from '../../src/ring/ring.js';
import { decodePurgeKey, decodeRecordKey, encodePurgeKey, encodeRecordKey, keySuccessor } from '../../src/runtime/lmdb-keys.js';
import { LmdbStorage } from '../../src/runtime/lmdb-storage.js';
import { decodeRecord, encodeRecord, RecordCorruptError } from '../../src/runtime/record-codec.js';
import { ringPositionMax } from '../../src/wire/kv-limits.js';
import { fcParams, recordArb } from '../kv/arbitraries.js';
import { naive, scanAll, storageContract, ver } from '../kv/storage-contract.js';
import { plainEntries, plainRecord, runStorageOp, storageOpArb } from './storage-ops.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-lmdb-test-'));
let dirs = 0;
const freshDir = (): string => join(root, `s${dirs++}`);
/** Stores handed out by `make`, oldest first; past the last few they are recycled or closed. */
const recent: LmdbStorage[] = [];
/** Stores with a fresh directory and the default budget: `make` may wipe and hand them out again. */
const recyclable = new WeakSet<LmdbStorage>();
const closing: Array<Promise<void>> = [];
const recentMax = 8;

/**
 * A store: on `path` (default: a fresh directory) with budget `bytesMax`. Creating an environment
 * costs several fsyncs, so a default store is usually an old one emptied through the public API
 * (one removeRange over the whole ring), which keeps the property runs fast.
 */
function make(bytesMax?: number, path?: string): LmdbStorage {
  let store: LmdbStorage;
  const oldest = recent[0];
  if (bytesMax === undefined && path === undefined && recent.length >= recentMax && oldest !== undefined && recyclable.has(oldest)) {
    recent.shift();
    store = oldest;
    store.removeRange({ start: 0, end: 0 }, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(store.stats(), { keys: 0, tombstones: 0, bytes: 0 });
  } else {
    store = LmdbStorage.open({ path: path ?? freshDir(), ...(bytesMax !== undefined && { storageBytesMax: bytesMax }) });
    if (bytesMax === undefined && path === undefined) recyclable.add(store);
  }
  recent.push(store);
  while (recent.length > recentMax) closing.push(recent.shift()!.close());
  return store;
}

after(async () => {
  await Promise.all([...closing, ...recent.map((s) => s.close())]);
  rmSync(root, { recursive: true, force: true });
});

/** Closes `store` and opens the same directory again. */
async function reopen(store: LmdbStorage, path: string, bytesMax?: number): Promise<LmdbStorage> {
  await store.close();
  return make(bytesMax, path);
}

const wholeRing = { start: 0, end: 0 };

const plain = plainRecord;

/** Stats recomputed from a full scan. */
function recount(store: Storage): { keys: number; tombstones: number; bytes: number } {
  const all = scanAll(store, wholeRing, 1000);
  const enc = new TextEncoder();
  return {
    keys: all.length,
    tombstones: all.filter((e) => e.record.value === null).length,
    bytes: all.reduce((n, e) => n + recordBytes(enc.encode(e.key).length, e.record), 0),
  };
}

storageContract('LmdbStorage', (bytesMax) => make(bytesMax), {
  runs: (n) => Math.max(12, Math.round(n / 40)),
  bulk: (store, fn) => (store as LmdbStorage).transaction(fn),
  largeKeys: 20_000,
});

describe('LMDB key and record codecs', () => {
  const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
  const position = fc.integer({ min: 0, max: ringPositionMax });

  it('record keys round-trip any UTF-16 string, and byte order is (position, UTF-16 code-unit) order', () => {
    fc.assert(
      fc.property(position, position, fc.oneof(anyUnits, fc.string({ unit: 'binary', maxLength: 6 })), fc.oneof(anyUnits, fc.string({ unit: 'binary', maxLength: 6 })), (p, q, a, b) => {
        const ka = encodeRecordKey(p, a);
        assert.deepEqual(decodeRecordKey(ka), { position: p, key: a });
        const expected = p !== q ? (p < q ? -1 : 1) : a === b ? 0 : a < b ? -1 : 1;
        assert.equal(compareBytes(ka, encodeRecordKey(q, b)), expected);
        assert.equal(compareBytes(encodeRecordKey(p, a), encodeRecordKey(p, b)), a === b ? 0 : a < b ? -1 : 1);
        assert.equal(compareBytes(ka, keySuccessor(ka)), -1);
      }),
      fcParams(3000),
    );
  });

  it('orders a supplementary character before U+E000..U+FFFF, as UTF-16 does (UTF-8 would not)', () => {
    const emoji = 'x\u{1F642}';
    const pua = 'x\uE000';
    assert.ok(emoji < pua, 'UTF-16 code-unit order');
    assert.equal(compareBytes(new TextEncoder().encode(emoji), new TextEncoder().encode(pua)), 1, 'UTF-8 byte order differs');
    assert.equal(compareBytes(encodeRecordKey(7, emoji), encodeRecordKey(7, pua)), -1);
  });

  it('purge keys round-trip and order by purge time first', () => {
    fc.assert(
      fc.property(position, position, fc.string({ maxLength: 5 }), (t, p, k) => {
        const rk = encodeRecordKey(p, k);
        const d = decodePurgeKey(encodePurgeKey(t, rk));
        assert.equal(d.purgeAfterMs, t);
        assert.deepEqual([...d.recordKey], [...rk]);
      }),
      fcParams(500),
    );
  });

  it('records round-trip, and decoding is total: any bytes decode to a valid record or throw RecordCorruptError', () => {
    fc.assert(
      fc.property(recordArb, fc.integer({ min: 0, max: 2 ** 48 - 1 }), (r, physicalMs) => {
        const rec = { ...r, version: { ...r.version, physicalMs, nodeId: 0xfffffffe } };
        assert.deepEqual(plain(decodeRecord(encodeRecord(rec))), plain(rec));
      }),
      fcParams(1000),
    );
    const totalDecode = (f: (b: Uint8Array) => unknown) => (bytes: Uint8Array) => {
      try {
        f(bytes);
      } catch (e) {
        assert.ok(e instanceof RecordCorruptError, String(e));
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), totalDecode(decodeRecord)), fcParams(3000));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), totalDecode(decodeRecordKey)), fcParams(3000));
    // Near-valid records: a valid header with mutated bytes.
    const base = encodeRecord(tombstoneRecord(ver(5), 10));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 3 }), (i, b, tail) => {
        const bytes = Uint8Array.from([...base, ...tail]);
        bytes[i] = b;
        totalDecode(decodeRecord)(bytes);
      }),
      fcParams(2000),
    );
  });
});

describe('LmdbStorage durability and transactions', () => {
  it('values, tombstones, stats and the tombstone index survive close and reopen', async () => {
    const path = freshDir();
    let store = make(undefined, path);
    store.apply('a', valueRecord(Uint8Array.of(1, 2, 3), ver(10, 2, 7)));
    store.apply('🙂', valueRecord(new Uint8Array(0), ver(11)));
    store.apply('gone', tombstoneRecord(ver(12), 100));
    store.transaction(() => {
      for (let i = 0; i < 50; i++) store.apply(`k${i}`, valueRecord(Uint8Array.of(i), ver(20 + i)));
    });
    const before = { stats: store.stats(), all: plainEntries(scanAll(store, wholeRing, 16)) };
    store = await reopen(store, path);
    assert.deepEqual(store.stats(), before.stats);
    assert.deepEqual(store.stats(), recount(store));
    assert.deepEqual(plainEntries(scanAll(store, wholeRing, 7)), before.all);
    assert.deepEqual(plain(store.get('a')), plain(valueRecord(Uint8Array.of(1, 2, 3), ver(10, 2, 7))));
    assert.equal(store.get('🙂')?.value?.length, 0);
    assert.equal(store.get('gone')?.value, null);
    assert.equal(store.purgeTombstones(111, 10), 0);
    assert.equal(store.purgeTombstones(112, 10), 1);
    store = await reopen(store, path);
    assert.equal(store.get('gone'), undefined);
    assert.deepEqual(store.stats(), { ...before.stats, keys: before.stats.keys - 1, tombstones: 0, bytes: before.stats.bytes - 4 - 32 });
  });

  it('transaction() commits its writes once, and reads inside see them (get, scans, stats)', () => {
    const store = make();
    const commits = store.commits;
    const seen = store.transaction(() => {
      for (let i = 0; i < 100; i++) assert.ok(store.apply(`t${i}`, valueRecord(Uint8Array.of(i), ver(1))).ok);
      assert.equal(store.get('t42')?.value?.[0], 42);
      assert.equal(scanAll(store, wholeRing, 9).length, 100);
      assert.equal(store.removeRange(wholeRing, 10), 10);
      store.apply('dead', tombstoneRecord(ver(1), 0));
      assert.equal(store.purgeTombstones(5, 100), 1);
      return store.stats().keys;
    });
    assert.equal(seen, 90);
    assert.equal(store.commits, commits + 1, 'one commit for the whole batch');
    assert.equal(store.stats().keys, 90);
    store.apply('alone', valueRecord(Uint8Array.of(1), ver(1)));
    assert.equal(store.commits, commits + 2, 'a write outside transaction() commits on its own');
    assert.equal(store.apply('alone', valueRecord(Uint8Array.of(0), ver(1))).ok, true);
    assert.equal(store.commits, commits + 2, 'a write that loses LWW commits nothing');
  });

  it('a throwing fn rolls the whole transaction back (data, stats, tombstone index) and the error propagates', async () => {
    const path = freshDir();
    let store = make(undefined, path);
    store.apply('keep', valueRecord(Uint8Array.of(1), ver(1)));
    store.apply('old', tombstoneRecord(ver(1), 5));
    const stats = store.stats();
    const boom = new Error('boom');
    assert.throws(
      () =>
        store.transaction(() => {
          store.apply('new', tombstoneRecord(ver(2), 5));
          store.apply('keep', valueRecord(Uint8Array.of(9, 9), ver(2)));
          store.apply('old', valueRecord(Uint8Array.of(3), ver(2)));
          assert.equal(store.get('keep')?.value?.length, 2);
          throw boom;
        }),
      (e) => e === boom,
    );
    assert.deepEqual(store.stats(), stats);
    assert.equal(store.get('new'), undefined);
    assert.equal(store.get('keep')?.value?.length, 1);
    assert.equal(store.get('old')?.value, null);
    // The index has exactly 'old' in it: purging finds it and nothing else.
    assert.equal(store.purgeTombstones(100, 10), 1);
    store = await reopen(store, path);
    assert.deepEqual(store.stats(), recount(store));
    assert.deepEqual(scanAll(store, wholeRing, 10).map((e) => e.key), ['keep']);
  });

  it('nested transaction() calls run inside the outer one; an async fn is refused and rolled back', () => {
    const store = make();
    const commits = store.commits;
    store.transaction(() => {
      store.apply('outer', valueRecord(Uint8Array.of(1), ver(1)));
      const inner = store.transaction(() => {
        store.apply('inner', valueRecord(Uint8Array.of(2), ver(1)));
        return 7;
      });
      assert.equal(inner, 7);
      // An error thrown by a nested call and caught inside the outer fn does not undo its writes.
      assert.throws(() =>
        store.transaction(() => {
          store.apply('caught', valueRecord(Uint8Array.of(3), ver(1)));
          throw new Error('inner');
        }),
      );
    });
    assert.equal(store.commits, commits + 1);
    assert.deepEqual(['caught', 'inner', 'outer'].map((k) => store.get(k)?.value?.[0]), [3, 2, 1]);
    assert.throws(
      () =>
        store.transaction(() => {
          store.apply('async', valueRecord(Uint8Array.of(1), ver(1)));
          return Promise.resolve(1);
        }),
      AssertionError,
    );
    assert.equal(store.get('async'), undefined);
    assert.equal(store.stats().keys, 3);
  });

  it('removeRange and purgeTombstones take at most maxCount per call, in order', () => {
    const store = make();
    store.transaction(() => {
      for (let i = 0; i < 30; i++) store.apply(`r${i}`, i % 2 === 0 ? valueRecord(Uint8Array.of(i), ver(1)) : tombstoneRecord(ver(i), 1000));
    });
    const keys = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const range = { start: keyPosition('r7'), end: keyPosition('r3') };
    const expected = naive(keys, range);
    assert.equal(store.removeRange(range, 4), Math.min(4, expected.length));
    assert.deepEqual(
      scanAll(store, range, 5).map((e) => e.key),
      expected.slice(4),
    );
    const left = store.stats().tombstones;
    assert.equal(store.purgeTombstones(1000 + 3, 100), keys.filter((k, i) => i % 2 === 1 && i <= 3 && !expected.slice(0, 4).includes(k)).length);
    const due = store.stats().tombstones;
    assert.ok(due <= left);
    assert.equal(store.purgeTombstones(10 ** 6, 2), Math.min(2, due));
    assert.equal(store.purgeTombstones(Infinity, 1000), Math.max(0, due - 2));
    assert.equal(store.purgeTombstones(-1, 1000), 0);
    assert.equal(store.stats().tombstones, 0);
    assert.deepEqual(store.stats(), recount(store));
  });

  it('the byte budget holds across reopen (the counters are persisted)', async () => {
    const path = freshDir();
    let store = make(120, path);
    assert.ok(store.apply('a', valueRecord(new Uint8Array(50), ver(1))).ok);
    store = await reopen(store, path, 120);
    const res = store.apply('b', valueRecord(new Uint8Array(50), ver(1)));
    assert.ok(!res.ok && res.error.code === 'KV_ERR_STORAGE_FULL');
    assert.equal(store.stats().bytes, 1 + 50 + 32);
  });

  it('corrupt bytes on disk are reported as RecordCorruptError; use after close is an assertion', async () => {
    const path = freshDir();
    const store = LmdbStorage.open({ path });
    store.apply('k', valueRecord(Uint8Array.of(1), ver(1)));
    await store.close();
    assert.throws(() => store.get('k'), AssertionError);
    const env = open({ path, noSubdir: false, overlappingSync: false, maxDbs: 4 });
    const records = env.openDB<Uint8Array, Uint8Array>({ name: 'records', keyEncoding: 'binary', encoding: 'binary' });
    env.transactionSync(() => records.putSync(encodeRecordKey(keyPosition('k'), 'k'), Uint8Array.of(0x42)));
    await env.close();
    const again = make(undefined, path);
    assert.throws(() => again.get('k'), RecordCorruptError);
    assert.throws(() => again.scanRange(wholeRing, null, 10), RecordCorruptError);
  });

  it('opens a path containing a dot as a directory, and refuses a second open of one environment', () => {
    const path = join(root, 'dotted.lmdb');
    const store = make(undefined, path);
    assert.ok(store.apply('k', valueRecord(Uint8Array.of(1), ver(1))).ok);
    assert.throws(() => LmdbStorage.open({ path: join(path, '.') }), /already open/);
  });

  it('returned values are independent copies, large ones included', () => {
    const store = make();
    const big = (b: number) => new Uint8Array(300_000).fill(b);
    store.apply('x', valueRecord(big(1), ver(1)));
    store.apply('y', valueRecord(big(2), ver(1)));
    store.apply('z', valueRecord(Uint8Array.of(3), ver(1)));
    const x = store.get('x')!.value!;
    const scanned = scanAll(store, wholeRing, 1).map((e) => e.record.value!);
    store.get('y');
    store.get('z');
    assert.ok(x.every((b) => b === 1) && x.length === 300_000);
    assert.deepEqual(scanned.map((v) => [v.length, v[0], v[v.length - 1]]).sort(), [[1, 3, 3], [300_000, 1, 1], [300_000, 2, 2]]);
  });
});

describe('LmdbStorage vs MemoryStorage', () => {
  const batches = fc.array(fc.tuple(fc.boolean(), fc.array(storageOpArb, { minLength: 1, maxLength: 10 })), { minLength: 1, maxLength: 9 });

  it('random operation sequences, batched in transactions or not, give identical results and survive reopen', async () => {
    await fc.assert(
      fc.asyncProperty(batches, fc.constantFrom(undefined, 150, 400), async (bs, bytesMax) => {
        const path = freshDir();
        let lmdb = make(bytesMax, path);
        const mem = bytesMax === undefined ? new MemoryStorage() : new MemoryStorage({ bytesMax });
        const run = runStorageOp;
        for (const [inTxn, ops] of bs) {
          const memResults = ops.map((o) => run(mem, o));
          const lmdbStore = lmdb;
          const lmdbResults = inTxn ? lmdb.transaction(() => ops.map((o) => run(lmdbStore, o))) : ops.map((o) => run(lmdbStore, o));
          assert.deepEqual(lmdbResults, memResults);
          assert.deepEqual(lmdb.stats(), mem.stats());
        }
        lmdb = await reopen(lmdb, path, bytesMax);
        assert.deepEqual(lmdb.stats(), mem.stats());
        assert.deepEqual(plainEntries(scanAll(lmdb, wholeRing, 4)), plainEntries(scanAll(mem, wholeRing, 4)));
      }),
      { seed: 20240611, ...fcParams(30) },
    );
  });
});

describe('LmdbStorage sync modes', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const fresh = (sync: 'commit' | 'background'): LmdbStorage => {
    const dir = mkdtempSync(join(tmpdir(), 'ringkv-sync-'));
    dirs.push(dir);
    return LmdbStorage.open({ path: dir, sync });
  };
  const rec = valueRecord(new Uint8Array([1, 2, 3]), ver(1000));

  it("'commit' is durable when transaction() returns: nothing to wait for", async () => {
    const s = fresh('commit');
    s.transaction(() => s.apply('k', rec));
    assert.equal(s.durable(), undefined);
    await s.close();
  });

  it("'background' hands out the flush of a commit that wrote, and nothing for one that only read", async () => {
    const s = fresh('background');
    s.transaction(() => s.get('nothing'));
    assert.equal(s.durable(), undefined, 'a read-only batch has nothing to flush');
    s.transaction(() => s.apply('k', rec));
    const flushed = s.durable();
    assert.ok(flushed !== undefined, 'a batch that wrote waits for its fsync');
    assert.ok(s.get('k') !== undefined, 'the write is visible before the flush');
    await flushed;
    assert.equal(s.durable(), undefined, 'settled flushes are forgotten');
    await s.close();
  });
});
