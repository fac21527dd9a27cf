/**
 * Disk faults in the LMDB engine's 'background' and 'wal' modes (src/runtime/lmdb-storage.ts): a
 * flush or log sync that never finishes, a checkpoint whose commit fails, and a checkpoint whose
 * flush never finishes must each reach the failure listener (the runtime then stops the node)
 * instead of hanging, and a failed checkpoint must never release the log: reopening replays it.
 * lmdb-js has no hook to make its disk fail, so the faults are injected where the store meets
 * lmdb-js and the log (the store's private `env`, `records` and `wal`); every wait is bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { valueRecord } from '../../src/kv/record.js';
import { LmdbStorage } from '../../src/runtime/lmdb-storage.js';
import type { LmdbSyncMode } from '../../src/runtime/lmdb-storage.js';
import { walSegments } from '../../src/runtime/write-ahead-log.js';
import { ver } from '../kv/storage-contract.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-lmdb-faults-test-'));
let dirs = 0;
const freshDir = (): string => join(root, `f${dirs++}`);
after(() => rmSync(root, { recursive: true, force: true }));

/** For the stuck-flush tests: short, so the stuck flush is reported quickly. */
const stuckTimeoutMs = 300;
/** For tests whose fault is something else: no real flush, however slow, may trip the watchdog first. */
const generousTimeoutMs = 60_000;
/** Bounds every wait for the failure listener. */
const failureWaitMsMax = 20_000;

const value = (i: number) => valueRecord(Uint8Array.of(i & 255, 1, 2), ver(i));
/** A thenable that never settles: what lmdb-js's `flushed` is after a failed flush, or a hung fdatasync. */
const never = { then(): void {} };

interface AsyncWrites {
  put: (...args: unknown[]) => unknown;
  remove: (...args: unknown[]) => unknown;
}
interface Faulty {
  env: { flushed: unknown; close: () => Promise<void> };
  records: AsyncWrites;
  purge: AsyncWrites;
  meta: AsyncWrites;
  wal: { sync: () => Promise<void> } | undefined;
}
const internals = (store: LmdbStorage): Faulty => store as unknown as Faulty;

function open(path: string, sync: LmdbSyncMode, flushTimeoutMs: number, checkpointIntervalMs = 0): LmdbStorage {
  return LmdbStorage.open({ path, sync, flushTimeoutMs, checkpointIntervalMs });
}

