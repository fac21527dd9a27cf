/**
 * The membership benchmark's tables: one row per run in the reference table's columns (plus what
 * is needed to trust it: live-node suspicions, loop lag), and one row per (N, loss) with the
 * medians over runs beside memberlist's figures and the ratios against the targets. Pure.
 */
import { lagWarnP99Ms } from '../lib/lag.js';
import { median, ratio } from '../lib/stats.js';
import { fixed, int, markdownTable, ratioCell } from '../lib/table.js';
import { detectTimeoutMs } from './types.js';
import type { MembershipRunResult } from './types.js';
import { bytesRatioTarget, detectionRatioTarget, membershipReference } from './reference.js';

/** "10 %" for 0.1 (rounded so 0.07 does not print as 7.000000000000001). */
export function lossCell(loss: number): string {
  return `${Number((loss * 100).toFixed(2))} %`;
}

function detectionCell(r: Pick<MembershipRunResult, 'detectFirstS' | 'detectMedianS' | 'detectLastS' | 'undetected'>): string {
  const missed = r.undetected > 0 ? `; ${r.undetected} survivor verdict(s) missing after ${detectTimeoutMs / 1000} s` : '';
  const last = Number.isFinite(r.detectLastS) ? `${fixed(r.detectLastS, 1)} s` : 'never';
  return `${last} (first ${fixed(r.detectFirstS, 1)} s, median ${fixed(r.detectMedianS, 1)} s${missed})`;
}

const timingsCell = (ok: boolean): string => (ok ? 'ok' : `INVALID: loop lag p99 > ${lagWarnP99Ms} ms`);

export const runHeaders = [
  'N', 'outgoing loss', 'UDP packets / node / s', 'UDP bytes / node / s', 'time until every survivor marks it dead', 'false positives',
  'suspicions of live nodes', 'TCP bytes / node / s', 'converged after', 'loop lag p99 / max (window; detection)', 'timings',
] as const;

export function runRow(r: MembershipRunResult): string[] {
  return [
    String(r.nodes),
    lossCell(r.loss),
    fixed(r.udpPacketsPerNodePerS, 2),
    int(r.udpBytesPerNodePerS),
    detectionCell(r),
    String(r.falsePositives),
    String(r.liveSuspicions),
    int(r.tcpBytesPerNodePerS),
    `${fixed(r.convergeS, 1)} s`,
    `${int(r.lagWindow.p99Ms)} / ${int(r.lagWindow.maxMs)} ms; ${int(r.lagDetect.p99Ms)} / ${int(r.lagDetect.maxMs)} ms`,
    timingsCell(r.lagOk),
  ];
}

export const summaryHeaders = [
  'N', 'outgoing loss', 'UDP packets / node / s', 'UDP bytes / node / s', 'time until every survivor marks it dead', 'false positives (all runs)',
  'suspicions of live nodes (all runs)', 'memberlist: packets, bytes, dead', `bytes ratio (target ≤ ${bytesRatioTarget}x)`, `detection ratio (target ≤ ${detectionRatioTarget}x)`, 'runs', 'timings',
] as const;

/** One row per (N, loss) in first-seen order: medians over its runs, sums of the counts. */
export function summaryRows(results: readonly MembershipRunResult[]): string[][] {
  const groups = new Map<string, MembershipRunResult[]>();
  for (const r of results) {
    const key = `${r.nodes}/${r.loss}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((runs) => {
    const { nodes, loss } = runs[0]!;
    const m = (f: (r: MembershipRunResult) => number): number => median(runs.map(f));
    const sum = (f: (r: MembershipRunResult) => number): number => runs.reduce((a, r) => a + f(r), 0);
    const undetected = sum((r) => r.undetected);
    // A run where some survivor never detected has no "last" figure: the median then comes from the others.
    const last = m((r) => r.detectLastS);
    const bytes = m((r) => r.udpBytesPerNodePerS);
    const ref = membershipReference(nodes, loss);
    return [
      String(nodes),
      lossCell(loss),
      fixed(m((r) => r.udpPacketsPerNodePerS), 2),
      int(bytes),
      detectionCell({ detectFirstS: m((r) => r.detectFirstS), detectMedianS: m((r) => r.detectMedianS), detectLastS: last, undetected }),
      String(sum((r) => r.falsePositives)),
      String(sum((r) => r.liveSuspicions)),
      ref === undefined ? 'no reference' : `${ref.packetsPerNodePerS}, ${ref.bytesPerNodePerS} B, ${ref.detectLastS} s`,
      ratioCell(ratio(bytes, ref?.bytesPerNodePerS), bytesRatioTarget),
      ratioCell(ratio(last, ref?.detectLastS), detectionRatioTarget),
      String(runs.length),
      timingsCell(runs.every((r) => r.lagOk)),
    ];
  });
}

export function runTable(results: readonly MembershipRunResult[]): string {
  return markdownTable(runHeaders, results.map(runRow));
}

export function summaryTable(results: readonly MembershipRunResult[]): string {
  return markdownTable(summaryHeaders, summaryRows(results));
}
