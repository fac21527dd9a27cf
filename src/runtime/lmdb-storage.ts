import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { kvError } from '../kv/errors.js';
import type { KvError } from '../kv/errors.js';
import { isHlcTimestamp } from '../kv/hlc.js';
import type { StoredRecord } from '../kv/record.js';
import { keyUtf8Bytes, recordBytes, validateKey, validateValue } from '../kv/record.js';
import { rangeContains } from '../kv/ring-range.js';
import type { RingRange } from '../kv/ring-range.js';
import type { ApplyOutcome, RangeEntry, Storage, StorageStats } from '../kv/storage.js';
import { compareLww } from '../kv/version.js';
import { assert } from '../lib/assert.js';
import type { Result } from '../lib/result.js';
import { err, ok } from '../lib/result.js';
import { keyPosition } from '../ring/ring.js';
import type { KvCursor } from '../wire/kv-types.js';
import { decodePurgeKey, decodeRecordKey, encodePurgeKey, encodeRecordKey, keySuccessor, lmdbKeyBytesMax, u64Prefix } from './lmdb-keys.js';
import { decodeRecord, encodeRecord, isStorablePurgeAfterMs, RecordCorruptError } from './record-codec.js';
import { compareInRange, comparePurgeOrder, PendingWrites, pendingWritesMaxDefault } from './pending-writes.js';
import { decodeWalOps, WalFrameBuilder, walDbMeta, walDbPurge, walDbRecords } from './wal-ops.js';
import type { WalDb } from './wal-ops.js';
import { cutTornTail, readWal, walSegmentBytesMaxDefault, WriteAheadLog } from './write-ahead-log.js';

/**
 * The durable storage engine of real nodes: the Storage contract (src/kv/storage.ts) over one
 * LMDB environment (lmdb-js), with the same semantics as the memory engine (memory-storage.ts):
 * LWW apply, typed KV_ERR_* errors from record.ts validation, the byte budget
 * (KV_ERR_STORAGE_FULL) and the same byte accounting in `stats()`.
 *
 * Layout (one environment at `path`, three named dbs; key encodings in lmdb-keys.ts):
 *  - `records`: 8-byte big-endian ring position + CESU-8 key -> record (record-codec.ts). Byte order
 *    is range order, so a scan is one cursor walk (two for a wrapping range);
 *  - `purge`: 8-byte big-endian purgeAfterMs + records key -> empty. An exact index of the stored
 *    tombstones (maintained in the same transaction as `records`), so purging walks due
 *    tombstones only, oldest first;
 *  - `meta`: `format` (layout version, 1) and `stats` (keys, tombstones, bytes as three float64).
 *    The counters live in memory, so `stats()` is O(1); every write transaction that changed them
 *    also writes them to `meta` inside the same transaction, so they are always exactly the
 *    committed data's figures and opening needs no scan.
 *
 * SYNC POLICY (also docs/storage.md). Three modes:
 *  - 'commit' (default; tools and tests): every write commits with lmdb-js `transactionSync`, and
 *    LMDB fsyncs the data pages, then the meta page, before the commit returns. `transaction(fn)`
 *    runs all the writes `fn` makes in ONE such commit (one fsync) and returns once it is durable;
 *    a write outside `transaction()` is its own durable commit. If `fn` throws, the whole
 *    transaction is aborted (data and counters roll back) and the error propagates.
 *  - 'background': writes are queued to lmdb-js's write thread (its asynchronous
 *    `put`/`remove`), which commits everything queued in one event-loop turn as one transaction and
 *    fsyncs it there (LMDB's overlapping sync: the previous transaction's pages are never reused
 *    before it is flushed, so a crash cannot corrupt the file). The event loop never waits for a
 *    commit or an fsync. Until a write is flushed it lives in `PendingWrites` (pending-writes.ts),
 *    which every read consults first, so the store reads its own writes at once. `durable()` is
 *    the promise that everything written so far is committed and flushed: the runtime holds every
 *    reply and ack until it settles, so an acknowledged write is exactly as durable as with
 *    'commit'. The writes of one `transaction()` share one LMDB transaction (they are queued in one
 *    event-loop turn, and lmdb-js batches a turn's writes together), so the counters in `meta` stay
 *    exact. A throwing `fn` keeps the writes it made (they are queued already; the counters follow
 *    them): the runtime treats an exception as a crash. `backlogged()` tells the runtime to stop
 *    feeding the store while more than `pendingWritesMax` writes wait for their flush.
 *  - 'wal' (real nodes): as 'background' for reads, groups and `PendingWrites`, but a group's writes
 *    become raw LMDB operations appended to the write-ahead log as one frame (write-ahead-log.ts,
 *    wal-ops.ts), and `durable()` waits for the log's durable write (group commit) instead of an LMDB
 *    flush. A checkpoint (`checkpointIntervalMs` after a group is logged) hands the operations of
 *    every synced group to lmdb-js (overlapping sync, as above), and once that commit is flushed
 *    forgets them from `PendingWrites` and releases the log segments that hold only them. Opening
 *    replays the whole log over LMDB in one transaction and keeps it until a later flush (raw
 *    operations: replaying from any point at or before LMDB's state ends in the logged state,
 *    counters included); a clean close checkpoints everything and removes the log.
 * Reads inside `transaction()` see the transaction's writes. Nested `transaction()` calls just run
 * inside the outer one: an error caught inside the outer `fn` does not undo the inner writes.
 * (Measured, docs/benchmarks.md: lmdb-js's `overlappingSync` flag alone does not take the fsync off
 * the event loop for `transactionSync`: the committing thread runs the flush right after the commit.)
 *
 * Assumptions: one LmdbStorage per environment, in one process (the counters and the read-then-
 * write LWW check rely on being the only writer; a second open in the same process throws, another
 * process is not detected); `fn` is synchronous (a returned promise is an
 * assertion failure, which aborts). Values returned by `get` and scans are fresh copies owned by the
 * caller. Bytes on disk that do not decode throw RecordCorruptError: an assertion that the data
 * directory is corrupt, never an input error. I/O errors (disk full, EIO) throw from the write or
 * commit and abort the transaction; they are not KvErrors.
 */

