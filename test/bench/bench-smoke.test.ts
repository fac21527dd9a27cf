/**
 * The benchmark harness's pure helpers (bench/lib, the report builders, the redis-benchmark CSV
 * parser): medians, percentiles, tables, ratios. No benchmark runs here: those take minutes and
 * depend on the machine (`npm run bench`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyRecorder, median, parseIntOption, parseNumberList, percentileSorted, ratio } from '../../bench/lib/stats.js';
import { fixed, int, markdownTable, ratioCell } from '../../bench/lib/table.js';
import { parseRedisBenchmarkCsv } from '../../bench/kv/redis-benchmark.js';
import { failedRequests, metricValue } from '../../bench/kv/metrics.js';
import { kvRows } from '../../bench/kv/report.js';
import { lossCell, summaryRows } from '../../bench/membership/report.js';
import type { MembershipRunResult } from '../../bench/membership/types.js';
import { parseMembershipSets } from '../../bench/membership/options.js';
import { simRows } from '../../bench/sim/report.js';

describe('bench stats', () => {
  it('median: odd, even, missing figures skipped, empty', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([NaN, 5, Infinity, 1]), 3);
    assert.ok(Number.isNaN(median([])));
  });

  it('nearest-rank percentiles are observed values', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentileSorted(sorted, 50), 50);
    assert.equal(percentileSorted(sorted, 99), 99);
    assert.equal(percentileSorted(sorted, 100), 100);
    assert.equal(percentileSorted(sorted, 0), 1);
    assert.ok(Number.isNaN(percentileSorted([], 50)));
  });

  it('LatencyRecorder keeps up to its capacity and counts the rest', () => {
    const r = new LatencyRecorder(3);
    for (const ms of [5, 1, 3, 9]) r.record(ms);
    assert.equal(r.size, 3);
    assert.equal(r.overflowed, 1);
    assert.deepEqual(r.summary(), { p50: 3, p99: 5, max: 5 });
  });

  it('ratio is NaN without a usable reference', () => {
    assert.equal(ratio(1, 4), 0.25);
    assert.ok(Number.isNaN(ratio(1, undefined)));
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(NaN, 2)));
  });

  it('option parsing names the option on bad input', () => {
    assert.deepEqual(parseNumberList('--nodes', '20, 50,100'), [20, 50, 100]);
    assert.throws(() => parseNumberList('--loss', '0,x'), /--loss/);
    assert.equal(parseIntOption('--runs', '3', 1, 10), 3);
    assert.throws(() => parseIntOption('--runs', '0', 1, 10), /--runs/);
    assert.deepEqual(parseMembershipSets(['membership.suspicionMult=2', 'streamPingFallback=false']), { suspicionMult: 2, streamPingFallback: false });
  });
});

describe('bench tables', () => {
  it('markdown table with escaped cells; rows must match the header', () => {
    assert.equal(markdownTable(['a', 'b'], [['1', 'x|y']]), '| a | b |\n|---|---|\n| 1 | x\\|y |');
    assert.throws(() => markdownTable(['a'], [['1', '2']]), /2 cells/);
  });

  it('number cells', () => {
    assert.equal(fixed(NaN, 1), '-');
    assert.equal(int(12345.6), '12,346');
    assert.equal(ratioCell(0.42, 0.5), '0.42x ✓');
    assert.equal(ratioCell(1.2, 1), '1.20x ✗');
    assert.equal(lossCell(0.07), '7 %');
  });

  it('membership summary: medians per (N, loss) beside memberlist, ratios, false positives summed', () => {
    const run = (last: number, bytes: number, fp: number): MembershipRunResult => ({
      nodes: 50, loss: 0, seed: 1, convergeS: 2, udpPacketsPerNodePerS: 2, udpBytesPerNodePerS: bytes, tcpBytesPerNodePerS: 10,
      detectFirstS: last - 1, detectMedianS: last - 0.5, detectLastS: last, undetected: 0, falsePositives: fp, liveSuspicions: 1,
      lagWindow: { p99Ms: 1, maxMs: 2, meanMs: 0 }, lagDetect: { p99Ms: 1, maxMs: 2, meanMs: 0 }, lagOk: true,
    });
    const [row] = summaryRows([run(4, 100, 0), run(3, 120, 1), run(5, 80, 0)]);
    assert.ok(row !== undefined);
    assert.equal(row[0], '50');
    assert.equal(row[3], '100');
    assert.equal(row[4], '4.0 s (first 3.0 s, median 3.5 s)');
    assert.equal(row[5], '1');
    assert.equal(row[7], '2.1, 114 B, 8.8 s');
    assert.equal(row[8], '0.88x ✓');
    assert.equal(row[9], '0.45x ✓');
    assert.equal(row[11], 'ok');
  });

  it('redis-benchmark CSV and the KV table', () => {
    const csv = '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n"SET","20000.00","1.2","0.1","1.100","2.0","4.500","9.0"\n"GET","31000.00","0.9","0.1","0.800","1.5","3.000","7.0"\n';
    const parsed = parseRedisBenchmarkCsv(csv);
    assert.deepEqual(parsed, [{ test: 'SET', rps: 20000, p50: 1.1, p99: 4.5 }, { test: 'GET', rps: 31000, p50: 0.8, p99: 3 }]);
    assert.throws(() => parseRedisBenchmarkCsv('"test","rps"\n'), /p50_latency_ms/);
    const rows = kvRows(parsed.map((p) => ({ cluster: '3 nodes', client: 'redis-benchmark -c 50', op: p.test, opsPerS: p.rps, p50Ms: p.p50, p99Ms: p.p99, errors: 0 })));
    assert.equal(rows[0]![3], '20,000');
    assert.match(rows[0]![8]!, /target ≥ 19,000\/s ✓, p99 ≤ 5 ms ✓/);
    assert.match(rows[1]![8]!, /target ≥ 30,000\/s ✓/);
    // Latency-curve rows at other client counts carry the reference but no verdict; the main
    // client count (targetClient) is the one judged.
    const curve = parsed.map((p) => ({ cluster: '3 nodes', client: 'redis-benchmark -c 5', op: p.test, opsPerS: p.rps, p50Ms: p.p50, p99Ms: p.p99, errors: 0 }));
    const curveRows = kvRows(curve);
    assert.equal(curveRows[0]![8], 'redis-server 107,000 SET/s');
    assert.equal(curveRows[1]![8], 'redis-server 109,000 GET/s');
    assert.match(kvRows(curve, 'redis-benchmark -c 5')[0]![8]!, /target ≥ 19,000\/s ✓/);
    const put = kvRows([{ cluster: '3 nodes', client: 'wrk keep-alive x48', op: 'PUT', opsPerS: 10_340, p50Ms: 3.8, p99Ms: 20, errors: 0 }]);
    assert.equal(put[0]![8], 'etcd, 3 members, HTTP/JSON: ~9,400 puts/s, p99 11-16 ms; 1.10x etcd');
  });

  it('failed requests from the node metrics: every outcome but ok and not-found', () => {
    const text = [
      '# TYPE ringkv_kv_requests_total counter',
      'ringkv_kv_requests_total{op="put",outcome="ok",consistency="default"} 100',
      'ringkv_kv_requests_total{op="read",outcome="KV_ERR_NOT_FOUND",consistency="default"} 7',
      'ringkv_kv_requests_total{op="put",outcome="KV_ERR_OVERLOADED",consistency="default"} 3',
      'ringkv_kv_requests_total{op="put",outcome="KV_ERR_TIMEOUT",consistency="default"} 2',
    ].join('\n');
    assert.equal(failedRequests(text), 5);
  });

  it('an unlabelled metric value, and 0 when the node does not export it', () => {
    const text = ['# TYPE ringkv_storage_commit_seconds_total counter', 'ringkv_storage_commit_seconds_total 1.25', 'ringkv_storage_commit_seconds_total_other 9'].join('\n');
    assert.equal(metricValue(text, 'ringkv_storage_commit_seconds_total'), 1.25);
    assert.equal(metricValue(text, 'ringkv_absent'), 0);
  });

  it('sim table: per simulated second and per wall second', () => {
    const [row] = simRows([{ nodes: 1000, seed: 1, simulatedS: 60, wallS: 12, simWallS: 11, messages: 1_200_000, peakRssMb: 300, rssSource: 'GNU time', violations: [] }]);
    assert.deepEqual(row, ['1,000', '60', '12.0', '0.200', '100,000', '300', 'pass', '1']);
  });
});
