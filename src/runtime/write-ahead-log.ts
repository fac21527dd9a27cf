import { close, closeSync, constants, fdatasync, fstatSync, fsyncSync, ftruncateSync, linkSync, mkdirSync, open, openSync, readdirSync, readFileSync, rmSync, statfs, unlinkSync, write } from 'node:fs';
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
 *
 * Preallocated segments (option `preallocate`): a write that makes a file longer changes its size,
 * so each `O_DSYNC` append to a growing file also waits for a commit of ext4's journal, which all
 * files on the file system share. Writing over blocks that already hold zeros changes only data.
 * So, once the open segment has taken `preallocateAfterBytes`, a spare file (`walSpareName`) is filled
 * with zeros in the background, in chunks each followed by `fdatasync` (no long flush in front of
 * the log's writes), and the next rotation links it into place; a growing segment rotates into a
 * ready spare early, so the fast path starts soon after startup. A spare is `segmentBytesMax`
 * long, so a preallocated segment is full (no zeros left) when it closes and closed segments still
 * hold only whole frames; the newest segment's zeros after its last frame read like a torn tail
 * and are cut at recovery.
 * (PostgreSQL zero-fills WAL segments for the same reason.) No spare is made unless the file
 * system keeps `walSpareFreeBytesReserve` free beyond it (the zeros must not take the space the
 * log's own writes need); a spare that cannot be made only means growing segments until the next
 * segment tries again.
 */

/** `O_DSYNC` on Linux; elsewhere undefined, and every write is followed by `fdatasync` (see above). */
const dataSyncFlag: number | undefined = process.platform === 'linux' ? constants.O_DSYNC : undefined;

/** Bytes of a frame header: payload length and CRC-32, both u32 little-endian. */
export const walFrameHeaderBytes = 8;
/** A segment is closed (and a new one started) once it holds at least this many bytes. */
export const walSegmentBytesMaxDefault = 16 * 1024 * 1024;
/** With `preallocate`: the open segment has taken this many bytes before a spare is prepared (small logs never pay for one). */
export const walPreallocateAfterBytesDefault = 64 * 1024;
/** Zeros written per step while preparing a spare segment, each step followed by `fdatasync`. */
export const walPreallocateChunkBytes = 1024 * 1024;
/**
 * A spare is made only while the file system keeps at least this much free beyond what the spare
 * still needs (checked before each chunk): the zeros must never take the space the log's own
 * writes and LMDB's checkpoints need.
 */
export const walSpareFreeBytesReserve = 256 * 1024 * 1024;
/** The spare segment being prepared or ready (never read: `walSegments` lists only `*.log`). */
export const walSpareName = 'spare-segment.tmp';

const segmentSuffix = '.log';
const segmentDigits = 16;

/** What `readWal` found: the payloads of the valid frames, oldest first, and the segment ids read. */
export interface WalContents {
  readonly payloads: Uint8Array[];
  readonly segments: number[];
  /**
   * True when the newest segment has bytes after its last whole frame: a torn or unsynced frame
   * (dropped: never acknowledged) or the zeros of a preallocated segment. Recovery cuts them off.
   */
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

/** How the log's segments are made (see the file header). */
export interface WalOptions {
  /** A segment is closed once it holds at least this many bytes. Default walSegmentBytesMaxDefault. */
  readonly segmentBytesMax?: number;
  /** Zero-filled segments prepared in the background. Default false (the store turns it on). */
  readonly preallocate?: boolean;
  /** Bytes the open segment takes before the first spare is prepared. Default walPreallocateAfterBytesDefault. */
  readonly preallocateAfterBytes?: number;
  /** Free bytes the file system keeps beyond the spare, or no spare is made. Default walSpareFreeBytesReserve. */
  readonly spareFreeBytesReserve?: number;
}

/** The next segment, being zero-filled in the background or ready to be linked into place. */
interface Spare {
  ready: boolean;
  /** Settles when the preparation ends, however it ends. */
  readonly settled: Promise<void>;
}

/** The appending side; see the file header. Not safe for two instances on one directory. */
export class WriteAheadLog {
  private readonly dir: string;
  private readonly segmentBytesMax: number;
  private readonly preallocate: boolean;
  private readonly preallocateAfterBytes: number;
  private readonly spareFreeBytesReserve: number;
  private fd: number;
  private segment: number;
  private segmentBytes = 0;
  /** The open segment was a spare: its file holds zeros after `segmentBytes`. */
  private segmentPreallocated = false;
  private spare: Spare | undefined;
  /** No new spare is prepared while the open segment is this one or older (one failed). */
  private spareBlockedThrough = -1;
  /** Spares that could not be prepared: a disk error, or too little free space (for tests and stats). */
  spareFailures = 0;
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
  private closing: Promise<void> | undefined;

  /**
   * Starts a new, empty segment numbered `firstSegment` in `dir`. `replayed` are the older segments
   * found there and already replayed into the store: they go with the first `release` (the store
   * releases only after a flush, which also covers its replay commit) or with `close(true)`.
   */
  constructor(dir: string, firstSegment: number, replayed: readonly number[] = [], options: WalOptions = {}) {
    const segmentBytesMax = options.segmentBytesMax ?? walSegmentBytesMaxDefault;
    const preallocateAfterBytes = options.preallocateAfterBytes ?? walPreallocateAfterBytesDefault;
    const spareFreeBytesReserve = options.spareFreeBytesReserve ?? walSpareFreeBytesReserve;
    assert(Number.isSafeInteger(firstSegment) && firstSegment >= 0, 'segment ids are non-negative integers');
    assert(replayed.every((id) => id < firstSegment), 'replayed segments are older than the first new one');
    assert(Number.isSafeInteger(segmentBytesMax) && segmentBytesMax > 0, 'segmentBytesMax must be a positive integer');
    assert(Number.isSafeInteger(preallocateAfterBytes) && preallocateAfterBytes >= 0, 'preallocateAfterBytes must be a non-negative integer');
    assert(Number.isSafeInteger(spareFreeBytesReserve) && spareFreeBytesReserve >= 0, 'spareFreeBytesReserve must be a non-negative integer');
    this.dir = dir;
    this.segmentBytesMax = segmentBytesMax;
    this.preallocate = options.preallocate ?? false;
    this.preallocateAfterBytes = preallocateAfterBytes;
    this.spareFreeBytesReserve = spareFreeBytesReserve;
    for (const id of replayed) this.closedSegments.push({ id, tagMax: -Infinity });
    this.segment = firstSegment;
    this.fd = createSegment(dir, firstSegment);
    // A spare left by a crash may be partly written: never used, made again when needed.
    rmSync(join(dir, walSpareName), { force: true });
  }

  /** Segments on disk, open one included (for tests). */
  get segmentCount(): number {
    return this.closedSegments.length + 1;
  }

  /** True when the open segment was zero-filled ahead of its writes (for tests). */
  get openSegmentPreallocated(): boolean {
    return this.segmentPreallocated;
  }

  /** Settles when the spare being prepared, if any, is ready or given up (for tests). */
  spareSettled(): Promise<void> {
    return this.spare?.settled ?? Promise.resolve();
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
  close(removeAll: boolean): Promise<void> {
    // Every caller waits for the one close (a second call must not return while the first runs).
    this.closing ??= this.closeOnce(removeAll);
    return this.closing;
  }

  private async closeOnce(removeAll: boolean): Promise<void> {
    if (this.buffered.length > 0 || this.running) await this.sync().catch(() => undefined);
    this.closed = true;
    // The preparation stops at its next step once closed; its file goes (it never held frames).
    await this.spare?.settled;
    this.spare = undefined;
    rmSync(join(this.dir, walSpareName), { force: true });
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
        // A growing segment gives way to a ready spare early (see the file header).
        const full = this.segmentBytes >= this.segmentBytesMax;
        const spareWaits = !this.segmentPreallocated && this.spare?.ready === true && this.segmentBytes > 0;
        if ((full || spareWaits) && !this.closed) this.startNextSegment();
        this.prepareSpareIfDue();
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
    writeAll(fd, all, 0, this.segmentBytes, (error) => {
      if (error !== null) done(error);
      else if (dataSyncFlag !== undefined) done(null);
      else fdatasync(fd, done);
    });
  }

  /** The open segment is full (or a spare waits) and all of it is synced: close it and continue in the next. */
  private startNextSegment(): void {
    // A closed segment holds only whole frames (replay calls anything after the last frame of a
    // closed segment damage). A spare is exactly segmentBytesMax long and a segment closes once it
    // holds that many bytes, or early only while growing, so no zeros are ever left in one.
    assert(!this.segmentPreallocated || fstatSync(this.fd).size === this.segmentBytes, 'a preallocated segment closes full');
    // Make the next one first: if that fails, the open segment and its descriptor stay valid.
    let fd: number | undefined;
    if (this.spare?.ready === true) {
      this.spare = undefined;
      try {
        fd = adoptSpare(this.dir, this.segment + 1);
      } catch {
        // A growing segment instead (if the spare became the segment, creating it fails: a disk error).
        this.spareFailures++;
      }
    }
    const preallocated = fd !== undefined;
    fd ??= createSegment(this.dir, this.segment + 1);
    closeSync(this.fd);
    this.fd = fd;
    this.closedSegments.push({ id: this.segment, tagMax: this.segmentTagMax });
    this.segment++;
    this.segmentBytes = 0;
    this.segmentTagMax = -Infinity;
    this.segmentPreallocated = preallocated;
  }

  /** Starts zero-filling the next segment when the open one is preallocated or has taken enough bytes. */
  private prepareSpareIfDue(): void {
    if (!this.preallocate || this.closed || this.spare !== undefined || this.segment <= this.spareBlockedThrough) return;
    if (!this.segmentPreallocated && this.segmentBytes < this.preallocateAfterBytes) return;
    let settle!: () => void;
    const spare: Spare = { ready: false, settled: new Promise<void>((resolve) => (settle = resolve)) };
    this.spare = spare;
    const path = join(this.dir, walSpareName);
    const size = this.segmentBytesMax;
    const segment = this.segment;
    const finish = (outcome: 'ready' | 'failed' | 'abandoned', fd: number | undefined): void => {
      const end = (): void => {
        if (outcome === 'ready' && !this.closed) spare.ready = true;
        else {
          if (outcome === 'failed') {
            this.spareFailures++;
            this.spareBlockedThrough = Math.max(this.spareBlockedThrough, segment);
          }
          if (this.spare === spare) this.spare = undefined;
          try {
            rmSync(path, { force: true });
          } catch {
            // Left for the next open, which removes it.
          }
        }
        settle();
      };
      if (fd === undefined) end();
      else close(fd, end);
    };
    open(path, 'w', (openError, fd) => {
      if (openError !== null) {
        finish('failed', undefined);
        return;
      }
      const step = (at: number): void => {
        if (this.closed || this.failure !== undefined) finish('abandoned', fd);
        else if (at >= size) finish('ready', fd);
        else {
          statfs(this.dir, (statError, stats) => {
            if (statError !== null || stats.bavail * stats.bsize < size - at + this.spareFreeBytesReserve) {
              finish('failed', fd);
              return;
            }
            write(fd, zeroChunk(), 0, Math.min(walPreallocateChunkBytes, size - at), at, (writeError, written) => {
              if (writeError !== null) finish('failed', fd);
              else fdatasync(fd, (syncError) => (syncError !== null ? finish('failed', fd) : step(at + written)));
            });
          });
        }
      };
      step(0);
    });
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

/** Moves the ready spare into place as segment `id` (link, unlink), durably, and opens it like a new segment. */
function adoptSpare(dir: string, id: number): number {
  const path = segmentPath(dir, id);
  // A link, not a rename: it fails if the segment exists (as creating one does, with O_EXCL).
  linkSync(join(dir, walSpareName), path);
  unlinkSync(join(dir, walSpareName));
  syncDirectory(dir);
  return openSync(path, constants.O_WRONLY | (dataSyncFlag ?? 0));
}

let zeros: Uint8Array | undefined;
/** One shared chunk of zeros for preparing spares (never written to). */
function zeroChunk(): Uint8Array {
  zeros ??= new Uint8Array(walPreallocateChunkBytes);
  return zeros;
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

/** Writes all of `bytes` from `offset` at file position `position` (short writes continue). */
function writeAll(fd: number, bytes: Uint8Array, offset: number, position: number, callback: (error: NodeJS.ErrnoException | null) => void): void {
  if (offset >= bytes.length) {
    callback(null);
    return;
  }
  write(fd, bytes, offset, bytes.length - offset, position, (error, written) => {
    if (error !== null) callback(error);
    else writeAll(fd, bytes, offset + written, position + written, callback);
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