/** Default byte budget of an LMDB store: 64 GiB (keys + values + per-record overhead, as in stats). */
export const lmdbStorageBytesMaxDefault = 64 * 1024 * 1024 * 1024;

/** Options of `LmdbStorage.open`. */
export interface LmdbStorageOptions {
  /** Directory of the LMDB environment (created if missing). */
  readonly path: string;
  /** Writes that would grow the store beyond this many bytes fail with KV_ERR_STORAGE_FULL. */
  readonly storageBytesMax?: number;
  /** Initial memory-map size; lmdb-js grows the map as the file grows, so this is only a hint. */
  readonly mapSizeBytes?: number;
  /**
   * 'commit' (default): each commit is fsynced inside `transaction()`, which returns once durable.
   * 'background': writes are committed and fsynced on lmdb-js's write thread; reads see them at
   * once, and `durable()` gives the promise of their flush (see the sync policy in the header).
   */
  readonly sync?: LmdbSyncMode;
  /** 'background' and 'wal': `backlogged()` is true while more writes than this are not in LMDB yet. */
  readonly pendingWritesMax?: number;
  /** 'wal': how long logged writes wait before a checkpoint moves them into LMDB. */
  readonly checkpointIntervalMs?: number;
  /** 'wal': size at which the log starts a new segment file. */
  readonly walSegmentBytesMax?: number;
  /** 'wal': zero-fill the log's next segment in the background (default true; write-ahead-log.ts). */
  readonly walPreallocate?: boolean;
  /** 'wal': bytes the open segment takes before the first spare is prepared (default walPreallocateAfterBytesDefault). */
  readonly walPreallocateAfterBytes?: number;
  /**
   * 'background' and 'wal': a write's flush (LMDB's, or the log's sync), or a checkpoint's commits
   * and flush, not finished within this long counts as a failed disk (default
   * `flushTimeoutMsDefault`): the failure listener is called, and the runtime stops the node.
   */
  readonly flushTimeoutMs?: number;
}

/** How commits reach the disk; see the sync policy in the file header. */
export type LmdbSyncMode = 'commit' | 'background' | 'wal';

/**
 * 'wal': default delay between a logged write and the checkpoint that moves it into LMDB. Longer
 * means fewer, larger LMDB commits (a page written once for many writes) but more writes held in
 * memory and replayed after a crash; 200 ms keeps both at a few thousand writes at 20,000 writes/s.
 */
export const checkpointIntervalMsDefault = 200;
/** 'wal': operations a checkpoint hands to lmdb-js per event-loop turn (bounds its time on the loop). */
export const checkpointOpsPerTurn = 512;
/**
 * 'background' and 'wal': default of `flushTimeoutMs`. lmdb-js reports a failed flush only on the
 * console (its promise never settles), and a synced write on a dying disk may never return: without
 * a bound, such a node would hang with a growing backlog instead of stopping. Two minutes is far
 * beyond any healthy flush (milliseconds) and beyond a busy disk's worst stall.
 */
export const flushTimeoutMsDefault = 120_000;
/** The flush watchdog looks at the oldest unflushed write this many times per `flushTimeoutMs`. */
const flushWatchdogChecksPerTimeout = 4;
/** 'wal': logged operations not yet in LMDB beyond which the store reports itself backlogged. */
export const walOpsMaxFactor = 4;



interface Counters {
  keys: number;
  tombstones: number;
  bytes: number;
}

/** A record found by a scan, with its binary key (for removal). */
interface ScanHit extends RangeEntry {
  readonly recordKey: Uint8Array;
}

const formatKey = new TextEncoder().encode('format');
const statsKey = new TextEncoder().encode('stats');
const formatVersion = 1;
const emptyValue = new Uint8Array(0);

type BinaryDb = Database<Uint8Array, Uint8Array>;

/** Real paths of the environments open in this process: a second LmdbStorage on one would be a second writer. */
const openPaths = new Set<string>();

