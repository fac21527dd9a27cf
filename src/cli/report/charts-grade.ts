/**
 * Vega-lite spec of a graded run's membership timeline (`ringkv grade --report`): one row per
 * node, x = course ticks; the left panel covers the joins, the right one the failures and
 * removals, each zoomed on its own ticks.
 */
import type { TopLevelSpec } from 'vega-lite';
import { topLevel, type Json } from './charts.js';
import type { Timeline, TimelineMark } from './grade-data.js';

const kinds: readonly TimelineMark['kind'][] = ['started', 'joined the group', 'learned of joins', 'removed', 'failed'];
const shapes = ['circle', 'square', 'circle', 'triangle-down', 'cross'];
const colors = ['#999999', '#2ca02c', '#4c78a8', '#d62728', '#111111'];
const rowHeight = 26;

/** A tick range with a label, e.g. the message-drop window. */
export interface TickSpan {
  readonly fromTick: number;
  readonly toTick: number;
  readonly label: string;
}

function panel(title: string, marks: readonly TimelineMark[], nodes: readonly string[], fromTick: number, toTick: number, width: number, extra: readonly Json[]): Json {
  const x = { field: 'tick', type: 'quantitative', title, scale: { domain: [fromTick, toTick], nice: false, zero: false }, axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'node', type: 'nominal', sort: [...nodes], title: null, scale: { domain: [...nodes] } };
  return {
    width,
    height: Math.max(60, rowHeight * nodes.length),
    layer: [
      ...extra,
      {
        data: { values: marks },
        mark: { type: 'point', filled: true, opacity: 0.9, clip: true },
        encoding: {
          x,
          y,
          shape: { field: 'kind', type: 'nominal', title: 'event', scale: { domain: [...kinds], range: shapes } },
          color: { field: 'kind', type: 'nominal', title: 'event', scale: { domain: [...kinds], range: colors } },
          size: { value: 70 },
        },
      },
      // Labels alternate above and below their mark along each row, so that close ones do not collide.
      ...[0, 1].map((parity) => ({
        data: { values: labelled(marks).filter((m) => m.parity === parity) },
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5, dy: parity === 0 ? -7 : 7, fontSize: 9.5, color: '#333', clip: true },
        encoding: { x, y, text: { field: 'text' } },
      })),
    ],
  };
}

/** The marks with a label, each with its parity (0, 1, 0, ...) in tick order along its row. */
function labelled(marks: readonly TimelineMark[]): (TimelineMark & { readonly parity: number })[] {
  const seen = new Map<string, number>();
  return marks
    .filter((m) => m.text !== '')
    .sort((a, b) => a.tick - b.tick)
    .map((m) => {
      const k = seen.get(m.node) ?? 0;
      seen.set(m.node, k + 1);
      return { ...m, parity: k % 2 };
    });
}

/** The timeline chart: joins on the left; failures and removals on the right (when there were any). */
export function gradeTimelineChart(title: string, subtitle: string, t: Timeline, lossWindow: TickSpan | null): TopLevelSpec {
  const joins = t.marks.filter((m) => m.kind === 'started' || m.kind === 'joined the group' || m.kind === 'learned of joins');
  const left = panel('tick (joins)', joins, t.nodes, -0.5, t.lastJoinTick + 1.5, 300, []);
  if (t.faultRange === null) return topLevel(title, subtitle, left);
  const from = t.faultRange.first - 5;
  const to = t.faultRange.last + 10;
  const extra: Json[] = [];
  if (lossWindow !== null && lossWindow.toTick >= from && lossWindow.fromTick <= to) {
    const span = { from: Math.max(from, lossWindow.fromTick), to: Math.min(to, lossWindow.toTick), label: lossWindow.label };
    extra.push(
      { data: { values: [span] }, mark: { type: 'rect', color: '#8c564b', opacity: 0.12 }, encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } } },
      { data: { values: [span] }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: '#6b4336' }, encoding: { x: { field: 'from', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
    );
  }
  if (t.failTicks.length > 0) {
    extra.push({ data: { values: t.failTicks.map((tick) => ({ tick })) }, mark: { type: 'rule', strokeDash: [5, 3], color: '#555' }, encoding: { x: { field: 'tick', type: 'quantitative' } } });
  }
  const faults = t.marks.filter((m) => m.kind === 'removed' || m.kind === 'failed');
  const right = panel('tick (failures and removals)', faults, t.nodes, from, to, 420, extra);
  return topLevel(title, subtitle, { hconcat: [left, right], spacing: 24, resolve: { scale: { x: 'independent' } } });
}
