/**
 * Chart rows of a membership run's recording: the CDF of detection times over every
 * (crashed node, survivor) pair, and the dissemination curve of each failure (the fraction of
 * live nodes that have it dead, over time since the crash).
 */
import type { DetectionDelays } from '../../sim/checkers/completeness.js';
import { countAtMost, quantile, thinnedIndices } from './series.js';

/** Most points drawn for a CDF or for one dissemination curve. */
export const curvePointsMax = 400;
/** Above this many failures the dissemination chart shows the median and a band instead of one line each. */
export const disseminationLinesMax = 10;

/** One point of a step function. */
export interface CdfPoint {
  readonly delayMs: number;
  /** Fraction of the detected pairs detected within delayMs. */
  readonly fraction: number;
}

/** The detection-time CDF over every (crashed node, surviving observer) pair that detected it. */
export interface DetectionCdf {
  readonly points: readonly CdfPoint[];
  /** (crashed node, live observer) pairs in all. */
  readonly pairs: number;
  /** Pairs with a detection (the CDF is over these; it ends at 1). */
  readonly detected: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** All detection delays, ascending. */
function allDelays(detections: readonly DetectionDelays[]): number[] {
  const all: number[] = [];
  for (const d of detections) for (const x of d.delaysMs) all.push(x);
  return all.sort((a, b) => a - b);
}

/** The CDF, thinned to at most `pointsMax` points; it starts at (first delay, 0) and ends at 1. */
export function detectionCdf(detections: readonly DetectionDelays[], pointsMax: number = curvePointsMax): DetectionCdf {
  const sorted = allDelays(detections);
  const pairs = detections.reduce((s, d) => s + d.observers, 0);
  const n = sorted.length;
  const points: CdfPoint[] = [];
  if (n > 0) {
    points.push({ delayMs: sorted[0]!, fraction: 0 });
    for (const i of thinnedIndices(n, pointsMax)) {
      const x = sorted[i]!;
      points.push({ delayMs: x, fraction: countAtMost(sorted, x) / n });
    }
  }
  return { points, pairs, detected: n, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

/** Fraction of one failure's observers aware of it at `sinceCrashMs`. */
export interface DisseminationPoint {
  readonly failure: string;
  readonly sinceCrashMs: number;
  readonly fraction: number;
}

/** The median over failures, with the 10th-90th percentile band, at one time since the crash. */
export interface DisseminationBandPoint {
  readonly sinceCrashMs: number;
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/** The x range of the detection charts: from a little before the first detection to a little after the last, within the run. */
export interface DetectionWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The window the detection charts show. Detection takes a protocol's suspicion time, so starting
 * at the crash would squeeze every curve into the right edge: the axis starts just before the
 * first detection instead (its labels say where), and ends a little after the last.
 */
export function detectionWindowMs(detections: readonly DetectionDelays[], durationMs: number): DetectionWindow {
  let first = Infinity;
  let last = -Infinity;
  let room = Infinity;
  for (const d of detections) {
    if (d.delaysMs.length > 0) {
      first = Math.min(first, d.delaysMs[0]!);
      last = Math.max(last, d.delaysMs[d.delaysMs.length - 1]!);
    }
    room = Math.min(room, durationMs - d.crashAtMs);
  }
  if (!Number.isFinite(first)) return { fromMs: 0, toMs: Number.isFinite(room) && room > 0 ? room : 1000 };
  const span = Math.max(last - first, 100);
  const fromMs = Math.max(0, first - 0.1 * span);
  const toMs = Math.max(fromMs + 1, Math.min(last + 0.15 * span, Number.isFinite(room) ? Math.max(room, last) : last + 0.15 * span));
  return { fromMs, toMs };
}

function fractionAt(d: DetectionDelays, t: number): number {
  return d.observers === 0 ? 0 : countAtMost(d.delaysMs, t) / d.observers;
}

/** One step curve per failure, from (0, 0) to (horizon, final fraction). */
export function disseminationCurves(detections: readonly DetectionDelays[], horizonMs: number, pointsMax: number = curvePointsMax): DisseminationPoint[] {
  const rows: DisseminationPoint[] = [];
  for (const d of detections) {
    const failure = d.member;
    rows.push({ failure, sinceCrashMs: 0, fraction: fractionAt(d, 0) });
    for (const i of thinnedIndices(d.delaysMs.length, pointsMax)) {
      const t = d.delaysMs[i]!;
      if (t > horizonMs) break;
      rows.push({ failure, sinceCrashMs: t, fraction: fractionAt(d, t) });
    }
    rows.push({ failure, sinceCrashMs: horizonMs, fraction: fractionAt(d, horizonMs) });
  }
  return rows;
}

/** The median curve and its 10th-90th percentile band over failures, on an even time grid over the window. */
export function disseminationBand(detections: readonly DetectionDelays[], window: DetectionWindow, pointsMax: number = curvePointsMax): DisseminationBandPoint[] {
  const rows: DisseminationBandPoint[] = [];
  if (detections.length === 0) return rows;
  for (let k = 0; k < pointsMax; k++) {
    const t = window.fromMs + ((window.toMs - window.fromMs) * k) / (pointsMax - 1);
    const fractions = detections.map((d) => fractionAt(d, t)).sort((a, b) => a - b);
    rows.push({ sinceCrashMs: t, median: quantile(fractions, 0.5), low: quantile(fractions, 0.1), high: quantile(fractions, 0.9) });
  }
  return rows;
}
