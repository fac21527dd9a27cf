/**
 * Exactly one reply per client request (src/node/types.ts: "exactly one per 'client' input"):
 * every request got one reply by the end of the run, none got two, and no reply names a request
 * that was never issued. A request whose coordinator crashed before replying (`orphaned`) is
 * excused: its core is gone, so no reply can come (a real client would time out). Result data;
 * never throws.
 */
import type { KvOpRecord } from '../kv-history.js';
import { ViolationLog, kvViolationSamplesMaxDefault, type KvViolation } from './kv-violation.js';

/** What the reply checker found. */
export interface RepliesReport {
  readonly requests: number;
  /** Requests excused because their coordinator crashed before replying. */
  readonly orphaned: number;
  /** Requests with no reply (coordinator still running). */
  readonly missing: number;
  /** Requests with more than one reply. */
  readonly duplicated: number;
  /** Replies whose requestId no request has. */
  readonly unknown: number;
  readonly violations: number;
  readonly samples: readonly KvViolation[];
}

/** Checks reply counts of `history`; `unknownReplies` counts replies for ids never issued. */
export function checkReplies(history: readonly KvOpRecord[], unknownReplies: number, atMs: number, samplesMax: number = kvViolationSamplesMaxDefault): RepliesReport {
  const log = new ViolationLog(samplesMax);
  let orphaned = 0;
  let missing = 0;
  let duplicated = 0;
  for (const r of history) {
    const base = { kind: 'reply-count' as const, key: r.key, requestId: r.requestId, atMs };
    if (r.outcome === 'orphaned' && r.replies === 0) {
      orphaned++;
    } else if (r.replies === 0) {
      missing++;
      log.add({ ...base, detail: `request #${r.requestId} (${r.op} ${r.key} on ${r.coordinator}, issued ${r.issuedAtMs} ms) got no reply` });
    } else if (r.replies > 1) {
      duplicated++;
      log.add({ ...base, detail: `request #${r.requestId} (${r.op} ${r.key} on ${r.coordinator}) got ${r.replies} replies` });
    }
  }
  if (unknownReplies > 0) log.add({ kind: 'reply-count', key: null, requestId: null, atMs, detail: `${unknownReplies} replies for request ids never issued` });
  return { requests: history.length, orphaned, missing, duplicated, unknown: unknownReplies, violations: log.count, samples: log.samples };
}
