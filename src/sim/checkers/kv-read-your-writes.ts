/**
 * Read-your-writes (docs/consistency.md promise 1; kv-anchors §5.3): with R + W > N and no
 * concurrent writers to a key, a read that succeeds returns the latest write acknowledged before
 * the read was issued, or a write issued after it (in flight, or failed but partially applied:
 * failed writes are not rolled back and may surface) — never an older one, never a value nobody
 * wrote.
 *
 * The workload serialises writes per key and issues each one at least 1 ms after the previous
 * one's reply, so the key's writes are totally ordered by issue time AND by version (the HLC's
 * physical part is the virtual clock): "newer" below is simply a later position in that order.
 *
 * A read failing with KV_ERR_NOT_FOUND observed the key absent: that is allowed only if no write
 * was acknowledged before the read, or the latest acknowledged one is a delete, or a delete was
 * issued after it before the read replied. Other failures observe nothing. Result data; never throws.
 */
import { readObservation, writeIndexOfValue, writesByKey, type KvOpRecord } from '../kv-history.js';
import { ViolationLog, kvViolationSamplesMaxDefault, type KvViolation } from './kv-violation.js';

/** What the read-your-writes checker found. */
export interface ReadYourWritesReport {
  /** Reads that observed something (a value or 'absent'). */
  readonly readsChecked: number;
  /** Stale or phantom reads (all counted). */
  readonly violations: number;
  readonly samples: readonly KvViolation[];
}

/** Checks every finished read of `history` (see the module comment). */
export function checkReadYourWrites(history: readonly KvOpRecord[], samplesMax: number = kvViolationSamplesMaxDefault): ReadYourWritesReport {
  const writes = writesByKey(history);
  const log = new ViolationLog(samplesMax);
  let readsChecked = 0;
  for (const read of history) {
    const seen = readObservation(read);
    if (seen === null) continue;
    readsChecked++;
    const list = writes.get(read.key) ?? [];
    const replied = read.repliedAtMs ?? read.issuedAtMs;
    // The latest write acknowledged strictly before the read was issued (-1: none).
    let acked = -1;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      if (w.outcome === 'ok' && w.repliedAtMs !== null && w.repliedAtMs < read.issuedAtMs) acked = i;
    }
    const ackedWrite = acked >= 0 ? list[acked]! : null;
    const expected = ackedWrite === null ? 'no acknowledged write before the read' : `latest acknowledged write #${ackedWrite.requestId} (${ackedWrite.op} ${ackedWrite.written ?? '<tombstone>'}, acked at ${ackedWrite.repliedAtMs} ms)`;
    const base = { key: read.key, requestId: read.requestId, atMs: replied };
    if (seen === 'absent') {
      if (ackedWrite === null || ackedWrite.op === 'delete') continue;
      if (list.some((w, i) => i > acked && w.op === 'delete' && w.issuedAtMs <= replied)) continue;
      log.add({ kind: 'stale-read', ...base, detail: `read #${read.requestId} of ${read.key} (issued ${read.issuedAtMs} ms on ${read.coordinator}) found the key absent; expected ${expected} or newer` });
      continue;
    }
    const j = writeIndexOfValue(list, seen);
    if (j < 0) {
      log.add({ kind: 'phantom-value', ...base, detail: `read #${read.requestId} of ${read.key} returned "${seen}", which no write of this key wrote` });
    } else if (j < acked) {
      const w = list[j]!;
      log.add({ kind: 'stale-read', ...base, detail: `read #${read.requestId} of ${read.key} (issued ${read.issuedAtMs} ms on ${read.coordinator}) returned "${seen}" of older write #${w.requestId}; expected ${expected} or newer` });
    } else if (list[j]!.issuedAtMs > replied) {
      log.add({ kind: 'phantom-value', ...base, detail: `read #${read.requestId} of ${read.key} returned "${seen}" of write #${list[j]!.requestId}, issued only after the read replied` });
    }
  }
  return { readsChecked, violations: log.count, samples: log.samples };
}