/** The next error the store reports to its failure listener, or a rejection after `failureWaitMsMax`. */
function nextFailure(store: LmdbStorage): Promise<Error> {
  return new Promise<Error>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no failure reported within ${failureWaitMsMax} ms`)), failureWaitMsMax);
    store.onFailure((error) => {
      clearTimeout(timer);
      resolve(error as Error);
    });
  });
}

/**
 * Makes every asynchronous put/remove of the store's three dbs return a failed commit. Like
 * lmdb-js, all of them return the same promise (the store awaits only a batch's last one).
 */
function failCommits(store: LmdbStorage): void {
  const rejected = Promise.reject(new Error('EIO (injected)'));
  rejected.catch(() => undefined);
  const s = internals(store);
  for (const db of [s.records, s.purge, s.meta]) db.put = db.remove = () => rejected;
}

/** The store's value of `key` as its first byte, or undefined. */
function firstByte(store: LmdbStorage, key: string): number | undefined {
  const r = store.get(key);
  return r === undefined || r.value === null ? undefined : r.value[0];
}

describe('LmdbStorage disk faults', () => {
  it("'background': a flush that never finishes is reported after flushTimeoutMs", async () => {
    const store = open(freshDir(), 'background', stuckTimeoutMs);
    internals(store).env.flushed = never;
    const failure = nextFailure(store);
    store.apply('k', value(1));
    assert.notEqual(store.durable(), undefined, 'the write waits for its flush');
    assert.match((await failure).message, /LMDB flush did not finish within 300 ms/);
    assert.equal(firstByte(store, 'k'), 1, 'the write is still readable');
    await store.close();
  });

  it("'background': a failing commit is reported and rejects durable()", async () => {
    const store = open(freshDir(), 'background', generousTimeoutMs);
    failCommits(store);
    const failure = nextFailure(store);
    store.apply('k', value(1));
    await assert.rejects(store.durable()!, /EIO \(injected\)/);
    assert.match((await failure).message, /EIO \(injected\)/);
    await store.close().catch(() => undefined);
  });

  it("'wal': a log sync that never finishes is reported after flushTimeoutMs", async () => {
    const store = open(freshDir(), 'wal', stuckTimeoutMs);
    internals(store).wal!.sync = () => new Promise<void>(() => {});
    const failure = nextFailure(store);
    store.apply('k', value(1));
    assert.match((await failure).message, /write-ahead log sync did not finish within 300 ms/);
    // close() does not hang on the stuck sync either: it gives up after flushTimeoutMs.
    await assert.rejects(store.close(), /closing the write-ahead log did not finish within 300 ms/);
  });

  it("'wal': a failing checkpoint commit is reported, keeps the log, and reopening replays it", async () => {
    const path = freshDir();
    const store = open(path, 'wal', generousTimeoutMs);
    const failure = nextFailure(store);
    failCommits(store);
    for (let i = 1; i <= 20; i++) store.apply(`k${i}`, value(i));
    await store.durable(); // acknowledged: on disk in the log
    assert.match((await failure).message, /EIO \(injected\)/);
    await store.close();
    assert.ok(walSegments(join(path, 'wal')).length > 0, 'the log is kept after a failed checkpoint');
    const reopened = open(path, 'wal', generousTimeoutMs);
    try {
      for (let i = 1; i <= 20; i++) assert.equal(firstByte(reopened, `k${i}`), i, `k${i} replayed from the log`);
      assert.equal(reopened.stats().keys, 20);
    } finally {
      await reopened.close();
    }
  });

  it("'wal': a checkpoint flush that never finishes is reported and keeps the log", async () => {
    const path = freshDir();
    // 1 s: long enough for the checkpoint's real commit on a slow machine, which must finish first.
    const store = open(path, 'wal', 1_000, 1_000_000); // checkpoints only when asked
    for (let i = 1; i <= 20; i++) store.apply(`k${i}`, value(i));
    await store.durable();
    internals(store).env.flushed = never;
    const failure = nextFailure(store);
    const flushed = store.flush();
    assert.match((await failure).message, /checkpoint flush did not finish within 1000 ms/);
    await assert.rejects(flushed, /checkpoint flush did not finish/);
    await store.close();
    assert.ok(walSegments(join(path, 'wal')).length > 0, 'the log is kept after a failed checkpoint');
    // (The commit itself did reach LMDB here, so this checks that reopening works, not the replay.)
    const reopened = open(path, 'wal', generousTimeoutMs);
    try {
      for (let i = 1; i <= 20; i++) assert.equal(firstByte(reopened, `k${i}`), i);
    } finally {
      await reopened.close();
    }
  });

  it("'background': close() does not hang on an LMDB close that never finishes, and keeps the path refused", async () => {
    const path = freshDir();
    const store = open(path, 'background', stuckTimeoutMs);
    store.apply('k', value(1));
    await store.durable();
    const realClose = internals(store).env.close.bind(internals(store).env);
    internals(store).env.close = () => new Promise<void>(() => {});
    await assert.rejects(store.close(), /closing LMDB did not finish within 300 ms/);
    // The environment may still be open: a second store on the same files must be refused.
    assert.throws(() => open(path, 'background', generousTimeoutMs), /already open in this process/);
    await realClose();
  });

  for (const mode of ['background', 'wal'] as const) {
    it(`'${mode}': healthy flushes never trip the watchdog`, async () => {
      const store = LmdbStorage.open({ path: freshDir(), sync: mode, flushTimeoutMs: 1_000, checkpointIntervalMs: 0 });
      const failures: unknown[] = [];
      store.onFailure((error) => failures.push(error));
      // Writes waiting all the time for 2 s: about 8 watchdog checks (every 250 ms).
      const until = performance.now() + 2_000;
      for (let round = 0; performance.now() < until; round++) {
        store.transaction(() => {
          for (let i = 0; i < 5; i++) store.apply(`k${(round * 5 + i) % 97}`, value(round));
        });
        await store.durable();
      }
      await store.flush();
      assert.deepEqual(failures, []);
      await store.close();
    });
  }
});
