/**
 * Crash recovery of the LMDB engine's 'wal' sync mode (src/runtime/lmdb-storage.ts,
 * write-ahead-log.ts): a child process writes through the store and prints each write once
 * `durable()` has settled (what the runtime waits for before acknowledging); the test kills it with
 * SIGKILL at a random moment, reopens the store, and checks that every acknowledged write is there
 * and that the stored counters match the records (so the replay ended in one consistent state).
 * With checkpoints every turn the kill often lands inside one; with checkpoints never, everything
 * comes back from the log; a small segment size makes the log rotate and release segments; with
 * zero-filled segments the kill also lands while a spare is prepared or moved into place.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { recordBytes } from '../../src/kv/record.js';
import { LmdbStorage } from '../../src/runtime/lmdb-storage.js';
import { walPreallocateAfterBytesDefault, walSegments } from '../../src/runtime/write-ahead-log.js';
import { Rng } from '../../src/lib/rng.js';
import { scanAll } from '../kv/storage-contract.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-wal-crash-test-'));
let dirs = 0;
const freshDir = (): string => join(root, `c${dirs++}`);
after(() => rmSync(root, { recursive: true, force: true }));

const keyCount = 37;
/** Bounds the wait for the child's acknowledgements (it writes hundreds per second). */
const childAckWaitMsMax = 60_000;

/** The child: writes i = 1, 2, ... (key `k<i mod keyCount>`, every 7th a tombstone), in bursts of batches. */
const childSource = (storageUrl: string, recordUrl: string): string => `
import { LmdbStorage } from ${JSON.stringify(storageUrl)};
import { tombstoneRecord, valueRecord } from ${JSON.stringify(recordUrl)};
const [path, interval, segmentBytes, preallocateAfter, startAt] = process.argv.slice(-5);
const s = LmdbStorage.open({ path, sync: 'wal', checkpointIntervalMs: Number(interval), walSegmentBytesMax: Number(segmentBytes), walPreallocateAfterBytes: Number(preallocateAfter) });
const ver = (i) => ({ physicalMs: i, logical: 0, nodeId: 1 });
let i = Number(startAt);
for (;;) {
  const first = i;
  for (let batch = 0; batch < 1 + (i % 4); batch++) {
    s.transaction(() => {
      for (let w = 0; w < 1 + (i % 3); w++, i++) {
        const key = 'k' + (i % ${keyCount});
        s.apply(key, i % 7 === 0 ? tombstoneRecord(ver(i), 1e9) : valueRecord(Uint8Array.of(i & 255, (i >> 8) & 255, 7), ver(i)));
      }
    });
  }
  await s.durable();
  process.stdout.write(first + ' ' + (i - 1) + '\\n');
}
`;

/** Runs the child until it has acknowledged at least `acks` writes, kills it; returns the highest acknowledged i. */
async function writeAndKill(path: string, interval: number, segmentBytes: number, preallocateAfterBytes: number, startAt: number, acks: number): Promise<number> {
  const storageUrl = new URL('../../src/runtime/lmdb-storage.js', import.meta.url).href;
  const recordUrl = new URL('../../src/kv/record.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', childSource(storageUrl, recordUrl), '--', path, String(interval), String(segmentBytes), String(preallocateAfterBytes), String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let highest = startAt - 1;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child acknowledged only up to ${highest} in ${childAckWaitMsMax} ms; stderr: ${stderr}`)), childAckWaitMsMax);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before being killed; stderr: ${stderr}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const last = Number(line.split(' ')[1]);
        assert.ok(last > highest, 'acknowledgements come in order');
        highest = last;
      }
      if (highest - startAt + 1 >= acks) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        child.on('exit', () => resolve());
      }
    });
  });
  return highest;
}

/** The newest acknowledged write of key k: the largest acknowledged i with i mod keyCount = k, or 0. */
function newestAcked(acked: ReadonlyArray<{ from: number; to: number }>, k: number): number {
  let newest = 0;
  for (const { from, to } of acked) {
    const i = to - ((((to - k) % keyCount) + keyCount) % keyCount);
    if (i >= from) newest = Math.max(newest, i);
  }
  return newest;
}

/** Checks every acknowledged write survived and the counters match the records. */
function checkRecovered(store: LmdbStorage, acked: ReadonlyArray<{ from: number; to: number }>): void {
  for (let k = 0; k < keyCount; k++) {
    const newest = newestAcked(acked, k);
    if (newest === 0) continue;
    const record = store.get(`k${k}`);
    assert.ok(record !== undefined, `k${k}: acknowledged write ${newest} lost`);
    const i = record.version.physicalMs;
    assert.ok(i >= newest, `k${k}: holds ${i}, acknowledged ${newest}`);
    // The record is the write numbered by its version (a later, unacknowledged one may have survived).
    if (i % 7 === 0) assert.equal(record.value, null, `k${k}: write ${i} was a tombstone`);
    else assert.deepEqual([...record.value!], [i & 255, (i >> 8) & 255, 7], `k${k}: value matches its version`);
  }
  const entries = scanAll(store, { start: 0, end: 0 }, 1000);
  let bytes = 0;
  let tombstones = 0;
  for (const e of entries) {
    bytes += recordBytes(Buffer.byteLength(e.key), e.record);
    if (e.record.value === null) tombstones++;
  }
  assert.deepEqual(store.stats(), { keys: entries.length, tombstones, bytes }, 'stored counters match the records after replay');
}

describe("LmdbStorage 'wal' crash recovery", () => {
  const cases = [
    { name: 'checkpoints all the time (the kill lands in or between them)', interval: 0, segmentBytes: 4096, preallocateAfterBytes: walPreallocateAfterBytesDefault },
    { name: 'no checkpoint before the kill (everything comes back from the log)', interval: 3_600_000, segmentBytes: 16 * 1024 * 1024, preallocateAfterBytes: walPreallocateAfterBytesDefault },
    { name: 'zero-filled segments from the first write (small ones: spares made and moved in all the time)', interval: 20, segmentBytes: 2048, preallocateAfterBytes: 0 },
  ];
  for (const c of cases) {
    it(`every acknowledged write survives SIGKILL: ${c.name}`, async () => {
      const seed = 20261124 + c.interval;
      const rng = new Rng(seed);
      const path = freshDir();
      let startAt = 1;
      const acked: Array<{ from: number; to: number }> = [];
      try {
        for (let round = 0; round < 3; round++) {
          const acks = rng.intBetween(50, 450);
          const highest = await writeAndKill(path, c.interval, c.segmentBytes, c.preallocateAfterBytes, startAt, acks);
          acked.push({ from: startAt, to: highest });
          const store = LmdbStorage.open({ path, sync: 'wal', checkpointIntervalMs: c.interval, walSegmentBytesMax: c.segmentBytes, walPreallocateAfterBytes: c.preallocateAfterBytes });
          try {
            checkRecovered(store, acked);
          } finally {
            await store.close();
          }
          assert.deepEqual(walSegments(join(path, 'wal')), [], 'a clean close leaves no log behind');
          assert.deepEqual(readdirSync(join(path, 'wal')), [], 'nor a spare segment');
          // The next round writes newer versions than anything the killed child may have left.
          startAt = highest + 1000;
        }
      } catch (e) {
        console.error(`wal crash test failed; seed ${seed}`);
        throw e;
      }
    });
  }
});