/** The LMDB engine; see the file header for layout and the sync policy. */
export class LmdbStorage implements Storage {
  private readonly realPath: string;
  private readonly env: RootDatabase<Uint8Array, Uint8Array>;
  private readonly records: BinaryDb;
  private readonly purge: BinaryDb;
  private readonly meta: BinaryDb;
  private readonly bytesMax: number;
  private counters: Counters;
  /** 1 while running inside `transaction()` (nested calls do not increase it). */
  private depth = 0;
  private closed = false;
  /** close() has begun: no new writes (what they log could be removed with the log). */
  private closing = false;
  private commitCount = 0;
  /** Whether the current transaction wrote anything (so its commit needs a flush). */
  private wroteInTxn = false;
  /** The promise that every write so far is committed and flushed, until it settles ('background' only). */
  private unflushed: Promise<void> | undefined;
  private readonly background: boolean;
  private readonly pendingWritesMax: number;
  /** 'background' and 'wal': writes not yet in LMDB and flushed, which reads consult first. */
  private readonly pending = new PendingWrites((group) => this.frameOf(group));
  /**
   * 'background' and 'wal': the operations of the open group ('wal': all of them, its log frame;
   * 'background': its `records` writes, which `pending` points into).
   */
  private opsOfGroup = new WalFrameBuilder();
  /**
   * Closed groups' frames, by group, oldest first: 'wal', every group not yet checkpointed (what
   * the next checkpoint applies, and what `pending` points into); 'background', every group not yet
   * flushed that wrote records.
   */
  private readonly frames = new Map<number, Uint8Array>();
  /** 'background': the group (one `transaction()`, or one lone write) the current writes belong to. */
  private group = 0;
  /** 'background': the commit-and-flush promise of each group that wrote and has not settled. */
  private readonly groupsInFlight = new Map<number, Promise<void>>();
  private failureListener: ((error: unknown) => void) | undefined;
  /** 'background': the commit promise of the newest queued write (all of a turn share one). */
  private lastCommit: Promise<unknown> | undefined;
  /** 'wal': the log (undefined in the other modes). */
  private readonly wal: WriteAheadLog | undefined;
  private readonly checkpointIntervalMs: number;
  /** 'wal': operations in `frames` (closed groups, logged or being logged) and not yet in LMDB. */
  private opsNotInLmdb = 0;
  /** 'wal': every group up to this one is on disk in the log. */
  private syncedGroup = 0;
  /** 'wal': every group up to this one is in LMDB, flushed. */
  private checkpointedGroup = 0;
  /** 'wal': the running checkpoint (commit + flush of logged groups), if any. */
  private checkpointing: Promise<void> | undefined;
  private checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushTimeoutMs: number;
  /** The flush watchdog's next check, armed while some group waits for its flush or log sync. */
  private watchdogTimer: ReturnType<typeof setTimeout> | undefined;
  /** The oldest group waiting at the watchdog's last check, and since when (performance.now()). */
  private watchedGroup = 0;
  private watchedSinceMs = 0;
  /** A failure was reported (by the watchdog or a failed commit/flush): the watchdog stops. */
  private failureReported = false;
  /** close() has finished: the watchdog stops (it keeps watching while close() waits). */
  private watchdogOff = false;

  private constructor(realPath: string, env: RootDatabase<Uint8Array, Uint8Array>, records: BinaryDb, purge: BinaryDb, meta: BinaryDb, bytesMax: number, counters: Counters, background: boolean, pendingWritesMax: number, wal: WriteAheadLog | undefined, checkpointIntervalMs: number, flushTimeoutMs: number) {
    this.realPath = realPath;
    this.env = env;
    this.records = records;
    this.purge = purge;
    this.meta = meta;
    this.bytesMax = bytesMax;
    this.counters = counters;
    this.background = background;
    this.pendingWritesMax = pendingWritesMax;
    this.wal = wal;
    this.checkpointIntervalMs = checkpointIntervalMs;
    this.flushTimeoutMs = flushTimeoutMs;
  }

  /**
   * Settles when every write so far is committed and on disk: undefined when nothing is waiting
   * (always, with sync 'commit'). Rejects if the commit or flush failed (the disk is then unusable:
   * the runtime stops).
   */
  durable(): Promise<void> | undefined {
    return this.unflushed;
  }

  /**
   * Settles when the newest write of `key` is committed and on disk: undefined when it already is
   * (or the key was never written). What a reply about one key has to wait for ('background').
   */
  durableFor(key: string): Promise<void> | undefined {
    const write = this.pending.get(key);
    return write === undefined ? undefined : this.groupsInFlight.get(write.group);
  }

  /** Called once for each 'background' commit or flush that fails (the runtime stops the node). */
  onFailure(listener: (error: unknown) => void): void {
    this.failureListener = listener;
  }

  /** True while more writes than `pendingWritesMax` are not in LMDB yet ('background', 'wal'). */
  backlogged(): boolean {
    return this.pending.size > this.pendingWritesMax || this.opsNotInLmdb > walOpsMaxFactor * this.pendingWritesMax;
  }

  /**
   * While `backlogged()`: a promise that settles once the backlog may have shrunk ('background':
   * the running flush; 'wal': a checkpoint, started now if none runs, else the log's sync).
   */
  drained(): Promise<void> | undefined {
    if (this.wal === undefined) return this.unflushed;
    return this.checkpoint() ?? this.unflushed;
  }

  /**
   * Settles when every write so far is in LMDB and flushed, so nothing is pending ('wal': runs
   * checkpoints until then). For tests, tools and close().
   */
  async flush(): Promise<void> {
    for (;;) {
      await this.unflushed;
      const running = this.wal === undefined ? undefined : this.checkpoint();
      if (running === undefined && this.unflushed === undefined) return;
      await running;
    }
  }

  /** Writes queued and not yet flushed ('background' only; 0 with 'commit'). */
  get pendingWrites(): number {
    return this.pending.size;
  }

