/**
 * The KV benchmark's table: medians over runs per (cluster, client, op), with the reference
 * figures and targets of the performance issue. The targets are judged on unpipelined
 * redis-benchmark rows, which is how redis-server's reference figures were taken. Pure.
 */
import { median } from '../lib/stats.js';
import { fixed, int, markdownTable } from '../lib/table.js';
import type { KvMeasurement } from './types.js';

export interface KvRow extends KvMeasurement {
  /** "3 nodes" */
  readonly cluster: string;
}

/** SET target: at least this many ops/s ... */
export const setOpsPerSTarget = 19_000;
/** ... with a p99 of at most this, in ms. */
export const setP99MsTarget = 5;
/** GET target, ops/s. */
export const getOpsPerSTarget = 30_000;
/** etcd 3.4, 3 members, 48 connections through its HTTP/JSON API (the reference), puts/s. */
export const etcdPutsPerS = 9_400;

const etcdRatio = (opsPerS: number): string => `${(opsPerS / etcdPutsPerS).toFixed(2)}x etcd`;

const check = (ok: boolean): string => (ok ? '✓' : '✗');

/**
 * The reference cell for a row (medians already taken). The targets are judged on the row of
 * `targetClient` (the run's main unpipelined client, `redis-benchmark -c 50` by default) only:
 * the rows of the latency curve at other client counts get the reference without a verdict.
 */
export function referenceCell(client: string, op: string, opsPerS: number, p99Ms: number, targetClient = unpipelinedClient(50)): string {
  const pipelined = client.includes('-P');
  const judged = client === targetClient;
  if (client.startsWith('redis-benchmark') && op === 'SET') {
    const target = judged ? `; target ≥ ${int(setOpsPerSTarget)}/s ${check(opsPerS >= setOpsPerSTarget)}, p99 ≤ ${setP99MsTarget} ms ${check(p99Ms <= setP99MsTarget)}` : '';
    return `redis-server 107,000 SET/s${pipelined ? ' (unpipelined)' : ''}${target}`;
  }
  if (client.startsWith('redis-benchmark') && op === 'GET') {
    const target = judged ? `; target ≥ ${int(getOpsPerSTarget)}/s ${check(opsPerS >= getOpsPerSTarget)}` : '';
    return `redis-server 109,000 GET/s${pipelined ? ' (unpipelined)' : ''}${target}`;
  }
  if (op === 'PUT') return `etcd, 3 members, HTTP/JSON: ~${int(etcdPutsPerS)} puts/s, p99 11-16 ms; ${etcdRatio(opsPerS)}`;
  return '-';
}

export const kvHeaders = ['cluster', 'client', 'op', 'ops/s', 'p50 ms', 'p99 ms', 'errors (all runs)', 'runs', 'reference'] as const;

/** The redis-benchmark client label of `clients` connections without pipelining (as in the rows). */
export function unpipelinedClient(clients: number): string {
  return `redis-benchmark -c ${clients}`;
}

export function kvRows(rows: readonly KvRow[], targetClient?: string): string[][] {
  const groups = new Map<string, KvRow[]>();
  for (const r of rows) {
    const key = `${r.cluster}\u0000${r.client}\u0000${r.op}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((runs) => {
    const { cluster, client, op } = runs[0]!;
    const ops = median(runs.map((r) => r.opsPerS));
    const p99 = median(runs.map((r) => r.p99Ms));
    return [cluster, client, op, int(ops), fixed(median(runs.map((r) => r.p50Ms)), 2), fixed(p99, 2), String(runs.reduce((a, r) => a + r.errors, 0)), String(runs.length), referenceCell(client, op, ops, p99, targetClient)];
  });
}

export function kvTable(rows: readonly KvRow[], targetClient?: string): string {
  return markdownTable(kvHeaders, kvRows(rows, targetClient));
}
