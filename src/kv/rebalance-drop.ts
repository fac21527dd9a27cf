/**
 * Removing individual keys through `Storage.removeRange`, the only removal the storage contract
 * offers. Keys are removed in runs: a run is a sequence of keys that are consecutive in the store's
 * range order, removed with one call on the range from just before the first to the last. That
 * keeps the call count (and a memory store's index rebuilds) proportional to the number of runs,
 * which after a ring change is about the number of token ranges that moved, not the number of keys.
 *
 * A key shares its ring position with another key only on a 53-bit hash collision; when the key
 * before it at the same position is not being removed, the key is skipped (left in place) rather
 * than risk removing a key that must stay. The caller finds it again on a later sweep.
 */
import { assert } from '../lib/assert.js';
import { ringPositionMax } from '../wire/kv-limits.js';
import type { RingRange } from './ring-range.js';
import type { Storage } from './storage.js';

/** A key to remove and its ring position. */
export interface DropKey {
  readonly key: string;
  readonly position: number;
}

/** What `removeKeys` did. */
export interface RemoveOutcome {
  /** Keys removed. */
  readonly removed: readonly string[];
  /** Keys left in place (not found where expected, or a position shared with a key that stays). */
  readonly skipped: readonly string[];
}

/** Removes `keys` (distinct) from `storage`, examining at most `runKeysMax` keys per removeRange call. */
export function removeKeys(storage: Storage, keys: readonly DropKey[], runKeysMax: number): RemoveOutcome {
  assert(Number.isInteger(runKeysMax) && runKeysMax >= 1, 'runKeysMax must be a positive integer');
  const sorted = [...keys].sort((a, b) => a.position - b.position || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const removed: string[] = [];
  const skipped: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i]!;
    const before = first.position === 0 ? ringPositionMax : first.position - 1;
    // The whole ring starting just after `before`: range order from the first key's position on.
    const from: RingRange = { start: before, end: before };
    const limit = Math.min(runKeysMax, sorted.length - i);
    const scanned = storage.scanRange(from, null, limit);
    let run = 0;
    // The run ends at the first stored key that is not the next one to remove. It cannot wrap past
    // position 0: `sorted` ascends, so a wrapped key never matches.
    while (run < scanned.length && scanned[run]!.key === sorted[i + run]!.key) run++;
    if (run === 0) {
      skipped.push(first.key);
      i++;
      continue;
    }
    const last = scanned[run - 1]!;
    const n = storage.removeRange({ start: before, end: last.position }, run);
    assert(n === run, 'removeRange removes exactly the run it was given');
    for (let k = 0; k < run; k++) removed.push(sorted[i + k]!.key);
    i += run;
  }
  return { removed, skipped };
}
