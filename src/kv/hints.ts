import { assert } from '../lib/assert.js';
import type { NodeName } from '../wire/types.js';
import type { StoredRecord } from './record.js';
import { keyUtf8Bytes, recordBytes } from './record.js';
import type { Version } from './version.js';
import { compareLww, compareVersions } from './version.js';

/**
 * Hinted handoff (Dynamo §4.6, Cassandra hints). When a home replica does not acknowledge a write,
 * the coordinator keeps the record as a hint for that replica and replays it when the replica is
 * back. As in Cassandra, hints never count toward W: they are a best-effort shortcut for
 * convergence, not a durability promise; Merkle anti-entropy is what guarantees it.
 *
 * Bounded three ways: per target node, in total, and in bytes; on overflow the oldest hint goes
 * (counted in `droppedOverflow`), since newer writes are the likelier ones to still matter and an
 * old one is more likely already repaired. Only the newest version per (target, key) is kept.
 * Hints older than `hintWindowMs` expire (Cassandra's max_hint_window): past that, a replica has
 * been away long enough that anti-entropy, not replay, should bring it up to date.
 */

/** Cassandra's max_hint_window default: 3 hours, in ms. */
export const hintWindowMsDefault = 3 * 60 * 60 * 1000;

/** Default most hints held for one target node. */
export const hintsPerNodeMaxDefault = 10_000;

/** Default most hints held in total. */
export const hintsTotalMaxDefault = 100_000;

/** Default most bytes of hints held in total (keys + values + overhead): 64 MiB. */
export const hintBytesTotalMaxDefault = 64 * 1024 * 1024;

/** Hints a `batch` call may step over (expired ones) beyond the ones it returns. */
const batchScanSlack = 1024;

/** Hint store limits. */
export interface HintConfig {
  readonly hintWindowMs: number;
  readonly hintsPerNodeMax: number;
  readonly hintsTotalMax: number;
  readonly hintBytesTotalMax: number;
}

/** The defaults above. */
export const hintConfigDefaults: HintConfig = {
  hintWindowMs: hintWindowMsDefault,
  hintsPerNodeMax: hintsPerNodeMaxDefault,
  hintsTotalMax: hintsTotalMaxDefault,
  hintBytesTotalMax: hintBytesTotalMaxDefault,
};

/** A record waiting to be handed to `target`. */
export interface Hint {
  readonly target: NodeName;
  readonly key: string;
  readonly record: StoredRecord;
  /** When the hint was stored (or last replaced by a newer version), in ms. */
  readonly storedAtMs: number;
  /** Bytes the hint counts for in the byte bound. */
  readonly bytes: number;
}

/**
 * What `add` did: stored a new hint, replaced an older version of it, ignored a version no newer
 * than the held one, or dropped a hint larger than the whole byte budget (counted as overflow).
 */
export type HintAddOutcome = 'stored' | 'replaced' | 'superseded' | 'dropped';

/** Counters and sizes, for metrics (Cassandra's pending-hints views). */
export interface HintStats {
  readonly hints: number;
  readonly bytes: number;
  readonly targets: number;
  readonly stored: number;
  readonly replaced: number;
  readonly superseded: number;
  readonly droppedOverflow: number;
  readonly expired: number;
  readonly acked: number;
}

/** Bounded store of hints, per target node. Pure: time is passed in. */
export class HintStore {
  private readonly config: HintConfig;
  /** Per target: key → hint, in storedAt order (Map keeps insertion order; replace re-inserts). */
  private readonly byTarget = new Map<NodeName, Map<string, Hint>>();
  /** Every hint, oldest first: the global overflow and expiry order. */
  private readonly order = new Set<Hint>();
  private byteCount = 0;
  private counters = { stored: 0, replaced: 0, superseded: 0, droppedOverflow: 0, expired: 0, acked: 0 };

  constructor(config: HintConfig = hintConfigDefaults) {
    assert(config.hintWindowMs > 0, 'hintWindowMs must be positive');
    assert(Number.isInteger(config.hintsPerNodeMax) && config.hintsPerNodeMax >= 1, 'hintsPerNodeMax must be >= 1');
    assert(Number.isInteger(config.hintsTotalMax) && config.hintsTotalMax >= config.hintsPerNodeMax, 'hintsTotalMax must be >= hintsPerNodeMax');
    assert(config.hintBytesTotalMax > 0, 'hintBytesTotalMax must be positive');
    this.config = config;
  }

  /** Hints held. */
  get size(): number {
    return this.order.size;
  }

  /** Hints held for `target`. */
  countFor(target: NodeName): number {
    return this.byTarget.get(target)?.size ?? 0;
  }

  /** Targets with at least one hint, in first-hinted order. */
  targets(): NodeName[] {
    return [...this.byTarget.keys()];
  }