  /** Opens (creating if needed) the store at `options.path`. Synchronous. */
  static open(options: LmdbStorageOptions): LmdbStorage {
    const bytesMax = options.storageBytesMax ?? lmdbStorageBytesMaxDefault;
    assert(Number.isFinite(bytesMax) && bytesMax > 0, 'storageBytesMax must be positive');
    const pendingWritesMax = options.pendingWritesMax ?? pendingWritesMaxDefault;
    assert(Number.isSafeInteger(pendingWritesMax) && pendingWritesMax > 0, 'pendingWritesMax must be a positive integer');
    const background = options.sync === 'background' || options.sync === 'wal';
    const checkpointIntervalMs = options.checkpointIntervalMs ?? checkpointIntervalMsDefault;
    assert(Number.isFinite(checkpointIntervalMs) && checkpointIntervalMs >= 0, 'checkpointIntervalMs must be a non-negative number');
    const flushTimeoutMs = options.flushTimeoutMs ?? flushTimeoutMsDefault;
    assert(Number.isFinite(flushTimeoutMs) && flushTimeoutMs > 0, 'flushTimeoutMs must be a positive number');
    mkdirSync(options.path, { recursive: true });
    const realPath = realpathSync(options.path);
    if (openPaths.has(realPath)) throw new Error(`LmdbStorage: ${options.path} is already open in this process`);
    const env = open<Uint8Array, Uint8Array>({
      path: options.path,
      // Never treat the path as a file name, even if it contains a dot.
      noSubdir: false,
      maxDbs: 4,
      // 'commit': plain LMDB commits, fsync data then meta inside the commit. 'background': lmdb-js's
      // write thread commits and flushes; overlapping sync keeps the pages of a commit that is not
      // flushed yet from being reused, so the file survives a crash at any point (sync policy).
      overlappingSync: background,
      // lmdb-js refuses an explicit noSync (even false) together with overlappingSync.
      ...(background ? {} : { noSync: false }),
      encoding: 'binary',
      keyEncoding: 'binary',
      ...(options.mapSizeBytes !== undefined ? { mapSize: options.mapSizeBytes } : {}),
    });
    try {
      const dbOptions = { keyEncoding: 'binary', encoding: 'binary', cache: false, compression: false } as const;
      const records = env.openDB<Uint8Array, Uint8Array>({ name: 'records', ...dbOptions });
      const purge = env.openDB<Uint8Array, Uint8Array>({ name: 'purge', ...dbOptions });
      const meta = env.openDB<Uint8Array, Uint8Array>({ name: 'meta', ...dbOptions });
      let wal: WriteAheadLog | undefined;
      let replayed: { dir: string; next: number; segments: number[] } | undefined;
      if (options.sync === 'wal') {
        // Replay the log over LMDB before anything reads it (the counters in meta included). The
        // replayed segments stay until a later flush covers the replay commit (see WriteAheadLog).
        const walDir = join(options.path, 'wal');
        const contents = readWal(walDir);
        if (contents.payloads.length > 0) replayWal(env, [records, purge, meta], contents.payloads);
        cutTornTail(walDir, contents);
        const next = contents.segments.length === 0 ? 0 : contents.segments[contents.segments.length - 1]! + 1;
        replayed = { dir: walDir, next, segments: contents.segments };
      }
      const counters = loadOrInitMeta(env, records, meta);
      // Last, so nothing after it can fail and leave its descriptor open.
      if (replayed !== undefined) {
        wal = new WriteAheadLog(replayed.dir, replayed.next, replayed.segments, {
          segmentBytesMax: options.walSegmentBytesMax ?? walSegmentBytesMaxDefault,
          preallocate: options.walPreallocate ?? true,
          ...(options.walPreallocateAfterBytes === undefined ? {} : { preallocateAfterBytes: options.walPreallocateAfterBytes }),
        });
      }
      openPaths.add(realPath);
      return new LmdbStorage(realPath, env, records, purge, meta, bytesMax, counters, background, pendingWritesMax, wal, checkpointIntervalMs, flushTimeoutMs);
    } catch (e) {
      void env.close();
      throw e;
    }
  }

  get(key: string): StoredRecord | undefined {
    this.assertOpen();
    if (!validateKey(key).ok) return undefined; // nothing is ever stored under an invalid key
    const pending = this.pending.get(key);
    if (pending !== undefined) {
      const record = this.pending.record(pending);
      // A copy: the decoded value is a view into the group's frame, which the caller should not pin.
      return record === null ? undefined : copyRecord(record);
    }
    return this.read(encodeRecordKey(keyPosition(key), key));
  }

  apply(key: string, record: StoredRecord): Result<ApplyOutcome, KvError> {
    this.assertOpen();
    assert(isHlcTimestamp(record.version), 'a stored record needs a valid version');
    assert(isStorablePurgeAfterMs(record.purgeAfterMs), 'purgeAfterMs must be a non-negative safe integer');
    const keyCheck = validateKey(key);
    if (!keyCheck.ok) return keyCheck;
    const valueCheck = validateValue(record.value);
    if (!valueCheck.ok) return valueCheck;

    const position = keyPosition(key);
    const recordKey = encodeRecordKey(position, key);
    // Read before opening a write transaction: a losing write costs no commit. Inside a transaction
    // the read sees the transaction's writes; outside, this object is the only writer (see header).
    const current = this.readKey(key, recordKey);
    if (current !== undefined && compareLww(record, current) <= 0) return ok({ won: false, current });

    const bytes = recordBytes(keyCheck.value, record);
    const growth = bytes - (current === undefined ? 0 : recordBytes(keyCheck.value, current));
    const c = this.counters;
    if (growth > 0 && c.bytes + growth > this.bytesMax) {
      return err(kvError('KV_ERR_STORAGE_FULL', `store holds ${c.bytes} bytes, this write adds ${growth}, limit ${this.bytesMax}`));
    }
    this.write(() => {
      const encoded = encodeRecord(record);
      this.putRecord(key, recordKey, encoded);
      if (current?.value === null) this.removeKey(this.purge, encodePurgeKey(current.purgeAfterMs, recordKey));
      if (record.value === null) this.putKey(this.purge, encodePurgeKey(record.purgeAfterMs, recordKey), emptyValue);
      c.bytes += growth;
      if (current === undefined) c.keys++;
      else if (current.value === null) c.tombstones--;
      if (record.value === null) c.tombstones++;
    });
    return ok({ won: true, current: record });
  }

