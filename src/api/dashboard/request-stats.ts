/**
 * GET /v1/stats: a small JSON digest of this node's request counters for the dashboard's
 * operations-per-second panel. The counts come from the node's own Prometheus exposition
 * (`ringkv_kv_requests_total{op,outcome,consistency}`, src/runtime/metrics.ts), summed by
 * operation and by outcome; the page turns two successive samples into a rate using `uptimeMs`
 * (monotonic, and it resets when the node restarts).
 */
import type { HealthView, NodeService } from '../../runtime/service.js';

export interface StatsBody {
  readonly name: string;
  readonly version: string;
  readonly status: HealthView['status'];
  readonly members: HealthView['members'];
  /** Since the node started (monotonic): the time base for rates. */
  readonly uptimeMs: number;
  /** Wall clock of the node when the sample was taken (ms since the epoch). */
  readonly atMs: number;
  /** Client operations coordinated by this node since it started. */
  readonly requestsTotal: number;
  /** Of which did not end `ok` (not found and exists included). */
  readonly requestsNotOk: number;
  readonly byOp: Readonly<Record<string, number>>;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly inflightRequests: number;
  readonly keys: number;
}

export interface RequestCounts {
  total: number;
  byOp: Record<string, number>;
  byOutcome: Record<string, number>;
}

const sampleLine = /^ringkv_kv_requests_total\{([^}]*)\}\s+(\S+)/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Sums the `ringkv_kv_requests_total` samples of a Prometheus text exposition by op and by outcome. */
export function requestCounts(metricsText: string): RequestCounts {
  const counts: RequestCounts = { total: 0, byOp: {}, byOutcome: {} };
  for (const line of metricsText.split('\n')) {
    const m = sampleLine.exec(line);
    if (m === null) continue;
    const value = Number(m[2]);
    if (!Number.isFinite(value) || value < 0) continue;
    const labels: Record<string, string> = {};
    for (const pair of m[1]!.matchAll(labelPair)) labels[pair[1]!] = pair[2]!;
    const op = labels['op'] ?? 'unknown';
    const outcome = labels['outcome'] ?? 'unknown';
    counts.total += value;
    counts.byOp[op] = (counts.byOp[op] ?? 0) + value;
    counts.byOutcome[outcome] = (counts.byOutcome[outcome] ?? 0) + value;
  }
  return counts;
}

export type StatsSource = Pick<NodeService, 'health' | 'info' | 'metricsText'>;

/**
 * The stats body, computed at most once per `cacheMs` however many dashboards poll (a scrape
 * collects every metric of the process).
 */
export function statsProvider(source: StatsSource, cacheMs = 200): () => Promise<StatsBody> {
  let cached: { at: number; body: Promise<StatsBody> } | undefined;
  return () => {
    const now = performance.now();
    if (cached !== undefined && now - cached.at < cacheMs) return cached.body;
    const body = compute(source);
    cached = { at: now, body };
    body.catch(() => {
      if (cached?.body === body) cached = undefined;
    });
    return body;
  };
}

async function compute(source: StatsSource): Promise<StatsBody> {
  const counts = requestCounts(await source.metricsText());
  const health = source.health();
  const info = source.info();
  return {
    name: health.name,
    version: info.version,
    status: health.status,
    members: health.members,
    uptimeMs: health.uptimeMs,
    atMs: Date.now(),
    requestsTotal: counts.total,
    requestsNotOk: counts.total - (counts.byOutcome['ok'] ?? 0),
    byOp: counts.byOp,
    byOutcome: counts.byOutcome,
    inflightRequests: info.inflightRequests,
    keys: info.keys,
  };
}
