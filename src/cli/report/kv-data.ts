/**
 * Chart rows of a KV run's recording: latency percentiles and availability per bucket of issue
 * time, placed at the middle of each bucket, in seconds of virtual time.
 */
import type { KvOpsSeries } from '../../sim/kv-series.js';

/** One latency percentile of one bucket. */
export interface LatencyRow {
  readonly timeS: number;
  readonly percentile: 'p50' | 'p99';
  readonly latencyMs: number;
}

/** One availability measure of one bucket (buckets without requests are left out). */
export interface AvailabilityRow {
  readonly timeS: number;
  readonly measure: 'acked / issued' | 'answered / issued';
  readonly fraction: number;
  readonly issued: number;
}

function middleS(b: { readonly startMs: number; readonly endMs: number }): number {
  return (b.startMs + b.endMs) / 2000;
}

/** p50 and p99 of the answered requests of each bucket. */
export function latencyRows(ops: KvOpsSeries): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const b of ops.buckets) {
    const t = middleS(b);
    if (b.latencyP50Ms !== null) rows.push({ timeS: t, percentile: 'p50', latencyMs: b.latencyP50Ms });
    if (b.latencyP99Ms !== null) rows.push({ timeS: t, percentile: 'p99', latencyMs: b.latencyP99Ms });
  }
  return rows;
}

/**
 * Per bucket: acknowledged requests over issued ones (the summary's "availability"), and
 * answered ones (acknowledged plus precondition refusals, NOT_FOUND/EXISTS) over issued ones.
 */
export function availabilityRows(ops: KvOpsSeries): AvailabilityRow[] {
  const rows: AvailabilityRow[] = [];
  for (const b of ops.buckets) {
    if (b.issued === 0) continue;
    const t = middleS(b);
    rows.push({ timeS: t, measure: 'acked / issued', fraction: b.acked / b.issued, issued: b.issued });
    rows.push({ timeS: t, measure: 'answered / issued', fraction: (b.acked + b.refused) / b.issued, issued: b.issued });
  }
  return rows;
}
