/**
 * The report's building blocks: bucket widths, run stops, escaping, SVG id scoping, the
 * aggregated dissemination band for many failures, fault marks, and the --report flag check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/commands/options.js';
import { disseminationBandChart } from '../../src/cli/report/charts.js';
import { detectionCdf, detectionWindowMs, disseminationBand } from '../../src/cli/report/membership-data.js';
import { parseReportFile, shellCommand } from '../../src/cli/report/report-file.js';
import { escapeHtml, reportPage } from '../../src/cli/report/report-html.js';
import { renderSvg, scopeSvgIds } from '../../src/cli/report/render-svg.js';
import { faultMarks, thinnedIndices } from '../../src/cli/report/series.js';
import type { DetectionDelays } from '../../src/sim/checkers/completeness.js';
import { recordBucketMs, recordPointsMax, runWithStops } from '../../src/sim/recording.js';

test('bucket widths: 1 s for short runs, never more than recordPointsMax buckets', () => {
  assert.equal(recordBucketMs(60_000), 1000);
  assert.equal(recordBucketMs(2_000_000), 1000);
  assert.equal(recordBucketMs(2_000_001), 2000);
  for (const span of [1, 59_999, 3_600_000, 86_400_000, 10 * 86_400_000, 1e12]) {
    assert.ok(Math.ceil(span / recordBucketMs(span)) <= recordPointsMax, `span ${span}`);
  }
});

test('run stops fall at every multiple of each period, and the run ends at untilMs', () => {
  const calls: string[] = [];
  const sim = {
    nowMs: 0,
    runUntil(t: number) {
      this.nowMs = t;
      calls.push(`run ${t}`);
    },
  };
  runWithStops(sim, 2500, [
    { everyMs: 1000, at: (t) => calls.push(`a ${t}`) },
    { everyMs: 500, at: (t) => calls.push(`b ${t}`) },
  ]);
  assert.deepEqual(calls, ['run 500', 'b 500', 'run 1000', 'a 1000', 'b 1000', 'run 1500', 'b 1500', 'run 2000', 'a 2000', 'b 2000', 'run 2500']);
});

test('escaping, SVG id scoping and the self-contained page', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(scopeSvgIds('<clipPath id="clip1"></clipPath><g clip-path="url(#clip1)"><use href="#clip1"/></g>', 'c9-'), '<clipPath id="c9-clip1"></clipPath><g clip-path="url(#c9-clip1)"><use href="#c9-clip1"/></g>');
  const html = reportPage({ title: 't<', command: 'ringkv <script>', seed: '1', summary: ['</pre>'], sections: [{ id: 'x"y', title: 'T&', about: 'a>b', note: 'n<' }] });
  assert.ok(!html.includes('<script>'));
  for (const s of ['t&lt;', 'ringkv &lt;script&gt;', '&lt;/pre&gt;', 'id="x&quot;y"', 'T&amp;', 'a&gt;b', 'n&lt;']) assert.ok(html.includes(s), s);
  assert.throws(() => reportPage({ title: 't', command: 'c', seed: '1', summary: [], sections: [{ id: 'x', title: 'x', about: '', svg: '<svg><script>alert(1)</script></svg>' }] }));
  assert.equal(shellCommand(['ringkv', 'sim', '--partition', '30%@2000-4000', 'a b', "it's"]), `ringkv sim --partition 30%@2000-4000 'a b' 'it'\\''s'`);
});

test('many failures: the dissemination band (median, 10th-90th percentile) and the CDF stay within bounds', async () => {
  // 40 failures seen by 100 observers each, failure k detected between 1000 + 10k and 2000 + 10k ms; failure 0 by half only.
  const detections: DetectionDelays[] = Array.from({ length: 40 }, (_, k) => ({
    member: `n${k}`,
    crashAtMs: 10_000,
    observers: 100,
    delaysMs: Array.from({ length: k === 0 ? 50 : 100 }, (_, i) => 1000 + 10 * k + 10 * i),
  }));
  const window = detectionWindowMs(detections, 60_000);
  assert.ok(window.fromMs < 1000 && window.toMs > 2390 && window.toMs <= 50_000, JSON.stringify(window));
  const band = disseminationBand(detections, window, 200);
  assert.equal(band.length, 200);
  for (const p of band) assert.ok(p.low >= 0 && p.low <= p.median && p.median <= p.high && p.high <= 1, JSON.stringify(p));
  assert.equal(band[0]!.median, 0);
  assert.equal(band[band.length - 1]!.median, 1);
  const cdf = detectionCdf(detections, 100);
  assert.ok(cdf.points.length <= 101);
  assert.equal(cdf.pairs, 4000);
  assert.equal(cdf.detected, 3950);
  const warnings: string[] = [];
  const svg = await renderSvg(disseminationBandChart(band, window, 'sub'), (w) => warnings.push(w));
  assert.deepEqual(warnings, []);
  assert.ok(svg.startsWith('<svg'));
  assert.deepEqual(thinnedIndices(5, 10), [0, 1, 2, 3, 4]);
  assert.deepEqual(thinnedIndices(101, 3), [0, 50, 100]);
});

test('fault marks: crashes at one instant merge into one mark; spans keep their ends', () => {
  const marks = faultMarks([
    { kind: 'crash', node: 'n1', startMs: 10_000, endMs: null, label: 'crash n1' },
    { kind: 'crash', node: 'n2', startMs: 10_000, endMs: null, label: 'crash n2' },
    { kind: 'partition', node: null, startMs: 20_000, endMs: 40_000, label: 'partition 30%@20000-40000 (9 nodes)' },
  ]);
  assert.deepEqual(marks, [
    { kind: 'crash', label: 'crash n1, n2', startS: 10, endS: null },
    { kind: 'partition', label: 'partition 30%@20000-40000 (9 nodes)', startS: 20, endS: 40 },
  ]);
  const many = faultMarks(Array.from({ length: 100 }, (_, i) => ({ kind: 'crash' as const, node: `n${i}`, startMs: 5000, endMs: null, label: '' })));
  assert.deepEqual(many, [{ kind: 'crash', label: 'crash 100 nodes', startS: 5, endS: null }]);
});

test('--report is checked before the run: a directory or an unwritable place is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ringkv-report-flag-'));
  try {
    assert.equal(parseReportFile({}), undefined);
    assert.equal(parseReportFile({ report: join(dir, 'r.html') }), join(dir, 'r.html'));
    assert.throws(() => parseReportFile({ report: dir }), (e: unknown) => e instanceof UsageError && /is a directory/.test(e.message));
    assert.throws(() => parseReportFile({ report: join(dir, 'missing', 'r.html') }), (e: unknown) => e instanceof UsageError && /cannot write/.test(e.message));
    assert.throws(() => parseReportFile({ report: '' }), UsageError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
