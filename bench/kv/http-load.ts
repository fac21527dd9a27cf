/**
 * A small closed-loop HTTP load generator (like etcd's benchmark tool: a fixed number of
 * keep-alive connections, each sending its next request when the previous answered). `connections`
 * workers share one counter up to `requests`; each request's latency (send to last body byte) goes
 * into a preallocated LatencyRecorder. node:http with a keep-alive Agent capped at `connections`
 * sockets: no dependency to install, and the client's own cost is what any Node client would pay.
 *
 * It runs in the bench process, on the same 2 cores as the nodes: its CPU is part of the result.
 */
import { Agent, request } from 'node:http';
import { LatencyRecorder } from '../lib/stats.js';
import type { KvMeasurement } from './types.js';

/** Per-request bound, in ms: a request not answered by then counts as an error. */
const requestTimeoutMs = 10_000;

export interface HttpLoadOptions {
  /** "host:port" of the node's HTTP API. */
  readonly http: string;
  readonly method: 'PUT' | 'GET';
  readonly connections: number;
  readonly requests: number;
  /** Keys key-0 .. key-(keyspace-1), request i uses key-(i mod keyspace). */
  readonly keyspace: number;
  readonly valueBytes: number;
}

/** One request; resolves with the status code (0 on a network error or timeout). */
function send(agent: Agent, host: string, port: number, method: string, path: string, body: Buffer | undefined): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ agent, host, port, method, path, timeout: requestTimeoutMs, headers: body === undefined ? {} : { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
      res.resume(); // drain the body: the latency ends at its last byte
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export async function runHttpLoad(o: HttpLoadOptions): Promise<KvMeasurement> {
  const colon = o.http.lastIndexOf(':');
  const host = o.http.slice(0, colon);
  const port = Number(o.http.slice(colon + 1));
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const body = o.method === 'PUT' ? Buffer.alloc(o.valueBytes, 'x') : undefined;
  const latencies = new LatencyRecorder(o.requests);
  let next = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (next < o.requests) {
      const i = next++;
      const start = performance.now();
      const status = await send(agent, host, port, o.method, `/v1/kv/key-${i % o.keyspace}`, body);
      latencies.record(performance.now() - start);
      if (status < 200 || status > 299) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: o.connections }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  const { p50, p99 } = latencies.summary();
  return { client: `HTTP keep-alive x${o.connections}`, op: o.method, opsPerS: o.requests / elapsedS, p50Ms: p50, p99Ms: p99, errors };
}
