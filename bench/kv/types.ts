/** One load test result of the KV benchmark (one table row before the median over runs). */
export interface KvMeasurement {
  /** e.g. "redis-benchmark -c 50 -P 16", "HTTP keep-alive x48". */
  readonly client: string;
  /** "SET", "GET", "PUT" (HTTP). */
  readonly op: string;
  readonly opsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Requests answered with an error (they are still in the ops/s and latencies). */
  readonly errors: number;
}