  purgeTombstones(nowMs: number, maxCount: number): number {
    this.assertOpen();
    assert(Number.isInteger(maxCount) && maxCount >= 0, 'maxCount must be a non-negative integer');
    if (maxCount === 0 || !(nowMs >= 0)) return 0;
    // Due: purgeAfterMs <= nowMs, i.e. purge keys below floor(nowMs) + 1 (unbounded past 2^53).
    const endMs = Math.floor(nowMs) + 1;
    const due: DueTombstone[] = [];
    // The index on disk, minus entries of keys with a queued write (those are judged from the queue).
    for (const purgeKey of this.purge.getKeys(endMs < 2 ** 53 ? { end: u64Prefix(endMs) } : {})) {
      if (due.length >= maxCount) break;
      const { purgeAfterMs, recordKey } = decodePurgeKey(purgeKey);
      const { position, key } = decodeRecordKey(recordKey);
      if (this.pending.get(key) !== undefined) continue;
      const record = this.read(recordKey);
      if (record?.value !== null || record.purgeAfterMs !== purgeAfterMs) {
        throw new RecordCorruptError('the tombstone index names a record that is not that tombstone');
      }
      due.push({ purgeAfterMs, position, key, recordKey, record });
    }
    if (this.pending.size > 0) {
      for (const w of this.pending.tombstonesDueBefore(endMs)) {
        assert(w.record !== null, 'a due tombstone is a record');
        due.push({ purgeAfterMs: w.record.purgeAfterMs, position: w.position, key: w.key, recordKey: w.recordKey, record: w.record });
      }
      due.sort(comparePurgeOrder);
      due.length = Math.min(due.length, maxCount);
    }
    if (due.length === 0) return 0;
    this.write(() => {
      for (const d of due) this.removeRecord(d.recordKey, d.key, d.record);
    });
    return due.length;
  }

  scanRange(range: RingRange, after: KvCursor | null, limit: number): RangeEntry[] {
    return this.scan(range, after, limit).map(({ key, position, record }) => ({ key, position, record }));
  }

  removeRange(range: RingRange, maxCount: number): number {
    const victims = this.scan(range, null, maxCount);
    if (victims.length === 0) return 0;
    this.write(() => {
      for (const v of victims) this.removeRecord(v.recordKey, v.key, v.record);
    });
    return victims.length;
  }

  stats(): StorageStats {
    const { keys, tombstones, bytes } = this.counters;
    return { keys, tombstones, bytes };
  }

  /**
   * Runs `fn` in one write transaction and commits it durably (one fsync) before returning its
   * result. Reads inside see the transaction's writes. If `fn` throws, everything it wrote is rolled
   * back and the error propagates. A nested call just runs `fn` inside the outer transaction.
   */
  transaction<T>(fn: () => T): T {
    this.assertOpen();
    if (this.depth > 0) return fn();
    return this.background ? this.backgroundGroup(fn) : this.syncTransaction(fn);
  }

  /** 'commit': `fn` in one LMDB write transaction, fsynced before this returns. */
  private syncTransaction<T>(fn: () => T): T {
    const before = { ...this.counters };
    try {
      const result = this.env.transactionSync(() => {
        this.depth = 1;
        try {
          const result = fn();
          assert(!isThenable(result), 'transaction() needs a synchronous fn (it returned a promise)');
          if (this.countersChanged(before)) this.meta.putSync(statsKey, encodeStats(this.counters));
          return result;
        } finally {
          this.depth = 0;
        }
      });
      this.commitCount++;
      this.wroteInTxn = false;
      return result;
    } catch (e) {
      this.counters = before;
      this.wroteInTxn = false;
      throw e;
    }
  }

  /**
   * 'background': runs `fn`, whose writes are queued to lmdb-js (one LMDB transaction, since they
   * are queued in one event-loop turn), then the counters if they changed; `durable()` then covers
   * them. The writes are forgotten by `pending` once committed and flushed.
   */
  private backgroundGroup<T>(fn: () => T): T {
    const before = { ...this.counters };
    this.group++;
    this.depth = 1;
    try {
      const result = fn();
      assert(!isThenable(result), 'transaction() needs a synchronous fn (it returned a promise)');
      return result;
    } finally {
      this.depth = 0;
      // Also after a throw: the writes fn made are queued, and the counters describe them.
      if (this.countersChanged(before)) this.putKey(this.meta, statsKey, encodeStats(this.counters));
      if (this.opsOfGroup.ops > 0) {
        // Every operation comes from a write: a frame that is never logged must never be checkpointed.
        assert(this.wroteInTxn, 'a group with operations wrote');
        this.opsNotInLmdb += this.wal === undefined ? 0 : this.opsOfGroup.ops;
        this.frames.set(this.group, this.opsOfGroup.take());
      }
      if (this.wroteInTxn) {
        if (this.wal === undefined) this.awaitFlush(this.group);
        else this.logGroup(this.group);
      }
      this.wroteInTxn = false;
    }
  }

  /** Makes `durable()` wait for the commit and flush of everything queued so far, then settles `group`. */
  private awaitFlush(group: number): void {
    const committed = this.lastCommit;
    assert(committed !== undefined, 'a group that wrote has a commit promise');
    const flushed = this.lmdbFlushed();
    this.commitCount++;
    // Also after every earlier group: lmdb-js's commit and flush promises of successive groups do
    // not always settle in order (measured: a later group's settled while an earlier one's had
    // not), and `durable()` promises everything written so far.
    const earlier = this.unflushed;
    const done = Promise.all([committed, flushed, earlier]).then(() => {
      this.pending.settle(group);
      this.frames.delete(group);
      this.groupsInFlight.delete(group);
      if (this.unflushed === done) this.unflushed = undefined;
    });
    // A failed commit or flush rejects `done` for whoever waits on it, and is reported even when
    // nobody does (the disk is then unusable).
    done.catch((error: unknown) => this.reportFailure(error));
    this.groupsInFlight.set(group, done);
    this.unflushed = done;
    this.armFlushWatchdog();
  }

  /**
   * 'wal': appends the group's operations to the log as one frame; `durable()` then waits for the
   * log's sync, and a checkpoint later moves the operations into LMDB.
   */
  private logGroup(group: number): void {
    const wal = this.wal!;
    // A batch whose fn threw before its first write has nothing to log.
    const frame = this.frames.get(group);
    if (frame === undefined) return;
    wal.append(frame, group);
    this.commitCount++;
    const done = wal.sync().then(() => {
      if (group > this.syncedGroup) this.syncedGroup = group;
      this.groupsInFlight.delete(group);
      if (this.unflushed === done) this.unflushed = undefined;
      this.scheduleCheckpoint();
    });
    done.catch((error: unknown) => this.reportFailure(error));
    this.groupsInFlight.set(group, done);
    this.unflushed = done;
    this.armFlushWatchdog();
  }

