/**
 * Where a restarted node's hybrid logical clock resumes: the newest version in its store. A node
 * that kept its disk must never issue a version at or below one it already stored (its own
 * earlier writes, or any it received), or a write made after the restart could lose
 * last-writer-wins to an older one (docs/consistency.md, "Versions").
 */
import { hlcZero } from '../kv/hlc.js';
import type { HlcTimestamp } from '../kv/hlc.js';
import type { Storage } from '../kv/storage.js';
import { compareVersions } from '../kv/version.js';
import type { KvCursor } from '../wire/types.js';

/** Keys read per storage scan call while looking for the newest version (bounds each call). */
export const clockScanBatchKeys = 4096;

/** The whole ring as a range (start === end). */
const wholeRing = { start: 0, end: 0 } as const;

/**
 * The newest version held in `storage` (hlcZero when empty). Reads every record once, in bounded
 * batches: O(keys) at construction only, which an engine with a version index could answer in
 * O(1) (a later LMDB engine can keep the maximum in its metadata).
 */
export function newestStoredVersion(storage: Storage): HlcTimestamp {
  let newest: HlcTimestamp = hlcZero;
  let after: KvCursor | null = null;
  for (;;) {
    const batch = storage.scanRange(wholeRing, after, clockScanBatchKeys);
    for (const e of batch) if (compareVersions(e.record.version, newest) > 0) newest = e.record.version;
    if (batch.length < clockScanBatchKeys) return newest;
    const last = batch[batch.length - 1]!;
    after = { position: last.position, key: last.key };
  }
}
