/**
 * Vega-lite specs of the simulation report, one function per chart; each takes chart rows
 * (membership-data.ts, kv-data.ts, series.ts) and returns a spec with its data inlined. Shared
 * here: the look (size, fonts) and the fault layers drawn behind time series.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CdfPoint, DetectionWindow, DisseminationBandPoint, DisseminationPoint } from './membership-data.js';
import { faultKindNames, type FaultMark, type TrafficRow } from './series.js';

/** A piece of a spec (a layer, an encoding); vega-lite checks the whole when it compiles. */
export type Json = Record<string, unknown>;

export const chartWidth = 760;
export const chartHeight = 260;

/** Fonts and sizes shared by every chart. */
export const chartConfig: Json = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right' },
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start', offset: 10 },
};

/** Colours of the fault kinds, the same in every chart. */
const faultColors: Readonly<Record<string, string>> = {
  [faultKindNames.crash]: '#d62728',
  [faultKindNames['permanent-crash']]: '#7b1010',
  [faultKindNames['crash-restart']]: '#ff7f0e',
  [faultKindNames.pause]: '#9467bd',
  [faultKindNames.partition]: '#17becf',
  [faultKindNames['loss-burst']]: '#8c564b',
};

/** A top-level spec with the shared look. */
export function topLevel(title: string, subtitle: string | readonly string[], body: Json): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: typeof subtitle === 'string' ? subtitle : [...subtitle] },
    config: chartConfig,
    background: 'white',
    padding: 8,
    ...body,
  } as unknown as TopLevelSpec;
}

/** The x axis of time charts: seconds of virtual time over [fromS, toS]. */
export function timeAxisX(field: string, fromS: number, toS: number, title = 'virtual time (s)'): Json {
  return { field, type: 'quantitative', title, scale: { domain: [fromS, toS], nice: false, zero: false } };
}

/**
 * Faults drawn behind a time series, as one nested layer (so its parts share one colour scale and
 * one "fault" legend): a translucent band per span (crash to restart, pause, partition, loss
 * burst), a dashed rule per instant (a crash), a small label at the top of each. Charts layering
 * it next to their own coloured series resolve colour independently. Empty when no fault is in
 * [fromS, toS].
 */
export function faultLayers(marks: readonly FaultMark[], fromS: number, toS: number): Json[] {
  const visible = marks.filter((m) => (m.endS ?? m.startS) >= fromS && m.startS <= toS);
  if (visible.length === 0) return [];
  const kinds = Object.keys(faultColors).filter((k) => visible.some((m) => m.kind === k));
  const color = { field: 'kind', type: 'nominal', title: 'fault', scale: { domain: kinds, range: kinds.map((k) => faultColors[k]) } };
  const spans = visible.filter((m) => m.endS !== null).map((m) => ({ ...m, startS: Math.max(fromS, m.startS), endS: Math.min(toS, m.endS!) }));
  const instants = visible.filter((m) => m.endS === null);
  const layer: Json[] = [];
  if (spans.length > 0) {
    layer.push({
      data: { values: spans },
      mark: { type: 'rect', opacity: 0.16 },
      encoding: { x: { field: 'startS', type: 'quantitative' }, x2: { field: 'endS' }, color },
    });
  }
  if (instants.length > 0) {
    layer.push({
      data: { values: instants },
      mark: { type: 'rule', strokeDash: [6, 3], strokeWidth: 1.5 },
      encoding: { x: { field: 'startS', type: 'quantitative' }, color },
    });
  }
  layer.push({
    data: { values: visible.map((m) => ({ ...m, startS: Math.max(fromS, m.startS) })) },
    mark: { type: 'text', angle: 270, align: 'right', baseline: 'top', dx: -3, dy: 3, fontSize: 9, color: '#444' },
    encoding: { x: { field: 'startS', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
  });
  return [{ layer }];
}

/** Chart 1: the CDF of detection times over every (crashed node, survivor) pair. */
export function detectionCdfChart(points: readonly CdfPoint[], p50Ms: number, p99Ms: number, window: DetectionWindow, subtitle: string): TopLevelSpec {
  const ms = (x: number): string => `${Math.round(x).toLocaleString('en-US')} ms`;
  // The curve rises from bottom left to top right: the median's label goes top left of its rule, the p99's bottom right.
  const labels = [
    { what: `median ${ms(p50Ms)}`, delayMs: p50Ms, y: 0, align: 'right', baseline: 'top', dx: -4, dy: 4 },
    { what: `p99 ${ms(p99Ms)}`, delayMs: p99Ms, y: chartHeight, align: 'left', baseline: 'bottom', dx: 4, dy: -4 },
  ].filter((m) => Number.isFinite(m.delayMs));
  return topLevel('Detection time CDF', subtitle, {
    width: chartWidth,
    height: chartHeight,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, color: '#2b6cb0', clip: true },
        encoding: {
          x: { field: 'delayMs', type: 'quantitative', title: 'time from the crash to "dead" in a survivor\'s view (ms)', scale: { domain: [window.fromMs, window.toMs], nice: false, zero: false } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of detections', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
        },
      },
      {
        data: { values: labels },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
        encoding: { x: { field: 'delayMs', type: 'quantitative' } },
      },
      ...labels.map((l) => ({
        data: { values: [l] },
        mark: { type: 'text', align: l.align, baseline: l.baseline, dx: l.dx, dy: l.dy, fontSize: 11, color: '#333' },
        encoding: { x: { field: 'delayMs', type: 'quantitative' }, y: { value: l.y }, text: { field: 'what' } },
      })),
    ],
  });
}