  /**
   * One timer for all waiting groups, not one per group (hundreds per second): every
   * `flushTimeoutMs / flushWatchdogChecksPerTimeout` it looks at the oldest group still waiting
   * for its flush or log sync; one that has stayed the oldest for `flushTimeoutMs` means the disk
   * stopped answering, which is reported as a failure.
   */
  private armFlushWatchdog(): void {
    if (this.watchdogTimer !== undefined || this.failureReported || this.watchdogOff) return;
    this.watchdogTimer = setTimeout(() => this.checkFlushProgress(), Math.ceil(this.flushTimeoutMs / flushWatchdogChecksPerTimeout));
    this.watchdogTimer.unref();
  }

  private checkFlushProgress(): void {
    this.watchdogTimer = undefined;
    if (this.failureReported || this.watchdogOff) return;
    const oldest = this.oldestWaitingGroup();
    if (oldest === undefined) return; // re-armed by the next group that waits
    const now = performance.now();
    if (oldest !== this.watchedGroup) {
      this.watchedGroup = oldest;
      this.watchedSinceMs = now;
    } else if (now - this.watchedSinceMs >= this.flushTimeoutMs) {
      // Decide after this turn's I/O callbacks: after the process was paused (SIGSTOP, a
      // debugger), this timer can run before the completion of a flush that finished meanwhile.
      setImmediate(() => {
        if (this.failureReported || this.watchdogOff) return;
        if (this.oldestWaitingGroup() !== oldest) {
          this.armFlushWatchdog();
          return;
        }
        const what = this.wal === undefined ? 'LMDB flush' : 'write-ahead log sync';
        this.reportFailure(new Error(`${what} did not finish within ${this.flushTimeoutMs} ms`));
      });
      return;
    }
    this.armFlushWatchdog();
  }

  /** The oldest group still waiting for its flush or log sync (Map order is insertion order, and groups are numbered in order). */
  private oldestWaitingGroup(): number | undefined {
    const first = this.groupsInFlight.keys().next();
    return first.done === true ? undefined : first.value;
  }

