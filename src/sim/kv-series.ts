/**
 * Client-side time series of a KV run, for reports: per bucket of issue time, how many requests
 * were issued and what came of them, and latency percentiles of the answered ones. Built once from
 * the history at the end of a recorded run (kv-run.ts); bounded by `recordPointsMax` buckets.
 */
import type { KvFault } from './kv-faults.js';
import type { KvOpRecord } from './kv-history.js';
import { recordBucketMs, type RecordedFault } from './recording.js';

/** Requests issued in one bucket [startMs, endMs) of issue time, and their fate. */
export interface KvOpsBucket {
  readonly startMs: number;
  readonly endMs: number;
  readonly issued: number;
  /** Successful replies. */
  readonly acked: number;
  /** Error replies, precondition refusals included. */
  readonly failed: number;
  /** Error replies that are precondition refusals (KV_ERR_NOT_FOUND, KV_ERR_EXISTS): the store answered. */
  readonly refused: number;
  /** Coordinator crashed before replying. */
  readonly orphaned: number;
  /** Latency percentiles (issue to first reply, ms) of the answered requests (success or error); null when none. */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly latencyMaxMs: number | null;
}

/** The client series over the workload window. */
export interface KvOpsSeries {
  readonly bucketMs: number;
  readonly buckets: readonly KvOpsBucket[];
}

/** Nearest-rank percentile `p` (0..1) of an ascending list; null when empty. */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

/** Buckets `history`, whose requests were issued in [startMs, endMs). */
export function buildKvOpsSeries(history: readonly KvOpRecord[], startMs: number, endMs: number): KvOpsSeries {
  const span = Math.max(0, endMs - startMs);
  const bucketMs = recordBucketMs(span);
  const count = Math.ceil(span / bucketMs);
  const issued = new Array<number>(count).fill(0);
  const acked = new Array<number>(count).fill(0);
  const failed = new Array<number>(count).fill(0);
  const refused = new Array<number>(count).fill(0);
  const orphaned = new Array<number>(count).fill(0);
  const latencies: number[][] = Array.from({ length: count }, () => []);
  for (const r of history) {
    const b = Math.floor((r.issuedAtMs - startMs) / bucketMs);
    if (b < 0 || b >= count) continue;
    issued[b]!++;
    if (r.outcome === 'ok') acked[b]!++;
    else if (r.outcome === 'failed') {
      failed[b]!++;
      if (r.errorCode === 'KV_ERR_NOT_FOUND' || r.errorCode === 'KV_ERR_EXISTS') refused[b]!++;
    } else if (r.outcome === 'orphaned') orphaned[b]!++;
    if ((r.outcome === 'ok' || r.outcome === 'failed') && r.repliedAtMs !== null) latencies[b]!.push(r.repliedAtMs - r.issuedAtMs);
  }
  const buckets: KvOpsBucket[] = [];
  for (let b = 0; b < count; b++) {
    const sorted = latencies[b]!.sort((x, y) => x - y);
    buckets.push({
      startMs: startMs + b * bucketMs,
      endMs: Math.min(endMs, startMs + (b + 1) * bucketMs),
      issued: issued[b]!,
      acked: acked[b]!,
      failed: failed[b]!,
      refused: refused[b]!,
      orphaned: orphaned[b]!,
      latencyP50Ms: percentileOfSorted(sorted, 0.5),
      latencyP99Ms: percentileOfSorted(sorted, 0.99),
      latencyMaxMs: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
    });
  }
  return { bucketMs, buckets };
}

/** A planned KV fault as the report draws it. */
export function recordedKvFault(f: KvFault): RecordedFault {
  const end = f.atMs + f.durationMs;
  switch (f.kind) {
    case 'permanent-crash':
      return { kind: 'permanent-crash', node: f.node, startMs: f.atMs, endMs: null, label: `crash for good ${f.node ?? ''}` };
    case 'loss-burst':
      return { kind: 'loss-burst', node: null, startMs: f.atMs, endMs: end, label: `loss ${(f.loss * 100).toFixed(0)}%` };
    case 'crash-restart':
      return { kind: 'crash-restart', node: f.node, startMs: f.atMs, endMs: end, label: `crash+restart ${f.node ?? ''}` };
    case 'pause':
      return { kind: 'pause', node: f.node, startMs: f.atMs, endMs: end, label: `pause ${f.node ?? ''}` };
    case 'partition':
      return { kind: 'partition', node: f.node, startMs: f.atMs, endMs: end, label: `partition ${f.node ?? ''}` };
  }
}
