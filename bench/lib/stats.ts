/**
 * Pure statistics for the benchmarks: medians over runs, percentiles over latency samples, and a
 * bounded latency recorder. No I/O here, so test/bench/bench-smoke.test.ts can check it.
 */

/** Median of the finite values (NaN / Infinity are "no figure" and skipped); NaN when none. */
export function median(values: readonly number[]): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/**
 * Nearest-rank percentile (p in 0..100) of values already sorted ascending; NaN when empty.
 * Nearest rank, not interpolation: the figure is always a latency that was actually observed.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1]!;
}

/** ours / reference, NaN when either is missing or the reference is 0. */
export function ratio(ours: number, reference: number | undefined): number {
  if (reference === undefined || !Number.isFinite(ours) || !Number.isFinite(reference) || reference === 0) return NaN;
  return ours / reference;
}

/** Default capacity of a LatencyRecorder: 1 M samples = 8 MB of Float64. */
export const latencySamplesMaxDefault = 1_000_000;

/**
 * Latencies in ms in a preallocated Float64Array (no per-sample allocation, so recording does not
 * disturb what it measures). Beyond `capacity` samples are counted but not kept: runs are sized
 * so this does not happen, and `overflowed` says when it did.
 */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;
  overflowed = 0;

  constructor(capacity = latencySamplesMaxDefault) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (this.count < this.samples.length) this.samples[this.count++] = ms;
    else this.overflowed++;
  }

  get size(): number {
    return this.count;
  }

  /** p50 / p99 / max of what was kept (sorts a copy; call once at the end). */
  summary(): { readonly p50: number; readonly p99: number; readonly max: number } {
    const sorted = this.samples.slice(0, this.count).sort();
    return { p50: percentileSorted(sorted, 50), p99: percentileSorted(sorted, 99), max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]! };
  }
}

/** Parses "20,50,100" into numbers; throws with the option name on anything else. */
export function parseNumberList(option: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const values = parts.map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new Error(`${option}: expected a comma-separated list of numbers, got "${text}"`);
  return values;
}

/** Parses an integer option within [min, max]; throws with the option name otherwise. */
export function parseIntOption(option: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${option}: expected an integer ${min}..${max}, got "${text}"`);
  return v;
}