  /** Passes a failed (or stuck) commit, flush or log sync to the listener; the watchdog then stops. */
  private reportFailure(error: unknown): void {
    this.failureReported = true;
    this.failureListener?.(error);
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointTimer !== undefined || this.checkpointing !== undefined || this.closed || this.frames.size === 0) return;
    this.checkpointTimer = setTimeout(() => void this.checkpoint(), this.checkpointIntervalMs);
    this.checkpointTimer.unref();
  }

  /**
   * 'wal': hands every logged operation of the groups already synced to lmdb-js (in chunks, see
   * `applyCheckpoint`), and once the last commit is flushed forgets them from `pending` and
   * releases the log segments they were in. Only synced groups go in, so LMDB never holds a write
   * the log may lack: replaying the log over LMDB after a crash always ends in a logged state.
   * Returns the running checkpoint (undefined when there was nothing to do).
   */
  private checkpoint(): Promise<void> | undefined {
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.checkpointing !== undefined) return this.checkpointing;
    if (this.closed) return undefined;
    const upTo = this.syncedGroup;
    // `frames` holds the groups not in LMDB yet, oldest first.
    const logged: Uint8Array[] = [];
    for (const [group, frame] of this.frames) {
      if (group > upTo) break;
      logged.push(frame);
    }
    if (logged.length === 0) return undefined;
    const running = this.applyCheckpoint(logged, this.checkpointedGroup, upTo);
    running.catch((error: unknown) => this.reportFailure(error));
    this.checkpointing = running;
    return running;
  }

  /**
   * Hands the operations of the `logged` frames (groups `from` + 1 to `upTo`, in order) to lmdb-js,
   * at most `checkpointOpsPerTurn` per event-loop turn (each turn's are one LMDB transaction; a
   * crash between them leaves LMDB at a prefix of the log, which replay repairs, and reads
   * meanwhile still go to `pending`), then waits for the flush of the last commit.
   */
  private async applyCheckpoint(logged: readonly Uint8Array[], from: number, upTo: number): Promise<void> {
    // Every chunk's commit is awaited: a failed one must fail the checkpoint, never release the log.
    const commits: Array<Promise<unknown>> = [];
    let n = 0;
    let last: Promise<unknown> | undefined;
    for (const frame of logged) {
      // Decoded a frame at a time: the operations' objects die young.
      for (const op of decodeWalOps(frame)) {
        // Yield between chunks so replies and acks are not held behind a large checkpoint.
        if (n > 0 && n % checkpointOpsPerTurn === 0) {
          commits.push(last!);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const db = this.walDb(op.db);
        last = op.value === null ? db.remove(op.key) : db.put(op.key, op.value);
        n++;
      }
    }
    if (last !== undefined) commits.push(last);
    await withTimeout(Promise.all(commits), this.flushTimeoutMs, 'checkpoint commit');
    // The flush never rejects (lmdb-js only logs a failed one), so one that does not return in
    // time counts as failed: the node stops (exit 70) instead of hanging with a growing backlog.
    await withTimeout(this.lmdbFlushed(), this.flushTimeoutMs, 'checkpoint flush');
    for (let g = from + 1; g <= upTo; g++) {
      this.pending.settle(g);
      this.frames.delete(g);
    }
    this.opsNotInLmdb -= n;
    this.checkpointedGroup = upTo;
    this.wal!.release(upTo);
    this.checkpointing = undefined;
    this.scheduleCheckpoint();
  }

  /** LMDB's flush of its newest commit: lmdb-js takes that snapshot when `then` is called, i.e. now. */
  private lmdbFlushed(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      (this.env.flushed as unknown as PromiseLike<unknown>).then(() => resolve(), reject);
    });
  }

  private walDb(db: WalDb): BinaryDb {
    return db === walDbRecords ? this.records : db === walDbPurge ? this.purge : this.meta;
  }

  private walDbOf(db: BinaryDb): WalDb {
    return db === this.records ? walDbRecords : db === this.purge ? walDbPurge : walDbMeta;
  }

  private countersChanged(before: Counters): boolean {
    const c = this.counters;
    return c.keys !== before.keys || c.tombstones !== before.tombstones || c.bytes !== before.bytes;
  }

  /** Write transactions committed (durably) by this object since it was opened ('background': queued): for metrics. */
  get commits(): number {
    return this.commitCount;
  }

  /** Closes the environment; the store must not be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    assert(this.depth === 0, 'close() inside transaction()');
    this.closing = true;
    let walApplied = false;
    if (this.wal !== undefined) {
      // Move everything logged into LMDB first, so the log can go; on failure it stays for replay.
      // The extra flush covers a replay commit no checkpoint has followed yet.
      // Every wait in close() is bounded: on a stuck disk close() rejects instead of hanging (and
      // the watchdog, still on, reports the stuck write to the failure listener meanwhile).
      walApplied = await withTimeout(this.flush(), this.flushTimeoutMs, 'flush on close')
        .then(() => withTimeout(this.lmdbFlushed(), this.flushTimeoutMs, 'flush on close'))
        .then(
          () => true,
          () => false,
        );
      if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
      this.checkpointTimer = undefined;
    }
    this.closed = true;
    try {
      // The log's close waits for a running sync, and lmdb-js's close for its last flush: a dying
      // disk may finish neither.
      if (this.wal !== undefined) await withTimeout(this.wal.close(walApplied), this.flushTimeoutMs, 'closing the write-ahead log');
      await withTimeout(this.env.close(), this.flushTimeoutMs, 'closing LMDB');
      // Only a store that really closed frees its path: after a timeout the environment may
      // still be open, and a second one on the same files in this process must stay refused.
      openPaths.delete(this.realPath);
    } finally {
      this.watchdogOff = true;
      if (this.watchdogTimer !== undefined) clearTimeout(this.watchdogTimer);
      this.watchdogTimer = undefined;
    }
  }

  // --- internals ------------------------------------------------------------------------------------

  private assertOpen(): void {
    assert(!this.closed, 'LmdbStorage used after close()');
  }

  /** Runs `fn` in the current transaction, or in its own durable one. */
  private write(fn: () => void): void {
    assert(!this.closing, 'LmdbStorage written while closing');
    this.wroteInTxn = true;
    if (this.depth > 0) fn();
    else this.transaction(fn);
  }

  /** The committed record under `recordKey`, from LMDB only. */
  private read(recordKey: Uint8Array): StoredRecord | undefined {
    const bytes = this.records.get(recordKey);
    return bytes === undefined ? undefined : decodeRecord(bytes);
  }

  /** What `key` holds now: its queued write if it has one, else LMDB's committed record. */
  private readKey(key: string, recordKey: Uint8Array): StoredRecord | undefined {
    const pending = this.pending.get(key);
    if (pending !== undefined) return this.pending.record(pending) ?? undefined;
    return this.read(recordKey);
  }

  /**
   * Stores a record: at once ('commit', inside the transaction) or queued and pending ('background',
   * 'wal'; `pending` points at the operation in the group's frame).
   */
  private putRecord(key: string, recordKey: Uint8Array, encoded: Uint8Array): void {
    if (!this.background) {
      this.records.putSync(recordKey, encoded);
      return;
    }
    this.pending.set({ key, group: this.group, at: this.opsOfGroup.add(walDbRecords, recordKey, encoded) });
    if (this.wal === undefined) this.lastCommit = this.records.put(recordKey, encoded);
  }

  private putKey(db: BinaryDb, key: Uint8Array, value: Uint8Array): void {
    if (this.wal !== undefined) this.opsOfGroup.add(this.walDbOf(db), key, value);
    else if (this.background) this.lastCommit = db.put(key, value);
    else db.putSync(key, value);
  }

  private removeKey(db: BinaryDb, key: Uint8Array): void {
    if (this.wal !== undefined) this.opsOfGroup.add(this.walDbOf(db), key, null);
    else if (this.background) this.lastCommit = db.remove(key);
    else db.removeSync(key);
  }

  /** The operations of `group`: its frame, or the open group's operations so far. */
  private frameOf(group: number): Uint8Array {
    const frame = this.frames.get(group);
    if (frame !== undefined) return frame;
    assert(group === this.group && this.depth > 0, 'a pending write points into a frame that is gone');
    return this.opsOfGroup.current();
  }

  /** Deletes a stored record and its tombstone index entry; call inside `write`. */
  private removeRecord(recordKey: Uint8Array, key: string, record: StoredRecord): void {
    if (this.background) {
      this.pending.set({ key, group: this.group, at: this.opsOfGroup.add(walDbRecords, recordKey, null) });
      if (this.wal === undefined) this.lastCommit = this.records.remove(recordKey);
    } else {
      const removed = this.records.removeSync(recordKey);
      assert(removed, 'removeRecord of a key the store does not hold');
    }
    if (record.value === null) this.removeKey(this.purge, encodePurgeKey(record.purgeAfterMs, recordKey));
    const c = this.counters;
    c.keys--;
    if (record.value === null) c.tombstones--;
    c.bytes -= recordBytes(keyUtf8Bytes(key), record);
  }

  private scan(range: RingRange, after: KvCursor | null, limit: number): ScanHit[] {
    this.assertOpen();
    assert(Number.isInteger(limit) && limit >= 0, 'limit must be a non-negative integer');
    const out: ScanHit[] = [];
    if (limit === 0) return out;
    if (after !== null && !rangeContains(range, after.position)) return out;
    const { start, end } = range;
    // Range order is one or two runs of the key order: (start, end], or (start, max] then [0, end].
    // Run bounds are position prefixes: [start + 1, end + 1) (start + 1 may be 2^53: an empty run).
    const runs: Array<{ from: Uint8Array; to: Uint8Array | undefined }> =
      start < end
        ? [{ from: u64Prefix(start + 1), to: u64Prefix(end + 1) }]
        : [
            { from: u64Prefix(start + 1), to: undefined },
            { from: u64Prefix(0), to: u64Prefix(end + 1) },
          ];
    let runIndex = 0;
    if (after !== null) {
      // The cursor lies in exactly one run: the second one of a wrapping range holds positions <= end.
      if (start >= end && after.position <= end) runIndex = 1;
      const cursorKey = keySuccessor(encodeRecordKey(after.position, after.key));
      assert(cursorKey.length <= lmdbKeyBytesMax, 'scan cursor key is longer than any stored key');
      runs[runIndex]!.from = cursorKey;
    }
    // Queued writes ('background') are merged in range order: they add keys, replace records and
    // hide removed ones. Without any, each run reads exactly what is still needed.
    const queued = this.pending.size === 0 ? [] : this.pending.inRange(range, after);
    let q = 0;
    const takeQueued = (): void => {
      const w = queued[q++]!;
      const record = this.pending.record(w.write);
      // Copied out of the frame: scan results may be kept (transfers, repairs).
      if (record !== null) out.push({ key: w.key, position: w.position, record: copyRecord(record), recordKey: this.pending.recordKey(w.write).slice() });
    };
    for (; runIndex < runs.length && out.length < limit; runIndex++) {
      const { from, to } = runs[runIndex]!;
      const entries = this.records.getRange({ start: from, ...(to !== undefined ? { end: to } : {}), ...(queued.length === 0 && { limit: limit - out.length }) });
      for (const { key: recordKey, value } of entries) {
        const hit = decodeRecordKey(recordKey);
        while (q < queued.length && out.length < limit && compareInRange(range, queued[q]!, hit) < 0) takeQueued();
        if (out.length >= limit) break;
        if (q < queued.length && queued[q]!.key === hit.key) takeQueued();
        else out.push({ key: hit.key, position: hit.position, record: decodeRecord(value), recordKey });
        if (out.length >= limit) break;
      }
    }
    while (q < queued.length && out.length < limit) takeQueued();
    return out;
  }
}

