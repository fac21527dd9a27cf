/**
 * Vega-lite specs of the KV charts: latency percentiles and availability over the workload window,
 * with the faults drawn behind them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { chartHeight, chartWidth, faultLayers, symlogY, ticksUpTo, timeAxisX, topLevel } from './charts.js';
import type { AvailabilityRow, LatencyRow } from './kv-data.js';
import type { FaultMark } from './series.js';

/** Buckets up to this many get a dot per value. */
const pointsShownMax = 120;

/** Chart 4: p50 and p99 latency of the answered requests per bucket of issue time. */
export function latencyChart(rows: readonly LatencyRow[], marks: readonly FaultMark[], fromS: number, toS: number, subtitle: string): TopLevelSpec {
  const ticks = ticksUpTo(rows.reduce((m, r) => Math.max(m, r.latencyMs), 1));
  return linesOverFaults('Request latency (p50, p99)', subtitle, rows, marks, fromS, toS, {
    y: symlogY('latencyMs', 'latency (ms, symlog)', ticks),
    color: { field: 'percentile', type: 'nominal', title: 'percentile', scale: { domain: ['p50', 'p99'], range: ['#2b6cb0', '#111111'] } },
  });
}

/** Chart 5: fraction of requests acknowledged (and answered) per bucket of issue time. */
export function availabilityChart(rows: readonly AvailabilityRow[], marks: readonly FaultMark[], fromS: number, toS: number, subtitle: string): TopLevelSpec {
  return linesOverFaults('Availability', subtitle, rows, marks, fromS, toS, {
    y: { field: 'fraction', type: 'quantitative', title: 'fraction of requests', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
    color: { field: 'measure', type: 'nominal', title: 'measure', scale: { domain: ['acked / issued', 'answered / issued'], range: ['#2b6cb0', '#38a169'] } },
  });
}

/** One line per series over the workload window (x: `timeS`), the faults drawn behind them. */
function linesOverFaults(title: string, subtitle: string, rows: readonly object[], marks: readonly FaultMark[], fromS: number, toS: number, encoding: { y: object; color: object }): TopLevelSpec {
  return topLevel(title, subtitle, {
    width: chartWidth,
    height: chartHeight,
    layer: [
      ...faultLayers(marks, fromS, toS),
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.8, point: rows.length <= pointsShownMax * 2 ? { size: 14 } : false },
        encoding: { x: timeAxisX('timeS', fromS, toS), ...encoding },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  });
}
