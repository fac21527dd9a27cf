/**
 * Per-request metrics kept in plain counters and turned into Prometheus families only at scrape
 * time. prom-client's `inc(labels)` and `observe(labels, v)` validate and hash the label object on
 * every call; at tens of thousands of requests per second that was a few percent of the
 * coordinator's event loop. Here a request costs three small map lookups and an array increment.
 * The exposition is the same: `ringkv_kv_requests_total{op,outcome,consistency}` (a counter) and
 * `ringkv_kv_request_duration_seconds{op}` (a histogram with cumulative `le` buckets, `_sum`,
 * `_count`).
 */
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** Latency buckets in seconds: loopback sub-ms up to the default 1 s request timeout and beyond. */
export const latencyBucketsSeconds: readonly number[] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const requestsName = 'ringkv_kv_requests_total';
const latencyName = 'ringkv_kv_request_duration_seconds';

interface LatencyCells {
  /** Per bucket (not cumulative), then one more for above the last bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** One value in prom-client's exposition shape. */
interface ExportedValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
}

export class RequestMetrics {
  /** op → outcome → consistency → count. Every key comes from a closed set (ops, error codes, levels). */
  private readonly counts = new Map<string, Map<string, Map<string, number>>>();
  private readonly latency = new Map<string, LatencyCells>();

  constructor(registry: Registry) {
    const counts = this.counts;
    new Counter({
      name: requestsName,
      help: 'Client operations coordinated by this node, by operation, outcome (ok or error code) and consistency level',
      labelNames: ['op', 'outcome', 'consistency'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [op, byOutcome] of counts) {
          for (const [outcome, byLevel] of byOutcome) {
            for (const [consistency, n] of byLevel) this.inc({ op, outcome, consistency }, n);
          }
        }
      },
    });
    // A histogram whose state lives here: the registry only calls get() (and reset()) on it. Its
    // reset clears the counts too: the counter's own reset is undone by its collect().
    const histogram = {
      name: latencyName,
      help: 'Client operation latency at the coordinator, by operation',
      type: 'histogram',
      aggregator: 'sum',
      get: () => Promise.resolve({ name: latencyName, help: histogram.help, type: 'histogram', aggregator: 'sum', values: this.latencyValues() }),
      reset: () => {
        this.latency.clear();
        this.counts.clear();
      },
    };
    registry.registerMetric(histogram as unknown as Counter);
  }

  /** One finished client operation. */
  observe(op: string, outcome: string, consistency: string, elapsedSeconds: number): void {
    let byOutcome = this.counts.get(op);
    if (byOutcome === undefined) this.counts.set(op, (byOutcome = new Map()));
    let byLevel = byOutcome.get(outcome);
    if (byLevel === undefined) byOutcome.set(outcome, (byLevel = new Map()));
    byLevel.set(consistency, (byLevel.get(consistency) ?? 0) + 1);

    let cells = this.latency.get(op);
    if (cells === undefined) this.latency.set(op, (cells = { counts: new Float64Array(latencyBucketsSeconds.length + 1), sum: 0, count: 0 }));
    let i = 0;
    while (i < latencyBucketsSeconds.length && elapsedSeconds > latencyBucketsSeconds[i]!) i++;
    cells.counts[i]!++;
    cells.sum += elapsedSeconds;
    cells.count++;
  }

  private latencyValues(): ExportedValue[] {
    const out: ExportedValue[] = [];
    for (const [op, cells] of this.latency) {
      let cumulative = 0;
      for (let i = 0; i < latencyBucketsSeconds.length; i++) {
        cumulative += cells.counts[i]!;
        out.push({ labels: { le: latencyBucketsSeconds[i]!, op }, value: cumulative, metricName: `${latencyName}_bucket` });
      }
      out.push({ labels: { le: '+Inf', op }, value: cells.count, metricName: `${latencyName}_bucket` });
      out.push({ labels: { op }, value: cells.sum, metricName: `${latencyName}_sum` });
      out.push({ labels: { op }, value: cells.count, metricName: `${latencyName}_count` });
    }
    return out;
  }
}
