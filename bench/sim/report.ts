/** The simulator scale table: medians over runs per node count. Pure. */
import { median } from '../lib/stats.js';
import { fixed, int, markdownTable } from '../lib/table.js';
import type { SimRunResult } from './types.js';

export const simHeaders = ['nodes', 'simulated s', 'wall s', 'wall s per simulated s', 'simulated messages per wall s', 'peak RSS MB', 'checkers', 'runs'] as const;

export function simRows(results: readonly SimRunResult[]): string[][] {
  const groups = new Map<number, SimRunResult[]>();
  for (const r of results) groups.set(r.nodes, [...(groups.get(r.nodes) ?? []), r]);
  return [...groups.values()].map((runs) => {
    const m = (f: (r: SimRunResult) => number): number => median(runs.map(f));
    const failed = runs.filter((r) => r.violations.length > 0);
    return [
      int(runs[0]!.nodes),
      fixed(m((r) => r.simulatedS), 0),
      fixed(m((r) => r.wallS), 1),
      fixed(m((r) => r.wallS / r.simulatedS), 3),
      int(m((r) => r.messages / r.wallS)),
      int(m((r) => r.peakRssMb)),
      failed.length === 0 ? 'pass' : `FAIL in ${failed.length} run(s): ${failed[0]!.violations.join('; ')}`,
      String(runs.length),
    ];
  });
}

export function simTable(results: readonly SimRunResult[]): string {
  return markdownTable(simHeaders, simRows(results));
}
