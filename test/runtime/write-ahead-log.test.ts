/**
 * The write-ahead log of the 'wal' sync mode (src/runtime/write-ahead-log.ts) and its operation
 * codec (wal-ops.ts): frames come back in order, a torn tail of the newest segment is dropped
 * (never acknowledged), damage anywhere else is corruption, and segments are released only once
 * every frame in them is covered.
 */
import assert from 'node:assert/strict';
import { appendFileSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { RecordCorruptError } from '../../src/runtime/record-codec.js';
import { decodeWalOps, encodeWalOps, WalFrameBuilder, walDbMeta, walDbPurge, walDbRecords, walOpKeyAt, walOpValueAt } from '../../src/runtime/wal-ops.js';
import type { WalOp } from '../../src/runtime/wal-ops.js';
import { cutTornTail, readWal, segmentOpenFlags, walFrameHeaderBytes, walSegments, walSpareName, WriteAheadLog } from '../../src/runtime/write-ahead-log.js';
import { fcParams } from '../kv/arbitraries.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-wal-test-'));
let dirs = 0;
const freshDir = (): string => join(root, `w${dirs++}`);
after(() => rmSync(root, { recursive: true, force: true }));

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const plainPayloads = (payloads: Uint8Array[]): number[][] => payloads.map((p) => [...p]);
const segmentFile = (dir: string, id: number): string => join(dir, `${String(id).padStart(16, '0')}.log`);
const fileBytes = (path: string): number => statSync(path).size;
/** The kernel's own view of a descriptor's flags (Linux: /proc/self/fdinfo, in octal). */
const openFlags = (fd: number): number => Number.parseInt(/flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);

describe('write-ahead log operations codec', () => {
  const opArb: fc.Arbitrary<WalOp> = fc.record({
    db: fc.constantFrom(walDbRecords, walDbPurge, walDbMeta),
    key: fc.uint8Array({ maxLength: 40 }),
    value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
  });

  it('decodes what it encodes, removals included', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), (ops) => {
        const decoded = decodeWalOps(encodeWalOps(ops));
        assert.deepEqual(
          decoded.map((o) => ({ db: o.db, key: [...o.key], value: o.value === null ? null : [...o.value] })),
          ops.map((o) => ({ db: o.db, key: [...o.key], value: o.value === null ? null : [...o.value] })),
        );
      }),
      { seed: 7, ...fcParams(200) },
    );
  });

  it('a frame builder gives each operation an offset that reads it back, in views that stay valid as it grows', () => {
    const plain = (b: Uint8Array | null): number[] | null => (b === null ? null : [...b]);
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { maxLength: 30 }), { minLength: 1, maxLength: 4 }), (groups) => {
        const builder = new WalFrameBuilder();
        const taken: Array<{ payload: Uint8Array; copy: number[]; ops: WalOp[]; offsets: number[] }> = [];
        for (const ops of groups) {
          const offsets: number[] = [];
          const views: Uint8Array[] = [];
          for (const op of ops) {
            offsets.push(builder.add(op.db, op.key, op.value));
            // A view taken now must still read this operation after later adds (and growth).
            views.push(builder.current());
          }
          assert.equal(builder.ops, ops.length);
          ops.forEach((op, i) => {
            assert.deepEqual(plain(walOpKeyAt(views[i]!, offsets[i]!)), plain(op.key));
            assert.deepEqual(plain(walOpValueAt(views[i]!, offsets[i]!)), plain(op.value));
          });
          const payload = builder.take();
          assert.equal(builder.ops, 0);
          assert.deepEqual([...payload], [...encodeWalOps(ops)]);
          taken.push({ payload, copy: [...payload], ops, offsets });
        }
        // Taking a frame starts a new one: earlier payloads are never written again.
        for (const t of taken) {
          assert.deepEqual([...t.payload], t.copy);
          t.ops.forEach((op, i) => assert.deepEqual(plain(walOpValueAt(t.payload, t.offsets[i]!)), plain(op.value)));
        }
      }),
      { seed: 11, ...fcParams(200) },
    );
  });

  it('encodes a slice of the operations', () => {
    const ops: WalOp[] = [0, 1, 2, 3].map((i) => ({ db: walDbRecords, key: bytes(i), value: bytes(i, i) }));
    assert.deepEqual(decodeWalOps(encodeWalOps(ops, 1, 3)).map((o) => o.key[0]), [1, 2]);
  });

  it('a payload that does not parse is corruption, not a crash', () => {
    const good = encodeWalOps([{ db: walDbMeta, key: bytes(1, 2), value: bytes(3) }]);
    assert.throws(() => decodeWalOps(good.subarray(0, good.length - 1)), RecordCorruptError);
    assert.throws(() => decodeWalOps(bytes(9, 0, 0, 0, 0, 0, 0)), RecordCorruptError, 'unknown db');
    assert.throws(() => decodeWalOps(bytes(0, 5)), RecordCorruptError, 'cut inside the header');
  });
});