  /** Stores a hint of `record` for `target`, keeping only the newest version per (target, key). */
  add(target: NodeName, key: string, record: StoredRecord, nowMs: number): HintAddOutcome {
    const keyBytes = keyUtf8Bytes(key);
    assert(keyBytes >= 0, 'hinted keys were validated by the coordinator');
    const existing = this.byTarget.get(target)?.get(key);
    if (existing !== undefined && compareLww(record, existing.record) <= 0) {
      this.counters.superseded++;
      return 'superseded';
    }
    const bytes = recordBytes(keyBytes, record) + target.length;
    if (bytes > this.config.hintBytesTotalMax) {
      // Larger than the whole budget: keeping it would evict everything else.
      this.counters.droppedOverflow++;
      return 'dropped';
    }
    if (existing !== undefined) this.remove(existing);
    // Make room, oldest first: within the target, then globally by count and by bytes.
    let forTarget = this.byTarget.get(target);
    while (forTarget !== undefined && forTarget.size >= this.config.hintsPerNodeMax) this.dropOldest(forTarget.values().next().value!);
    while (this.order.size >= this.config.hintsTotalMax || this.byteCount + bytes > this.config.hintBytesTotalMax) {
      this.dropOldest(this.order.values().next().value!);
    }
    // Removals delete a target's map when it empties, so look it up again.
    forTarget = this.byTarget.get(target);
    if (forTarget === undefined) {
      forTarget = new Map<string, Hint>();
      this.byTarget.set(target, forTarget);
    }
    const hint: Hint = { target, key, record, storedAtMs: nowMs, bytes };
    forTarget.set(key, hint);
    this.order.add(hint);
    this.byteCount += bytes;
    if (existing !== undefined) this.counters.replaced++;
    else this.counters.stored++;
    return existing !== undefined ? 'replaced' : 'stored';
  }

  /**
   * Up to `maxCount` unexpired hints for `target`, oldest first, to replay (e.g. as one
   * kv-range-batch of kind 'hint'). Hints stay held until `ack`; expired ones met on the way are
   * dropped (counted in `expired`).
   */
  batch(target: NodeName, maxCount: number, nowMs: number): Hint[] {
    assert(Number.isInteger(maxCount) && maxCount >= 0, 'maxCount must be a non-negative integer');
    const out: Hint[] = [];
    const forTarget = this.byTarget.get(target);
    if (forTarget === undefined) return out;
    let budget = maxCount + batchScanSlack;
    const expired: Hint[] = [];
    for (const hint of forTarget.values()) {
      if (out.length >= maxCount || budget-- <= 0) break;
      if (this.isExpired(hint, nowMs)) expired.push(hint);
      else out.push(hint);
    }
    for (const hint of expired) {
      this.remove(hint);
      this.counters.expired++;
    }
    return out;
  }

  /**
   * `target` applied the hint of `key` at `version`: drop it. A hint replaced by a newer version
   * since the batch was taken stays (the newer one still has to be delivered). Returns whether a
   * hint was removed.
   */
  ack(target: NodeName, key: string, version: Version): boolean {
    const hint = this.byTarget.get(target)?.get(key);
    if (hint === undefined || compareVersions(hint.record.version, version) !== 0) return false;
    this.remove(hint);
    this.counters.acked++;
    return true;
  }

  /** Drops up to `maxCount` hints older than the hint window, oldest first; returns how many. */
  expire(nowMs: number, maxCount: number): number {
    let n = 0;
    // `order` is storedAt order as long as nowMs does not go backwards; if it does, a hint may
    // outlive its window by that step, which is harmless.
    for (const hint of this.order) {
      if (n >= maxCount || !this.isExpired(hint, nowMs)) break;
      this.remove(hint);
      n++;
    }
    this.counters.expired += n;
    return n;
  }

  /** Drops every hint for `target` (it left the cluster for good); returns how many. */
  dropTarget(target: NodeName): number {
    const forTarget = this.byTarget.get(target);
    if (forTarget === undefined) return 0;
    const hints = [...forTarget.values()];
    for (const hint of hints) this.remove(hint);
    return hints.length;
  }

  /** Counters and sizes. */
  stats(): HintStats {
    return { hints: this.order.size, bytes: this.byteCount, targets: this.byTarget.size, ...this.counters };
  }

  private isExpired(hint: Hint, nowMs: number): boolean {
    return nowMs - hint.storedAtMs >= this.config.hintWindowMs;
  }

  private dropOldest(hint: Hint): void {
    this.remove(hint);
    this.counters.droppedOverflow++;
  }

  private remove(hint: Hint): void {
    const forTarget = this.byTarget.get(hint.target);
    assert(forTarget !== undefined && forTarget.get(hint.key) === hint, 'hint index out of sync');
    forTarget.delete(hint.key);
    if (forTarget.size === 0) this.byTarget.delete(hint.target);
    this.order.delete(hint);
    this.byteCount -= hint.bytes;
  }
}
