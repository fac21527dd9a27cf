/**
 * RequestMetrics keeps its own counters but must expose exactly what prom-client's Counter and
 * Histogram would for the same observations (dashboards and the bench parse these families).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { RequestMetrics, latencyBucketsSeconds } from '../../src/runtime/request-metrics.js';

type Observation = [op: string, outcome: string, consistency: string, seconds: number];

const observations: Observation[] = [
  ['read', 'ok', 'default', 0.0004],
  ['read', 'ok', 'default', 0.0005], // exactly on a bound: counted in that bucket (le)
  ['read', 'KV_ERR_NOT_FOUND', 'quorum', 0.0031],
  ['put', 'ok', 'all', 0.012],
  ['put', 'ok', 'default', 7], // above the last bound: only +Inf
  ['delete', 'KV_ERR_QUORUM_UNAVAILABLE', 'one', 1],
  ['read', 'ok', 'default', 0.25],
];

async function reference(): Promise<string> {
  const r = new Registry();
  const requests = new Counter({ name: 'ringkv_kv_requests_total', help: 'Client operations coordinated by this node, by operation, outcome (ok or error code) and consistency level', labelNames: ['op', 'outcome', 'consistency'], registers: [r] });
  const latency = new Histogram({ name: 'ringkv_kv_request_duration_seconds', help: 'Client operation latency at the coordinator, by operation', labelNames: ['op'], buckets: [...latencyBucketsSeconds], registers: [r] });
  for (const [op, outcome, consistency, seconds] of observations) {
    requests.inc({ op, outcome, consistency });
    latency.observe({ op }, seconds);
  }
  return r.metrics();
}

/** The exposition's lines, sorted: the two implementations may list label sets in another order. */
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();

describe('RequestMetrics', () => {
  it('exposes the same counter and histogram lines as prom-client for the same observations', async () => {
    const r = new Registry();
    const m = new RequestMetrics(r);
    for (const [op, outcome, consistency, seconds] of observations) m.observe(op, outcome, consistency, seconds);
    assert.deepEqual(lines(await r.metrics()), lines(await reference()));
  });

  it('is empty before the first request and after a registry reset (counter and histogram alike)', async () => {
    const r = new Registry();
    const m = new RequestMetrics(r);
    const empty = await r.metrics();
    assert.doesNotMatch(empty, /_bucket|_count|\} \d/);
    m.observe('read', 'ok', 'default', 0.001);
    assert.match(await r.metrics(), /^ringkv_kv_request_duration_seconds_count\{op="read"\} 1$/m);
    r.resetMetrics();
    const reset = await r.metrics();
    assert.doesNotMatch(reset, /ringkv_kv_request_duration_seconds_count/);
    assert.doesNotMatch(reset, /^ringkv_kv_requests_total\{/m, 'the counter is reset with the histogram');
  });
});
