/**
 * `ringkv sim --report FILE`: the report page of a membership run (detection CDF, dissemination,
 * traffic) and of a KV run (latency, availability, traffic), from a recorded run.
 */
import type { KvRecording } from '../../sim/kv-run.js';
import type { KvRunReport } from '../../sim/kv-report.js';
import type { MembershipRunReport } from '../../sim/membership-report.js';
import type { MembershipRecording } from '../../sim/membership-run.js';
import { detectionCdfChart, disseminationBandChart, disseminationLinesChart, trafficChart } from './charts.js';
import { availabilityChart, latencyChart } from './charts-kv.js';
import { availabilityRows, latencyRows } from './kv-data.js';
import { detectionCdf, detectionWindowMs, disseminationBand, disseminationCurves, disseminationLinesMax } from './membership-data.js';
import { renderSvg, type WarningSink } from './render-svg.js';
import { reportPage, type ReportSection } from './report-html.js';
import { faultMarks, trafficRows, type FaultMark } from './series.js';

/** What the page says about how the run was made. */
export interface ReportContext {
  /** The command as typed. */
  readonly command: string;
  /** The command that replays the run (with its seed). */
  readonly replay: string;
  /** The lines the CLI printed for the run. */
  readonly summary: readonly string[];
  readonly onWarning?: WarningSink;
}