/** A tombstone found due by `purgeTombstones`. */
interface DueTombstone {
  readonly purgeAfterMs: number;
  readonly position: number;
  readonly key: string;
  readonly recordKey: Uint8Array;
  readonly record: StoredRecord;
}

/** A copy the caller owns (a queued record's value is shared with the queue). */
function copyRecord(record: StoredRecord): StoredRecord {
  return record.value === null ? record : { ...record, value: record.value.slice() };
}

/**
 * `promise`, or a rejection naming `what` once `ms` have passed. The timer holds the process (a
 * bounded wait ends either way, and a stuck disk then ends in an error, not in a silent exit).
 */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isThenable(x: unknown): boolean {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function encodeStats(c: Counters): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setFloat64(0, c.keys);
  view.setFloat64(8, c.tombstones);
  view.setFloat64(16, c.bytes);
  return out;
}

function decodeStats(bytes: Uint8Array): Counters {
  if (bytes.length !== 24) throw new RecordCorruptError(`stored stats are ${bytes.length} bytes, expected 24`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = { keys: view.getFloat64(0), tombstones: view.getFloat64(8), bytes: view.getFloat64(16) };
  const valid = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!valid(c.keys) || !valid(c.tombstones) || !valid(c.bytes) || c.tombstones > c.keys) throw new RecordCorruptError('stored stats are invalid');
  return c;
}

/**
 * 'wal' recovery: applies the logged operations, in order, in one LMDB transaction (the log stays
 * until a later flush covers it, so a crash before that replays again). Raw puts and removals, so
 * replaying frames LMDB already holds is harmless (see wal-ops.ts).
 */
function replayWal(env: RootDatabase<Uint8Array, Uint8Array>, dbs: readonly [BinaryDb, BinaryDb, BinaryDb], payloads: readonly Uint8Array[]): void {
  env.transactionSync(() => {
    for (const payload of payloads) {
      for (const op of decodeWalOps(payload)) {
        const db = dbs[op.db];
        if (op.value === null) db.removeSync(op.key);
        else db.putSync(op.key, op.value);
      }
    }
  });
}

/** Checks the layout version and loads the counters; initialises both (durably) in a new environment. */
function loadOrInitMeta(env: RootDatabase<Uint8Array, Uint8Array>, records: BinaryDb, meta: BinaryDb): Counters {
  const format = meta.get(formatKey);
  if (format === undefined) {
    if (records.getKeysCount({ limit: 1 }) > 0) throw new RecordCorruptError('the records db holds data but no format marker');
    const zero = { keys: 0, tombstones: 0, bytes: 0 };
    env.transactionSync(() => {
      meta.putSync(formatKey, Uint8Array.of(formatVersion));
      meta.putSync(statsKey, encodeStats(zero));
    });
    return zero;
  }
  if (format.length !== 1 || format[0] !== formatVersion) throw new RecordCorruptError(`unknown storage format ${[...format].join(',')}`);
  const stats = meta.get(statsKey);
  if (stats === undefined) throw new RecordCorruptError('the meta db has no stats');
  return decodeStats(stats);
}