describe('WriteAheadLog', () => {
  it('sync() resolves once the frames are on disk; readWal returns them in order', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0);
    log.append(bytes(1), 1);
    log.append(bytes(2, 2), 1);
    const first = log.sync();
    log.append(bytes(3, 3, 3), 2); // appended while the first sync may still run
    await Promise.all([first, log.sync()]);
    const read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1], [2, 2], [3, 3, 3]]);
    assert.equal(read.tornTail, false);
    assert.deepEqual(read.segments, [0]);
    await log.close(false);
    assert.deepEqual(walSegments(dir), [0], 'close(false) keeps the log for replay');
  });

  it('segments are written with O_DSYNC on Linux, the next segment after a rotation too', async () => {
    // A write on an O_DSYNC descriptor returns once its bytes are on disk; without the flag the
    // log's acknowledgements would precede durability (no fdatasync follows such a write). Other
    // platforms keep write + fdatasync, and their segments must not carry the flag.
    const dsync = constants.O_DSYNC ?? 0;
    assert.equal((segmentOpenFlags() & dsync) !== 0, process.platform === 'linux');
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax: 16 });
    if (process.platform === 'linux') assert.equal(openFlags(log['fd']) & constants.O_DSYNC, constants.O_DSYNC);
    log.append(new Uint8Array(20).fill(1), 1);
    await log.sync();
    assert.equal(log.segmentCount, 2, 'a full segment rotated');
    if (process.platform === 'linux') assert.equal(openFlags(log['fd']) & constants.O_DSYNC, constants.O_DSYNC);
    await log.close(false);
  });

  it('zero-filled segments: a spare is prepared once the open segment took enough, the log moves into it early, and frames overwrite its zeros', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax: 4096, preallocate: true, preallocateAfterBytes: 10 });
    log.append(new Uint8Array(8).fill(1), 1);
    await log.sync(); // 16 bytes: past preallocateAfterBytes, so the spare is being prepared
    assert.equal(log.openSegmentPreallocated, false);
    await log.spareSettled();
    assert.equal(fileBytes(join(dir, walSpareName)), 4096, 'the spare holds a whole segment of zeros');
    assert.ok(readFileSync(join(dir, walSpareName)).every((b) => b === 0));
    log.append(bytes(2), 2);
    await log.sync(); // written to segment 0; then the ready spare becomes segment 1
    assert.deepEqual(walSegments(dir), [0, 1]);
    assert.equal(log.openSegmentPreallocated, true);
    assert.equal(fileBytes(segmentFile(dir, 0)), 16 + 9, 'a growing segment closes as it is');
    assert.equal(fileBytes(segmentFile(dir, 1)), 4096);
    if (process.platform === 'linux') assert.equal(openFlags(log['fd']) & constants.O_DSYNC, constants.O_DSYNC, 'a spare moved into place is written with O_DSYNC too');
    log.append(bytes(3, 3), 3);
    await log.sync(); // over the zeros at the start of segment 1
    let read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1, 1, 1, 1, 1, 1, 1, 1], [2], [3, 3]]);
    assert.equal(read.tornTail, true, 'the zeros after the newest frame are cut at recovery, like a torn tail');
    assert.equal(read.newestValidBytes, walFrameHeaderBytes + 2);
    // Moving into segment 1 started the next spare at once; filling segment 1 moves into that.
    await log.spareSettled();
    log.append(new Uint8Array(4096).fill(4), 4);
    await log.sync();
    assert.deepEqual(walSegments(dir), [0, 1, 2]);
    assert.equal(fileBytes(segmentFile(dir, 1)), walFrameHeaderBytes + 2 + walFrameHeaderBytes + 4096, 'a full preallocated segment holds only its frames');
    assert.equal(log.openSegmentPreallocated, true);
    read = readWal(dir); // no damage reported in a closed segment
    assert.deepEqual(read.payloads.map((p) => p[0]), [1, 2, 3, 4]);
    await log.close(false);
    assert.ok(!existsSync(join(dir, walSpareName)), 'close removes the spare');
    // Recovery: the zeros of the newest segment go, and a new log continues after it.
    read = readWal(dir);
    cutTornTail(dir, read);
    assert.equal(fileBytes(segmentFile(dir, 2)), 0);
    const next = new WriteAheadLog(dir, 3, read.segments, { segmentBytesMax: 4096, preallocate: true, preallocateAfterBytes: 10 });
    next.append(bytes(5), 5);
    await next.sync();
    await next.close(true);
    assert.deepEqual(readdirSync(dir), [], 'close(true) leaves nothing, spare included');
  });

  it('a spare of several chunks is whole and all zeros; a close while one is prepared waits for it and leaves no file', async () => {
    const dir = freshDir();
    const segmentBytesMax = 2.5 * 1024 * 1024; // three chunks of walPreallocateChunkBytes
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax, preallocate: true, preallocateAfterBytes: 0 });
    log.append(bytes(1), 1);
    await log.sync();
    await log.spareSettled();
    const spare = readFileSync(join(dir, walSpareName));
    assert.equal(spare.length, segmentBytesMax);
    assert.ok(spare.every((b) => b === 0));
    log.append(bytes(2), 2);
    await log.sync(); // moves into the spare; the next one is being prepared now
    assert.equal(log.openSegmentPreallocated, true);
    const closes = [log.close(true), log.close(true)];
    await Promise.all(closes);
    assert.equal(closes[0], closes[1], 'a second close waits for the first');
    assert.deepEqual(readdirSync(dir), []);
  });

  it('no spare is made when the file system would keep less than the reserve free', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax: 64, preallocate: true, preallocateAfterBytes: 0, spareFreeBytesReserve: Number.MAX_SAFE_INTEGER });
    log.append(bytes(1), 1);
    await log.sync();
    await log.spareSettled();
    assert.equal(log.spareFailures, 1);
    assert.ok(!existsSync(join(dir, walSpareName)));
    log.append(new Uint8Array(64).fill(2), 2);
    await log.sync();
    assert.equal(log.openSegmentPreallocated, false, 'growing segments go on');
    assert.deepEqual(readWal(dir).payloads.map((p) => p[0]), [1, 2]);
    await log.close(true);
  });

  it('a spare left by a crash is removed when a log opens', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, walSpareName), new Uint8Array(100).fill(9));
    const log = new WriteAheadLog(dir, 0, [], { preallocate: true });
    assert.ok(!existsSync(join(dir, walSpareName)));
    await log.close(true);
  });

  it('a spare that cannot be made leaves growing segments, and is tried again after the next rotation', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax: 32, preallocate: true, preallocateAfterBytes: 0 });
    mkdirSync(join(dir, walSpareName)); // opening the spare for writing fails (EISDIR)
    log.append(bytes(1), 1);
    await log.sync();
    await log.spareSettled();
    assert.equal(log.spareFailures, 1);
    log.append(bytes(2), 2);
    await log.sync();
    await log.spareSettled();
    assert.equal(log.spareFailures, 1, 'not tried again within the same segment');
    log.append(new Uint8Array(32).fill(3), 3);
    await log.sync(); // segment 0 is full: a new growing segment, and the spare is tried again
    await log.spareSettled();
    assert.equal(log.spareFailures, 2);
    assert.equal(log.openSegmentPreallocated, false);
    rmSync(join(dir, walSpareName), { recursive: true });
    log.append(new Uint8Array(32).fill(4), 4);
    await log.sync(); // segment 1 is full: segment 2 grows, and its spare can be made now
    await log.spareSettled();
    log.append(bytes(5), 5);
    await log.sync();
    assert.equal(log.openSegmentPreallocated, true);
    assert.deepEqual(readWal(dir).payloads.map((p) => p[0]), [1, 2, 3, 4, 5]);
    await log.close(true);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a sync with nothing new appended resolves too', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0);
    await log.sync();
    log.append(bytes(1), 1);
    await log.sync();
    await log.sync();
    assert.equal(readWal(dir).payloads.length, 1);
    await log.close(true);
    assert.deepEqual(walSegments(dir), [], 'close(true) removes every segment');
  });

  it('drops a torn or damaged tail of the newest segment, and only that', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 3);
    for (let i = 1; i <= 3; i++) log.append(bytes(i, i, i, i), i);
    await log.sync();
    await log.close(false);
    const file = segmentFile(dir, 3);
    const frameBytes = walFrameHeaderBytes + 4;
    truncateSync(file, 3 * frameBytes - 2); // the third frame is cut short
    let read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1, 1, 1, 1], [2, 2, 2, 2]]);
    assert.equal(read.tornTail, true);
    const damaged = readFileSync(file);
    const at = frameBytes + walFrameHeaderBytes;
    damaged[at] = damaged[at]! ^ 0xff; // the second frame fails its CRC
    writeFileSync(file, damaged);
    read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1, 1, 1, 1]]);
    truncateSync(file, frameBytes + 3); // a header cut short
    read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1, 1, 1, 1]]);
    // After recovery the torn tail is cut off, so newer segments can follow it.
    cutTornTail(dir, read);
    const next = new WriteAheadLog(dir, 4, read.segments);
    next.append(bytes(5), 1);
    await next.sync();
    await next.close(false);
    read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1, 1, 1, 1], [5]]);
    assert.equal(read.tornTail, false);
  });

  it('zeroed bytes after the last frame (a size extended, data never written) are not frames', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0);
    log.append(bytes(1, 2), 1);
    await log.sync();
    await log.close(false);
    appendFileSync(segmentFile(dir, 0), new Uint8Array(64));
    const read = readWal(dir);
    assert.deepEqual(plainPayloads(read.payloads), [[1, 2]]);
    assert.equal(read.tornTail, true);
    assert.equal(read.newestValidBytes, walFrameHeaderBytes + 2);
  });

  it('damage in an older segment is corruption', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax: 1 }); // every sync fills a segment: the next starts
    log.append(bytes(1, 1), 1);
    await log.sync();
    log.append(bytes(2, 2), 2);
    await log.sync();
    await log.close(false);
    assert.deepEqual(walSegments(dir), [0, 1, 2], 'the newest segment is open and empty');
    assert.equal(readWal(dir).payloads.length, 2);
    appendFileSync(segmentFile(dir, 0), bytes(7));
    assert.throws(() => readWal(dir), RecordCorruptError);
  });

  it('starts a new segment once one is full, and release(tag) deletes only fully covered closed segments', async () => {
    const dir = freshDir();
    const log = new WriteAheadLog(dir, 0, [], { segmentBytesMax: 20 });
    for (let tag = 1; tag <= 6; tag++) {
      log.append(new Uint8Array(8).fill(tag), tag); // 16 bytes per frame: a segment fills every 2 syncs
      await log.sync();
    }
    assert.deepEqual(walSegments(dir), [0, 1, 2, 3]);
    assert.deepEqual(readWal(dir).payloads.map((p) => p[0]), [1, 2, 3, 4, 5, 6]);
    log.release(3); // segment 0 holds tags 1-2, segment 1 holds 3-4
    assert.deepEqual(walSegments(dir), [1, 2, 3]);
    log.release(4);
    assert.deepEqual(walSegments(dir), [2, 3]);
    log.release(100);
    assert.deepEqual(walSegments(dir), [3], 'the open segment is never released');
    assert.equal(log.segmentCount, 1);
    await log.close(true);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('replayed segments go with the first release', async () => {
    const dir = freshDir();
    const old = new WriteAheadLog(dir, 0);
    old.append(bytes(1), 1);
    await old.sync();
    await old.close(false);
    const log = new WriteAheadLog(dir, 1, [0]);
    assert.deepEqual(walSegments(dir), [0, 1]);
    log.release(0);
    assert.deepEqual(walSegments(dir), [1]);
    await log.close(true);
  });
});
