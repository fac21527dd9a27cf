/**
 * `ringkv sim --report` for the membership workload: the CLI writes a self-contained page with
 * three charts and changes its stdout by one final line only; the recorded data is sane (the CDF
 * rises to 1, dissemination fractions stay in [0, 1] and reach 1 for failures every survivor
 * detected, traffic buckets add up to the run's bytes); recording does not change the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectionCdf, detectionWindowMs, disseminationCurves } from '../../src/cli/report/membership-data.js';
import { membershipChartTitles, membershipReportHtml } from '../../src/cli/report/sim-report.js';
import { trafficRows } from '../../src/cli/report/series.js';
import { reportToJson } from '../../src/sim/membership-report.js';
import { runMembershipSim, runMembershipSimRecorded, type MembershipRunOptions } from '../../src/sim/membership-run.js';
import { membershipProtocols } from '../../src/sim/protocols.js';

const bin = fileURLToPath(new URL('../../../bin/ringkv.js', import.meta.url));

/** stdout without the wall-time line (it differs between two runs). */
function stable(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => !l.startsWith('wall time'))
    .join('\n');
}

function svgCount(html: string): number {
  return html.match(/<svg[\s>]/g)?.length ?? 0;
}

test('the CLI writes a report with three charts; stdout gains only "report written to FILE"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ringkv-report-'));
  try {
    const file = join(dir, 'out.html');
    const args = [bin, 'sim', '--nodes', '30', '--fail', '2', '--seed', '5', '--duration-ms', '30000', '--fail-at-ms', '5000'];
    const plain = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const withReport = spawnSync(process.execPath, [...args, '--report', file], { encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(withReport.status, 0, withReport.stderr);
    assert.equal(stable(withReport.stdout), `${stable(plain.stdout)}report written to ${file}\n`);
    assert.equal(withReport.stderr, plain.stderr);
    const html = readFileSync(file, 'utf8');
    assert.equal(svgCount(html), 3);
    for (const title of membershipChartTitles) assert.ok(html.includes(`<h2>${title}</h2>`), title);
    assert.ok(html.includes('>Detection time CDF</text>'), 'the CDF chart carries its title');
    assert.ok(html.includes('>Dissemination of each failure</text>'));
    assert.ok(html.includes('>Bytes sent per node per second</text>'));
    assert.ok(html.includes('ringkv sim --nodes 30 --fail 2 --seed 5'), 'the header shows the command');
    assert.ok(!/<script|https?:\/\/(?!www\.w3\.org)/.test(html), 'self-contained: no script, nothing fetched');
    // --json keeps stdout one JSON document: the report line goes to stderr.
    const json = spawnSync(process.execPath, [...args, '--json', '--report', file], { encoding: 'utf8' });
    assert.equal(json.status, 0, json.stderr);
    JSON.parse(json.stdout);
    assert.match(json.stderr, /report written to /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const options: MembershipRunOptions = {
  nodes: 30,
  seed: 21,
  protocol: 'swim',
  protocols: membershipProtocols,
  durationMs: 30_000,
  fail: { count: 2 },
  failAtMs: 5_000,
};

test('recorded data is sane, and recording does not change the run', async () => {
  const { report, recording } = runMembershipSimRecorded(options);
  assert.equal(reportToJson(report), reportToJson(runMembershipSim(options)), 'seed=21: recording changed the run');

  // Detection: every survivor detected both crashes.
  assert.equal(recording.detections.length, 2);
  for (const d of recording.detections) {
    assert.equal(d.observers, 28);
    assert.equal(d.delaysMs.length, 28, `${d.member}: every survivor detected it`);
    for (let i = 1; i < d.delaysMs.length; i++) assert.ok(d.delaysMs[i - 1]! <= d.delaysMs[i]!, 'delays are sorted');
  }
  const cdf = detectionCdf(recording.detections);
  assert.equal(cdf.pairs, 56);
  assert.equal(cdf.detected, 56);
  assert.equal(cdf.points[0]!.fraction, 0);
  assert.equal(cdf.points[cdf.points.length - 1]!.fraction, 1, 'the CDF ends at 1');
  for (let i = 1; i < cdf.points.length; i++) {
    assert.ok(cdf.points[i]!.fraction >= cdf.points[i - 1]!.fraction, 'the CDF is monotone');
    assert.ok(cdf.points[i]!.delayMs >= cdf.points[i - 1]!.delayMs);
  }
  assert.ok(cdf.p50Ms >= report.detection.firstMs && cdf.p50Ms <= report.detection.lastMs);

  const window = detectionWindowMs(recording.detections, recording.durationMs);
  const curves = disseminationCurves(recording.detections, window.toMs);
  for (const d of recording.detections) {
    const curve = curves.filter((p) => p.failure === d.member);
    for (const p of curve) assert.ok(p.fraction >= 0 && p.fraction <= 1, `${d.member}: fraction ${p.fraction}`);
    for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.fraction >= curve[i - 1]!.fraction, `${d.member}: the curve is monotone`);
    assert.equal(curve[curve.length - 1]!.fraction, 1, `${d.member}: reaches every live node`);
  }

  // Traffic: 1 s buckets over the run, adding up to the run's bytes.
  assert.equal(recording.traffic.bucketMs, 1000);
  assert.equal(recording.traffic.buckets.length, 30);
  const bytes = recording.traffic.buckets.reduce((s, b) => s + b.datagramBytes + b.streamBytes, 0);
  assert.equal(bytes, report.totalBytes);
  assert.equal(recording.traffic.buckets.reduce((s, b) => s + b.messages, 0), report.totalMessages);
  for (const r of trafficRows(recording.traffic)) assert.ok(r.bytesPerNodePerSec >= 0);
  assert.deepEqual(
    recording.faults.map((f) => f.kind),
    ['crash', 'crash'],
  );

  const warnings: string[] = [];
  const html = await membershipReportHtml(report, recording, { command: 'ringkv sim <x> & "y"', replay: 'ringkv sim --seed 21', summary: ['a < b'], onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings, [], 'vega and vega-lite had nothing to warn about');
  assert.equal(svgCount(html), 3);
  assert.ok(html.includes('ringkv sim &lt;x&gt; &amp; &quot;y&quot;'), 'the command is escaped');
  assert.ok(html.includes('a &lt; b'), 'the summary is escaped');
});

test('a run without crashes still gets a report: notes instead of detection charts', async () => {
  const { report, recording } = runMembershipSimRecorded({ ...options, fail: { count: 0 }, durationMs: 5_000 });
  const html = await membershipReportHtml(report, recording, { command: 'c', replay: 'r', summary: [] });
  assert.equal(svgCount(html), 1, 'only the traffic chart');
  assert.ok(html.includes('No node crashed in this run'));
});
