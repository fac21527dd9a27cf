/**
 * redis-benchmark against a node's RESP port. redis-benchmark 7 prints with --csv one line per
 * test: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
 * "p99_latency_ms","max_latency_ms" — p50 and p99 without parsing the human latency summary.
 * Failed operations (e.g. KV_ERR_OVERLOADED) are counted from the node's metrics around each
 * test (bench/kv/metrics.ts), so a fast run made of errors cannot pass for a good one.
 */
import { runChild } from '../lib/child.js';
import { nodeFailedRequests } from './metrics.js';
import { unpipelinedClient } from './report.js';
import type { KvMeasurement } from './types.js';

const redisBenchmarkPath = 'redis-benchmark';
/** A redis-benchmark run longer than this is killed, in ms. */
const redisBenchmarkTimeoutMs = 10 * 60_000;

export interface RedisBenchOptions {
  readonly port: number;
  /** The same node's HTTP API, for its error counters. */
  readonly http: string;
  readonly requests: number;
  readonly clients: number;
  /** Commands per round trip (-P); 1 = no pipelining. */
  readonly pipeline: number;
  /** Random keys in 0..keyspace-1 (-r); 0 = redis-benchmark's single key. */
  readonly keyspace: number;
}

/** Parses redis-benchmark --csv output into one row per test (pure; tested in the smoke test). */
export function parseRedisBenchmarkCsv(text: string): Array<{ test: string; rps: number; p50: number; p99: number }> {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('"'));
  const cells = (line: string): string[] => line.split(',').map((c) => c.replace(/^"|"$/g, ''));
  const header = lines[0] === undefined ? [] : cells(lines[0]);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`redis-benchmark CSV has no "${name}" column (header: ${header.join(',')}); redis-benchmark 7 or later is needed`);
    return i;
  };
  const [test, rps, p50, p99] = [col('test'), col('rps'), col('p50_latency_ms'), col('p99_latency_ms')];
  return lines.slice(1).map((line) => {
    const c = cells(line);
    return { test: c[test]!, rps: Number(c[rps]), p50: Number(c[p50]), p99: Number(c[p99]) };
  });
}

/** Runs SET, then GET (one redis-benchmark process per test, so errors are counted per test). */
export async function runRedisBenchmark(o: RedisBenchOptions): Promise<KvMeasurement[]> {
  const client = o.pipeline > 1 ? `${unpipelinedClient(o.clients)} -P ${o.pipeline}` : unpipelinedClient(o.clients);
  const out: KvMeasurement[] = [];
  for (const test of ['set', 'get']) {
    const args = ['-h', '127.0.0.1', '-p', String(o.port), '-t', test, '-n', String(o.requests), '-c', String(o.clients), '-P', String(o.pipeline), ...(o.keyspace > 0 ? ['-r', String(o.keyspace)] : []), '--csv'];
    const failedBefore = await nodeFailedRequests(o.http);
    const result = await runChild(redisBenchmarkPath, args, { timeoutMs: redisBenchmarkTimeoutMs });
    if (result.code !== 0) throw new Error(`redis-benchmark ${args.join(' ')} exited ${result.code ?? result.signal}: ${result.stderr.slice(-2000)}`);
    const errors = (await nodeFailedRequests(o.http)) - failedBefore;
    for (const row of parseRedisBenchmarkCsv(result.stdout)) out.push({ client, op: row.test, opsPerS: row.rps, p50Ms: row.p50, p99Ms: row.p99, errors });
  }
  return out;
}
