/**
 * `ringkv sim --workload kv --report`: through the command's own entry point (runKvSimCommand
 * with onRecorded, as sim.ts calls it) a short 20-node run gives a page with the latency,
 * availability and traffic charts over the fault timeline; the buckets add up to the report's
 * counts and every fraction lies in [0, 1].
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKvSimCommand } from '../../src/cli/commands/sim-kv.js';
import { availabilityRows, latencyRows } from '../../src/cli/report/kv-data.js';
import { kvChartTitles, kvReportHtml } from '../../src/cli/report/sim-report.js';
import type { KvRecording } from '../../src/sim/kv-run.js';
import type { KvRunReport } from '../../src/sim/kv-report.js';

test('a KV run records its client series and faults, and renders latency and availability charts', async () => {
  const printed: string[] = [];
  let recorded: { report: KvRunReport; recording: KvRecording } | null = null;
  const ok = runKvSimCommand(
    { nodes: 20, seed: 7, durationMs: 20_000, quietMs: 3_000, opsPerSecond: 100, onRecorded: (report, recording) => (recorded = { report, recording }) },
    (line) => printed.push(line),
  );
  assert.ok(ok, printed.join('\n'));
  const run = recorded as { report: KvRunReport; recording: KvRecording } | null;
  assert.ok(run !== null, 'onRecorded was called');
  const { report, recording } = run;

  const buckets = recording.ops.buckets;
  assert.equal(recording.ops.bucketMs, 1000);
  assert.equal(buckets[0]!.startMs, report.warmupMs);
  assert.equal(buckets[buckets.length - 1]!.endMs, report.durationMs);
  const sum = (f: (b: (typeof buckets)[number]) => number): number => buckets.reduce((s, b) => s + f(b), 0);
  assert.equal(sum((b) => b.issued), report.ops.total.issued);
  assert.equal(sum((b) => b.acked), report.ops.total.acked);
  assert.equal(sum((b) => b.failed), report.ops.total.failed);
  assert.equal(sum((b) => b.orphaned), report.ops.total.orphaned);
  for (const b of buckets) {
    if (b.latencyP50Ms === null) continue;
    assert.ok(b.latencyP50Ms >= 0 && b.latencyP50Ms <= b.latencyP99Ms! && b.latencyP99Ms! <= b.latencyMaxMs!, JSON.stringify(b));
  }
  const latency = latencyRows(recording.ops);
  assert.ok(latency.some((r) => r.percentile === 'p99'));
  const availability = availabilityRows(recording.ops);
  for (const r of availability) assert.ok(r.fraction >= 0 && r.fraction <= 1, JSON.stringify(r));
  assert.equal(recording.faults.length, report.faults.length);
  assert.ok(recording.faults.length > 0, 'seed 7 has random faults');
  assert.equal(recording.traffic.buckets[recording.traffic.buckets.length - 1]!.endMs, recording.endMs);

  const warnings: string[] = [];
  const html = await kvReportHtml(report, recording, { command: 'ringkv sim --workload kv', replay: report.reproduce, summary: printed, onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings, []);
  assert.equal(html.match(/<svg[\s>]/g)?.length, 3);
  for (const title of kvChartTitles) assert.ok(html.includes(`<h2>${title.replace(/&/g, '&amp;')}</h2>`), title);
  assert.ok(html.includes('>Request latency (p50, p99)</text>'));
  assert.ok(html.includes('>Availability</text>'));
  // Each fault is labelled on the charts.
  const first = recording.faults[0]!;
  assert.ok(html.includes(`>${first.label}</text>`), first.label);
  assert.ok(html.includes(report.reproduce), 'the header has the replay command');
});