/** Chart titles, in page order (tests look for them). */
export const membershipChartTitles = ['Detection time CDF', 'Dissemination', 'Bytes sent per node per second'] as const;
export const kvChartTitles = ['Request latency (p50, p99)', 'Availability', 'Bytes sent per node per second'] as const;

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toLocaleString('en-US')} s`;
}

const aboutCdf =
  'For every crashed node and every node still alive at the end, the time from the crash until that survivor first had the crashed node dead (or left) in its view. ' +
  'A point (x, y) says: a fraction y of all these detections happened within x ms. Steep and far left is good; a long tail to the right means a few survivors learned late. ' +
  'Pairs that never detected the crash are not in the curve (it ends at 100%); the subtitle counts them.';
const aboutDissemination =
  'For each crashed node, the fraction of live nodes that have it dead, over time since its crash. ' +
  'A failure is first detected by a few probers, then spreads by gossip; the curve should rise to 100%. A line that stays below 100% means some survivors never learned of the failure.';
const aboutTraffic =
  'Bytes sent by all nodes in each time bucket, divided by the number of nodes and the bucket length (the same average as the summary\'s "per node per virtual s"): ' +
  'in total, and split into datagrams (probes, acks, gossip) and stream frames (push-pull state exchanges, KV transfers). ' +
  'The axis is symmetric-log, so that the join burst and the steady state are both readable. Faults are drawn as dashed rules (instants) and shaded bands (spans).';

/** The membership report page. */
export async function membershipReportHtml(report: MembershipRunReport, rec: MembershipRecording, ctx: ReportContext): Promise<string> {
  const sections: ReportSection[] = [];
  const detections = rec.detections;
  if (detections.length === 0) {
    const note = 'No node crashed in this run (--fail 0): there are no detection times.';
    sections.push({ id: 'detection', title: membershipChartTitles[0], about: aboutCdf, note });
    sections.push({ id: 'dissemination', title: membershipChartTitles[1], about: aboutDissemination, note });
  } else {
    const cdf = detectionCdf(detections);
    const window = detectionWindowMs(detections, rec.durationMs);
    const never = cdf.pairs - cdf.detected;
    const cdfSubtitle = `${int(cdf.detected)} of ${int(cdf.pairs)} (crashed node, survivor) pairs detected${never > 0 ? `; ${int(never)} never (left out)` : ''}; ${detections.length} crashed node(s) at ${int(report.failAtMs)} ms`;
    if (cdf.detected === 0) sections.push({ id: 'detection', title: membershipChartTitles[0], about: aboutCdf, note: `No survivor detected any crash: ${cdfSubtitle}.` });
    else sections.push({ id: 'detection', title: membershipChartTitles[0], about: aboutCdf, svg: await renderSvg(detectionCdfChart(cdf.points, cdf.p50Ms, cdf.p99Ms, window, cdfSubtitle), ctx.onWarning) });
    const complete = detections.filter((d) => d.delaysMs.length === d.observers).length;
    const dSubtitle = `${detections.length} failure(s); ${complete} reached every live node`;
    const chart =
      detections.length <= disseminationLinesMax
        ? disseminationLinesChart(disseminationCurves(detections, window.toMs), window, dSubtitle)
        : disseminationBandChart(disseminationBand(detections, window), window, dSubtitle);
    sections.push({ id: 'dissemination', title: membershipChartTitles[1], about: aboutDissemination, svg: await renderSvg(chart, ctx.onWarning) });
  }
  const trafficSubtitle = `${int(report.traffic.bytesPerNodePerSec)} bytes per node per virtual s on average; ${rec.nodes.toLocaleString('en-US')} nodes, buckets of ${seconds(rec.traffic.bucketMs)}`;
  const traffic = trafficChart(trafficRows(rec.traffic), faultMarks(rec.faults), rec.durationMs / 1000, trafficSubtitle);
  sections.push({ id: 'traffic', title: membershipChartTitles[2], about: aboutTraffic, svg: await renderSvg(traffic, ctx.onWarning) });
  return reportPage({
    title: `ringkv sim report: ${report.nodes.toLocaleString('en-US')} nodes, ${report.protocol}, seed ${report.seed}`,
    command: ctx.command,
    replay: ctx.replay,
    seed: String(report.seed),
    summary: ctx.summary,
    sections,
  });
}

const aboutLatency =
  'Per bucket of issue time, the median (p50) and 99th percentile (p99) of the time from a request\'s issue to its reply, over the requests that got a reply (success or error; requests orphaned by a coordinator crash have none). ' +
  'The scale is symmetric-log so that both fit: p99 jumps when requests wait for a timeout during a fault. Faults are drawn behind.';
const aboutAvailability =
  'Per bucket of issue time: acknowledged requests over issued ones (the summary\'s "availability"), and answered ones over issued ones (acknowledged plus the precondition refusals NOT_FOUND / EXISTS, which are correct answers of a healthy store). ' +
  'Dips under the shaded faults show what the clients felt.';

/** The KV report page. */
export async function kvReportHtml(report: KvRunReport, rec: KvRecording, ctx: ReportContext): Promise<string> {
  const marks = faultMarks(rec.faults);
  const fromS = rec.warmupMs / 1000;
  const toS = rec.durationMs / 1000;
  const bucket = `buckets of ${seconds(rec.ops.bucketMs)} of issue time`;
  const o = report.ops;
  const sections: ReportSection[] = [];
  const latency = latencyRows(rec.ops);
  const availability = availabilityRows(rec.ops);
  if (latency.length === 0) {
    sections.push({ id: 'latency', title: kvChartTitles[0], about: aboutLatency, note: 'No request got a reply.' });
  } else {
    sections.push({ id: 'latency', title: kvChartTitles[0], about: aboutLatency, svg: await renderSvg(latencyChart(latency, marks, fromS, toS, `${int(o.total.acked + o.total.failed)} answered requests; ${bucket}`), ctx.onWarning) });
  }
  if (availability.length === 0) {
    sections.push({ id: 'availability', title: kvChartTitles[1], about: aboutAvailability, note: 'No request was issued.' });
  } else {
    const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');
    const subtitle = `${pct(o.availability)} acked, ${pct(o.answeredRatio)} answered over the run; ${report.faults.length} fault(s); ${bucket}`;
    sections.push({ id: 'availability', title: kvChartTitles[1], about: aboutAvailability, svg: await renderSvg(availabilityChart(availability, marks, fromS, toS, subtitle), ctx.onWarning) });
  }
  const phases: FaultMark[] = [
    { kind: 'phase', label: 'workload starts', startS: fromS, endS: null },
    { kind: 'phase', label: 'quiet period', startS: toS, endS: null },
  ];
  if (rec.convergedAtMs !== null) phases.push({ kind: 'phase', label: 'converged', startS: rec.convergedAtMs / 1000, endS: null });
  const trafficSubtitle = `whole run: warm-up, workload with faults, quiet period; ${rec.nodes} nodes, buckets of ${seconds(rec.traffic.bucketMs)}`;
  const traffic = trafficChart(trafficRows(rec.traffic), marks, rec.endMs / 1000, trafficSubtitle, phases);
  sections.push({ id: 'traffic', title: kvChartTitles[2], about: aboutTraffic, svg: await renderSvg(traffic, ctx.onWarning) });
  return reportPage({
    title: `ringkv sim report: KV workload, ${report.nodes} nodes, seed ${report.seed}`,
    command: ctx.command,
    replay: ctx.replay,
    seed: String(report.seed),
    summary: ctx.summary,
    sections,
  });
}
