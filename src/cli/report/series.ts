/**
 * Small helpers that turn recorded series into chart rows: step functions over sorted samples,
 * thinned to a bounded number of points, and fault marks in seconds.
 */
import type { RecordedFault, TrafficSeries } from '../../sim/recording.js';

/** Number of values in an ascending list that are <= x. */
export function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index positions 0..n-1 thinned to at most `pointsMax`, first and last always kept. */
export function thinnedIndices(n: number, pointsMax: number): number[] {
  if (n <= pointsMax) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let j = 0; j < pointsMax; j++) {
    const i = Math.round((j * (n - 1)) / (pointsMax - 1));
    if (out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/** Linear-interpolated percentile `p` (0..1) of an ascending list; NaN when empty. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** A fault, in seconds of virtual time, ready to draw: a span, or an instant when `endS` is null. */
export interface FaultMark {
  readonly kind: string;
  readonly label: string;
  readonly startS: number;
  readonly endS: number | null;
}

/** Names of fault kinds as the legend shows them. */
export const faultKindNames: Readonly<Record<RecordedFault['kind'], string>> = {
  crash: 'crash',
  'permanent-crash': 'crash for good',
  'crash-restart': 'crash + restart',
  pause: 'pause',
  partition: 'partition',
  'loss-burst': 'loss burst',
};

/** Faults listed on one label per mark: several crashes at the same instant become one mark. */
export const crashNamesListedMax = 4;

/** The faults as marks; crashes of several nodes at one instant are merged into one mark. */
export function faultMarks(faults: readonly RecordedFault[]): FaultMark[] {
  const marks: FaultMark[] = [];
  const crashes = new Map<number, string[]>();
  for (const f of faults) {
    if (f.kind === 'crash' && f.endMs === null) {
      const list = crashes.get(f.startMs) ?? [];
      list.push(f.node ?? '?');
      crashes.set(f.startMs, list);
      continue;
    }
    marks.push({ kind: faultKindNames[f.kind], label: f.label, startS: f.startMs / 1000, endS: f.endMs === null ? null : f.endMs / 1000 });
  }
  for (const [atMs, nodes] of crashes) {
    const names = nodes.length <= crashNamesListedMax ? nodes.join(', ') : `${nodes.length} nodes`;
    marks.push({ kind: faultKindNames.crash, label: `crash ${names}`, startS: atMs / 1000, endS: null });
  }
  return marks.sort((a, b) => a.startS - b.startS);
}

/** Bytes per node per second in one bucket, in total and by channel. */
export interface TrafficRow {
  /** Start of the bucket, in seconds of virtual time. */
  readonly timeS: number;
  readonly channel: 'total' | 'datagrams' | 'stream frames';
  readonly bytesPerNodePerSec: number;
}

/**
 * Three rows per bucket (total, datagrams, stream frames), plus closing rows at the end of the
 * last bucket so a step-after line covers it.
 */
export function trafficRows(series: TrafficSeries): TrafficRow[] {
  const rows: TrafficRow[] = [];
  const nodes = Math.max(1, series.nodes);
  const push = (timeS: number, datagram: number, stream: number): void => {
    rows.push({ timeS, channel: 'total', bytesPerNodePerSec: datagram + stream });
    rows.push({ timeS, channel: 'datagrams', bytesPerNodePerSec: datagram });
    rows.push({ timeS, channel: 'stream frames', bytesPerNodePerSec: stream });
  };
  let last: { endMs: number; datagram: number; stream: number } | null = null;
  for (const b of series.buckets) {
    const seconds = (b.endMs - b.startMs) / 1000;
    if (seconds <= 0) continue;
    const datagram = b.datagramBytes / nodes / seconds;
    const stream = b.streamBytes / nodes / seconds;
    push(b.startMs / 1000, datagram, stream);
    last = { endMs: b.endMs, datagram, stream };
  }
  if (last !== null) push(last.endMs / 1000, last.datagram, last.stream);
  return rows;
}
