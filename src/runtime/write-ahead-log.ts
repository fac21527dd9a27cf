import { closeSync, constants, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, write } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { assert } from '../lib/assert.js';
import { RecordCorruptError } from './record-codec.js';

/**
 * The write-ahead log of the LMDB engine's 'wal' sync mode (lmdb-storage.ts): an append-only
 * sequence of frames in numbered segment files (`<dir>/<16 digits>.log`). A frame is one storage
 * batch's writes: `payload length (u32 LE) | CRC-32 of length and payload (u32 LE) | payload`. The
 * CRC covers the length too and a payload is never empty, so zeroed bytes never read as a frame.
 *
 * Why: an acknowledged write must be on disk, and LMDB makes every commit durable by writing and
 * fsyncing every B-tree page the commit touched (about one 4 KiB leaf page per random-key write,
 * plus branch pages). Appending the batch's bytes to one file and `fdatasync`ing it is far less I/O
 * per acknowledgement; LMDB then takes the writes in large, rare transactions (checkpoints).
 *
 * On Linux, segments are opened with `O_DSYNC`: each `write` then returns only once its bytes are
 * on disk, as a `write` followed by `fdatasync` would, but in one trip through libuv's thread pool
 * instead of two, so a round no longer waits for the event loop between its write and its flush
 * (docs/benchmarks.md, "One trip to the disk per log round"). Elsewhere it is `write`, then
 * `fdatasync`: on macOS libuv's `fdatasync` is `F_FULLFSYNC`, which also empties the drive's cache
 * and `O_DSYNC` does not; Windows has no `O_DSYNC`.
 *
 * Group commit: `append` only buffers; `sync()` resolves once everything appended before the call
 * is on disk. One durable write runs at a time, and covers every frame appended while the
 * previous one ran. A segment is closed once it reaches `segmentBytesMax` and its frames are all
 * synced; only then do frames go to the next segment, so every frame of a closed segment is durable
 * before any frame of a newer one is written: a torn or unsynced frame can only be the tail of the
 * newest segment. Each frame carries a tag (the storage batch number, increasing); `release(tag)`
 * deletes the closed segments whose frames all have tags up to `tag` (they are in LMDB, flushed).
 */

/** `O_DSYNC` on Linux; elsewhere undefined, and every write is followed by `fdatasync` (see above). */
const dataSyncFlag: number | undefined = process.platform === 'linux' ? constants.O_DSYNC : undefined;

/** Bytes of a frame header: payload length and CRC-32, both u32 little-endian. */
export const walFrameHeaderBytes = 8;
/** A segment is closed (and a new one started) once it holds at least this many bytes. */
export const walSegmentBytesMaxDefault = 16 * 1024 * 1024;

const segmentSuffix = '.log';
const segmentDigits = 16;

/** What `readWal` found: the payloads of the valid frames, oldest first, and the segment ids read. */
export interface WalContents {
  readonly payloads: Uint8Array[];
  readonly segments: number[];
  /** True when the newest segment ended in a torn or unsynced frame (dropped: never acknowledged). */
  readonly tornTail: boolean;
  /** Bytes of whole frames at the start of the newest segment (where a torn tail begins). */
  readonly newestValidBytes: number;
}

/** The segment ids in `dir`, oldest first (the directory is created if missing). */
export function walSegments(dir: string): number[] {
  mkdirSync(dir, { recursive: true });
  const ids: number[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(segmentSuffix)) continue;
    const digits = name.slice(0, -segmentSuffix.length);
    if (!/^[0-9]{16}$/.test(digits)) continue;
    ids.push(Number(digits));
  }
  return ids.sort((a, b) => a - b);
}

/**
 * Reads every frame of every segment in `dir`, oldest first. A frame that is cut short or fails its
 * CRC ends the log if it is in the newest segment (a write that was never acknowledged); anywhere
 * else the log is corrupt (RecordCorruptError).
 */
export function readWal(dir: string): WalContents {
  const segments = walSegments(dir);
  const payloads: Uint8Array[] = [];
  let tornTail = false;
  let newestValidBytes = 0;
  segments.forEach((id, i) => {
    const bytes = readFileSync(segmentPath(dir, id));
    const newest = i === segments.length - 1;
    let at = 0;
    while (at < bytes.length) {
      const frame = frameAt(bytes, at);
      if (frame === undefined) {
        if (!newest) throw new RecordCorruptError(`write-ahead log segment ${id} has a damaged frame at byte ${at}`);
        tornTail = true;
        break;
      }
      payloads.push(frame);
      at += walFrameHeaderBytes + frame.length;
    }
    if (newest) newestValidBytes = at;
  });
  return { payloads, segments, tornTail, newestValidBytes };
}

