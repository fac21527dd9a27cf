/**
 * No lost acknowledged write (docs/consistency.md promise 3; kv-anchors §5.3): at the end of a
 * run, for every key, the newest record across the key's owners (read directly from their
 * storage, under the final ring) must be the latest acknowledged write or a write issued after it
 * (a later write that failed may still have been applied: failed writes are not rolled back). A
 * latest acknowledged delete means the key must read as absent: no record, or a tombstone.
 *
 * The promise holds only while at most N − W home replicas of a key lose their data before
 * re-replication; keys the caller lists in `excusedKeys` (more data losses than that) are counted
 * but not judged. Writes of one key are totally ordered by issue time and by version (the
 * workload serialises them, see kv-read-your-writes.ts). Result data; never throws.
 */
import type { Versioned } from '../../kv/version.js';
import { compareVersions } from '../../kv/version.js';
import { writeIndexOfValue, writesByKey, type KvOpRecord } from '../kv-history.js';
import { ViolationLog, formatVersion, kvViolationSamplesMaxDefault, type KvViolation } from './kv-violation.js';

/** The final record of a key (newest across its owners), or undefined when no owner holds one. */
export type FinalRecordOf = (key: string) => Versioned | undefined;

/** What the lost-write checker found. */
export interface LostWritesReport {
  /** Keys with at least one acknowledged write, judged. */
  readonly keysChecked: number;
  /** Keys not judged because more than N − W of their home replicas lost data. */
  readonly keysExcused: number;
  readonly violations: number;
  readonly samples: readonly KvViolation[];
}

const decoder = new TextDecoder();

/** Checks every written key of `history` against its final record (see the module comment). */
export function checkNoLostWrites(
  history: readonly KvOpRecord[],
  finalRecordOf: FinalRecordOf,
  atMs: number,
  excusedKeys: ReadonlySet<string> = new Set(),
  samplesMax: number = kvViolationSamplesMaxDefault,
): LostWritesReport {
  const log = new ViolationLog(samplesMax);
  let keysChecked = 0;
  let keysExcused = 0;
  for (const [key, list] of writesByKey(history)) {
    const final = finalRecordOf(key);
    const finalValue = final === undefined || final.value === null ? null : decoder.decode(final.value);
    const finalText = final === undefined ? 'no record' : finalValue === null ? `tombstone ${formatVersion(final.version)}` : `"${finalValue}" ${formatVersion(final.version)}`;
    let acked = -1;
    for (let i = 0; i < list.length; i++) if (list[i]!.outcome === 'ok') acked = i;
    // A value nobody wrote is wrong whatever was acknowledged.
    if (finalValue !== null && writeIndexOfValue(list, finalValue) < 0) {
      log.add({ kind: 'phantom-value', key, requestId: null, atMs, detail: `final record of ${key} is ${finalText}, which no write of this key wrote` });
      continue;
    }
    if (acked < 0) continue;
    if (excusedKeys.has(key)) {
      keysExcused++;
      continue;
    }
    keysChecked++;
    const w = list[acked]!;
    const lost = (why: string): void =>
      log.add({
        kind: 'lost-write',
        key,
        requestId: w.requestId,
        atMs,
        detail: `${key}: latest acknowledged write #${w.requestId} (${w.op} ${w.written ?? '<tombstone>'} ${formatVersion(w.version)}, acked at ${w.repliedAtMs} ms) is lost: final record is ${finalText}; ${why}`,
      });
    if (finalValue !== null) {
      const j = writeIndexOfValue(list, finalValue);
      if (j < acked) lost(`it is the older write #${list[j]!.requestId}`);
      continue;
    }
    if (w.op === 'delete') continue; // absent or a tombstone: reads as not-found, as acknowledged
    if (final === undefined) {
      lost('no owner holds the key');
      continue;
    }
    // A tombstone after an acknowledged value: only a later delete can explain it.
    const newer = w.version === null || compareVersions(final.version, w.version) > 0;
    const laterDelete = list.some((x, i) => i > acked && x.op === 'delete');
    if (!newer || !laterDelete) lost('no delete was issued after it');
  }
  return { keysChecked, keysExcused, violations: log.count, samples: log.samples };
}