const disseminationX = (window: DetectionWindow): Json => ({ field: 'sinceCrashMs', type: 'quantitative', title: 'time since the crash (ms)', scale: { domain: [window.fromMs, window.toMs], nice: false, zero: false } });
const fractionY = (field: string, title: string): Json => ({ field, type: 'quantitative', title, scale: { domain: [0, 1] }, axis: { format: '.0%' } });

/** Chart 2 (few failures): one line per failure, the fraction of live nodes that have it dead. */
export function disseminationLinesChart(rows: readonly DisseminationPoint[], window: DetectionWindow, subtitle: string): TopLevelSpec {
  return topLevel('Dissemination of each failure', subtitle, {
    width: chartWidth,
    height: chartHeight,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, clip: true },
    encoding: {
      x: disseminationX(window),
      y: fractionY('fraction', 'live nodes aware'),
      color: { field: 'failure', type: 'nominal', title: 'crashed node', scale: { scheme: 'tableau10' } },
    },
  });
}

/** Chart 2 (many failures): the median over failures, and the band between the 10th and 90th percentile. */
export function disseminationBandChart(rows: readonly DisseminationBandPoint[], window: DetectionWindow, subtitle: string): TopLevelSpec {
  return topLevel('Dissemination of failures (median over failures, 10th-90th percentile band)', subtitle, {
    width: chartWidth,
    height: chartHeight,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.25, color: '#2b6cb0', clip: true },
        encoding: { x: disseminationX(window), y: fractionY('low', 'live nodes aware'), y2: { field: 'high' } },
      },
      {
        mark: { type: 'line', strokeWidth: 2, color: '#2b6cb0', clip: true },
        encoding: { x: disseminationX(window), y: fractionY('median', 'live nodes aware') },
      },
    ],
  });
}

/** Ticks of symlog axes (bytes, latency): 0 fits, and small and large values are both readable. */
export const symlogTicks = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

/** The symlog ticks up to the first one with some room above `max`. */
export function ticksUpTo(max: number): number[] {
  const out: number[] = [];
  for (const t of symlogTicks) {
    out.push(t);
    if (t >= max * 1.2) break;
  }
  return out;
}

/** A symlog y axis over [0, last tick] with those ticks, labelled with thousands separators. */
export function symlogY(field: string, title: string, ticks: readonly number[]): Json {
  return {
    field,
    type: 'quantitative',
    title,
    scale: { type: 'symlog', constant: 1, domain: [0, ticks[ticks.length - 1]] },
    // labelExpr formats each value as is (the axis' own format would pick a precision for the whole range).
    axis: { values: [...ticks], labelExpr: "format(datum.value, ',')" },
  };
}

/** Chart 3: bytes sent per node per second over the run (total and by channel), with the faults. */
export function trafficChart(rows: readonly TrafficRow[], marks: readonly FaultMark[], endS: number, subtitle: string, phases: readonly FaultMark[] = []): TopLevelSpec {
  const ticks = ticksUpTo(rows.reduce((m, r) => Math.max(m, r.bytesPerNodePerSec), 1));
  return topLevel('Bytes sent per node per second', subtitle, {
    width: chartWidth,
    height: chartHeight,
    layer: [
      ...phaseLayers(phases),
      {
        data: { values: rows },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: timeAxisX('timeS', 0, endS),
          y: symlogY('bytesPerNodePerSec', 'bytes / node / s (symlog)', ticks),
          color: { field: 'channel', type: 'nominal', title: 'sent', scale: { domain: ['total', 'datagrams', 'stream frames'], range: ['#222222', '#4c78a8', '#54a24b'] } },
          strokeWidth: { field: 'channel', type: 'ordinal', sort: ['total', 'datagrams', 'stream frames'], legend: null, scale: { domain: ['total', 'datagrams', 'stream frames'], range: [2.2, 1.3, 1.3] } },
        },
      },
      ...faultLayers(marks, 0, endS),
    ],
    resolve: { scale: { color: 'independent' } },
  });
}

/** Grey rules with a label near the bottom for the phases of a run (KV: workload start, quiet period); labels are staggered. */
export function phaseLayers(phases: readonly FaultMark[]): Json[] {
  if (phases.length === 0) return [];
  const labelled = phases.map((p, i) => ({ ...p, yPx: chartHeight - 4 - 13 * i }));
  return [
    { data: { values: labelled }, mark: { type: 'rule', color: '#999', strokeWidth: 1 }, encoding: { x: { field: 'startS', type: 'quantitative' } } },
    {
      data: { values: labelled },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, fontSize: 10, color: '#666' },
      encoding: { x: { field: 'startS', type: 'quantitative' }, y: { field: 'yPx', type: 'quantitative', scale: null }, text: { field: 'label' } },
    },
  ];
}