/**
 * Cuts a torn tail off the newest segment (durably), so that once newer segments follow it the
 * log still reads as valid: only the newest segment may end in a damaged frame.
 */
export function cutTornTail(dir: string, contents: WalContents): void {
  if (!contents.tornTail) return;
  const newest = contents.segments[contents.segments.length - 1];
  assert(newest !== undefined, 'a torn tail lies in a segment');
  const fd = openSync(segmentPath(dir, newest), 'r+');
  try {
    ftruncateSync(fd, contents.newestValidBytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Deletes segments, oldest first (after their frames were applied durably elsewhere), syncing the
 * directory after each: a crash must never keep a newer segment's removal and lose an older one's,
 * or replay would run the older segment's operations without the ones that followed them.
 */
export function removeWalSegments(dir: string, ids: readonly number[]): void {
  for (const id of [...ids].sort((a, b) => a - b)) {
    unlinkSync(segmentPath(dir, id));
    syncDirectory(dir);
  }
}

/** The payload of the frame at `at`, or undefined if it is cut short or its CRC does not match. */
function frameAt(bytes: Uint8Array, at: number): Uint8Array | undefined {
  if (bytes.length - at < walFrameHeaderBytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, walFrameHeaderBytes);
  const length = view.getUint32(0, true);
  const crc = view.getUint32(4, true);
  const start = at + walFrameHeaderBytes;
  if (bytes.length - start < length) return undefined;
  if (length === 0) return undefined;
  const payload = bytes.subarray(start, start + length);
  return frameCrc(length, payload) === crc ? payload : undefined;
}

const lengthScratch = new DataView(new ArrayBuffer(4));

/** CRC-32 of the frame's length field (u32 LE) followed by its payload. */
function frameCrc(length: number, payload: Uint8Array): number {
  lengthScratch.setUint32(0, length, true);
  return crc32(payload, crc32(new Uint8Array(lengthScratch.buffer)));
}

interface Waiter {
  readonly promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Buffered {
  readonly payload: Uint8Array;
  readonly tag: number;
}

/** The appending side; see the file header. Not safe for two instances on one directory. */
export class WriteAheadLog {
  private readonly dir: string;
  private readonly segmentBytesMax: number;
  private fd: number;
  private segment: number;
  private segmentBytes = 0;
  /** The highest tag written to the open segment so far. */
  private segmentTagMax = -Infinity;
  /** Closed segments and the highest tag each holds, oldest first. */
  private readonly closedSegments: Array<{ id: number; tagMax: number }> = [];
  private buffered: Buffered[] = [];
  /** Waiters of the next durable write (covering everything appended so far). */
  private next: Waiter | undefined;
  private running = false;
  private failure: unknown;
  private closed = false;

  /**
   * Starts a new, empty segment numbered `firstSegment` in `dir`. `replayed` are the older segments
   * found there and already replayed into the store: they go with the first `release` (the store
   * releases only after a flush, which also covers its replay commit) or with `close(true)`.
   */
  constructor(dir: string, firstSegment: number, replayed: readonly number[] = [], segmentBytesMax = walSegmentBytesMaxDefault) {
    assert(Number.isSafeInteger(firstSegment) && firstSegment >= 0, 'segment ids are non-negative integers');
    assert(replayed.every((id) => id < firstSegment), 'replayed segments are older than the first new one');
    assert(segmentBytesMax > 0, 'segmentBytesMax must be positive');
    this.dir = dir;
    this.segmentBytesMax = segmentBytesMax;
    for (const id of replayed) this.closedSegments.push({ id, tagMax: -Infinity });
    this.segment = firstSegment;
    this.fd = createSegment(dir, firstSegment);
  }

  /** Segments on disk, open one included (for tests). */
  get segmentCount(): number {
    return this.closedSegments.length + 1;
  }

  /** Buffers one frame; it reaches the disk with the next `sync()`. `tag` must not decrease. */
  append(payload: Uint8Array, tag: number): void {
    assert(!this.closed, 'WriteAheadLog used after close()');
    assert(payload.length > 0 && payload.length <= 0xffff_ffff, 'a frame payload is not empty and fits a u32 length');
    const last = this.buffered[this.buffered.length - 1];
    assert(last === undefined || last.tag <= tag, 'frame tags never decrease');
    // Framed when written (run), so each payload is copied once, into the round's buffer.
    this.buffered.push({ payload, tag });
  }

  /** Resolves once every frame appended before this call is on disk; rejects if the disk failed. */
  sync(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.next === undefined) this.next = waiter();
    const promise = this.next.promise;
    if (!this.running) this.run();
    return promise;
  }

  /** Deletes the closed segments whose frames all carry tags up to `tag` (applied durably elsewhere). */
  release(tag: number): void {
    const gone: number[] = [];
    while (this.closedSegments.length > 0 && this.closedSegments[0]!.tagMax <= tag) gone.push(this.closedSegments.shift()!.id);
    removeWalSegments(this.dir, gone);
  }

  /**
   * Waits for the running sync, then closes the open segment and deletes every segment if
   * `removeAll` (the caller made all of them durable elsewhere); otherwise leaves them for replay.
   */
  async close(removeAll: boolean): Promise<void> {
    if (this.closed) return;
    if (this.buffered.length > 0 || this.running) await this.sync().catch(() => undefined);
    this.closed = true;
    closeSync(this.fd);
    if (removeAll) removeWalSegments(this.dir, [...this.closedSegments.map((s) => s.id), this.segment]);
  }

  /** One durable write of everything buffered; then again while somebody waits. */
  private run(): void {
    const waiting = this.next;
    assert(waiting !== undefined, 'run() only when somebody waits');
    this.next = undefined;
    this.running = true;
    const batch = this.buffered;
    this.buffered = [];
    let bytes = 0;
    for (const b of batch) bytes += walFrameHeaderBytes + b.payload.length;
    const all = new Uint8Array(bytes);
    const view = new DataView(all.buffer);
    let at = 0;
    for (const { payload } of batch) {
      view.setUint32(at, payload.length, true);
      view.setUint32(at + 4, frameCrc(payload.length, payload), true);
      all.set(payload, at + walFrameHeaderBytes);
      at += walFrameHeaderBytes + payload.length;
    }
    const fd = this.fd;
    const done = (error: unknown): void => {
      this.running = false;
      if (error !== null && error !== undefined) {
        this.fail(error, waiting);
        return;
      }
      this.segmentBytes += bytes;
      if (batch.length > 0) this.segmentTagMax = Math.max(this.segmentTagMax, batch[batch.length - 1]!.tag);
      try {
        if (this.segmentBytes >= this.segmentBytesMax && !this.closed) this.startNextSegment();
      } catch (e) {
        this.fail(e, waiting);
        return;
      }
      waiting.resolve();
      if (this.next !== undefined && this.failure === undefined) this.run();
    };
    if (bytes === 0) {
      // Everything appended before this sync() was in earlier runs, which have all completed.
      done(null);
      return;
    }
    writeAll(fd, all, 0, (error) => {
      if (error !== null) done(error);
      else if (dataSyncFlag !== undefined) done(null);
      else fdatasync(fd, done);
    });
  }

  /** The open segment is full and all of it is synced: close it and continue in a new one. */
  private startNextSegment(): void {
    // Create the next one first: if that fails, the open segment and its descriptor stay valid.
    const fd = createSegment(this.dir, this.segment + 1);
    closeSync(this.fd);
    this.fd = fd;
    this.closedSegments.push({ id: this.segment, tagMax: this.segmentTagMax });
    this.segment++;
    this.segmentBytes = 0;
    this.segmentTagMax = -Infinity;
  }

  private fail(error: unknown, waiting: Waiter): void {
    this.failure = error;
    waiting.reject(error);
    this.next?.reject(error);
    this.next = undefined;
  }
}

function segmentPath(dir: string, id: number): string {
  return join(dir, `${String(id).padStart(segmentDigits, '0')}${segmentSuffix}`);
}

/** Creates an empty segment and makes its directory entry durable before any frame goes in. */
function createSegment(dir: string, id: number): number {
  // A directory made now must itself be durable in its parent before frames in it count.
  if (mkdirSync(dir, { recursive: true }) !== undefined) syncDirectory(dirname(dir));
  const fd = openSync(segmentPath(dir, id), segmentOpenFlags());
  syncDirectory(dir);
  return fd;
}

/** Write-only, created here (never an existing file), and with `O_DSYNC` on Linux. */
export function segmentOpenFlags(): number {
  return constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (dataSyncFlag ?? 0);
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `bytes` from `offset` (short writes continue), appending at the file's end. */
function writeAll(fd: number, bytes: Uint8Array, offset: number, callback: (error: NodeJS.ErrnoException | null) => void): void {
  if (offset >= bytes.length) {
    callback(null);
    return;
  }
  write(fd, bytes, offset, bytes.length - offset, null, (error, written) => {
    if (error !== null) callback(error);
    else writeAll(fd, bytes, offset + written, callback);
  });
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits is reported by the storage's failure listener, not as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
