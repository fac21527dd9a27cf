/**
 * Failed operations as the node counts them: redis-benchmark reports no error count (it shows
 * at most one error per second, and only with -e), so the bench reads the coordinator's
 * ringkv_kv_requests_total before and after a test and takes the growth of every outcome other
 * than ok and KV_ERR_NOT_FOUND (a GET of a key never SET is an answer, not a failure).
 */

const requestsMetric = 'ringkv_kv_requests_total';
const notFailures: ReadonlySet<string> = new Set(['ok', 'KV_ERR_NOT_FOUND']);

/** Sum of ringkv_kv_requests_total samples whose outcome is a failure (pure; Prometheus text format). */
export function failedRequests(metricsText: string): number {
  let sum = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${requestsMetric}{`)) continue;
    const outcome = /outcome="([^"]*)"/.exec(line)?.[1];
    if (outcome === undefined || notFailures.has(outcome)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Failed requests coordinated so far by the node whose HTTP API is `http` ("host:port"). */
export async function nodeFailedRequests(http: string): Promise<number> {
  const res = await fetch(`http://${http}/metrics`);
  if (!res.ok) throw new Error(`GET http://${http}/metrics: ${res.status}`);
  return failedRequests(await res.text());
}

/** The value of an unlabelled counter or gauge in Prometheus text, or 0 when absent (pure). */
export function metricValue(metricsText: string, name: string): number {
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
  }
  return 0;
}

/** Seconds the node's event loop has spent committing batches (ringkv_storage_commit_seconds_total). */
export async function nodeCommitSeconds(http: string): Promise<number> {
  const res = await fetch(`http://${http}/metrics`);
  if (!res.ok) throw new Error(`GET http://${http}/metrics: ${res.status}`);
  return metricValue(await res.text(), 'ringkv_storage_commit_seconds_total');
}
