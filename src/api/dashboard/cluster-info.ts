/**
 * GET /v1/cluster/info: every member's /v1/info, gathered by THIS node (server-side fan-out), so
 * the dashboard page talks only to its own origin (no CORS, one token). Members that are dead or
 * left, or advertise no HTTP endpoint, are listed without being asked. Peers are asked with a
 * bounded concurrency, a per-request timeout and an overall deadline, so one hung node costs at
 * most the timeout; concurrent callers share one fan-out and its result is reused for `cacheMs`.
 * Peers are asked with this node's own API token (a cluster shares one token).
 */
import type { MemberState } from '../../wire/types.js';
import type { MemberView, NodeInfo, NodeService } from '../../runtime/service.js';

export interface ClusterInfoOptions {
  /** Sent as `Authorization: Bearer <token>` to the peers. */
  readonly authToken?: string | undefined;
  /** Peers asked at once. */
  readonly concurrency?: number;
  /** Bound on one peer's answer. */
  readonly requestTimeoutMs?: number;
  /** Bound on the whole fan-out: peers not asked by then are reported as such. */
  readonly deadlineMs?: number;
  /** A result is reused this long (dashboards poll every second). */
  readonly cacheMs?: number;
}

export const clusterInfoDefaults = { concurrency: 8, requestTimeoutMs: 800, deadlineMs: 2_000, cacheMs: 500 } as const;

/** One member: `ok` with its info, `error` (unreachable, timeout, bad answer) or `skipped` (not asked). */
export type ClusterInfoEntry = {
  readonly name: string;
  readonly state: MemberState;
  readonly self: boolean;
  readonly http: string | null;
} & (
  | { readonly status: 'ok'; readonly info: NodeInfo; readonly latencyMs: number }
  | { readonly status: 'error'; readonly error: string; readonly latencyMs: number }
  | { readonly status: 'skipped'; readonly reason: string }
);

export interface ClusterInfoBody {
  /** The answering node. */
  readonly from: string;
  readonly atMs: number;
  /** Every member this node knows of, by name. */
  readonly nodes: readonly ClusterInfoEntry[];
}

export type ClusterInfoSource = Pick<NodeService, 'members' | 'info'>;

export function clusterInfoProvider(source: ClusterInfoSource, options: ClusterInfoOptions = {}): () => Promise<ClusterInfoBody> {
  const cfg = {
    concurrency: Math.max(1, options.concurrency ?? clusterInfoDefaults.concurrency),
    requestTimeoutMs: options.requestTimeoutMs ?? clusterInfoDefaults.requestTimeoutMs,
    deadlineMs: options.deadlineMs ?? clusterInfoDefaults.deadlineMs,
    cacheMs: options.cacheMs ?? clusterInfoDefaults.cacheMs,
  };
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.authToken !== undefined) headers['authorization'] = `Bearer ${options.authToken}`;
  let cached: { doneAt: number | undefined; body: Promise<ClusterInfoBody> } | undefined;
  return () => {
    // An in-flight fan-out is shared whatever its age; a finished one is reused for cacheMs.
    if (cached !== undefined && (cached.doneAt === undefined || performance.now() - cached.doneAt < cfg.cacheMs)) return cached.body;
    const body = gather(source, cfg, headers);
    const entry: { doneAt: number | undefined; body: Promise<ClusterInfoBody> } = { doneAt: undefined, body };
    cached = entry;
    body.then(
      () => {
        entry.doneAt = performance.now();
      },
      () => {
        if (cached === entry) cached = undefined;
      },
    );
    return body;
  };
}

async function gather(
  source: ClusterInfoSource,
  cfg: { concurrency: number; requestTimeoutMs: number; deadlineMs: number },
  headers: Record<string, string>,
): Promise<ClusterInfoBody> {
  const self = source.info();
  const members = [...source.members()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const entries: Array<ClusterInfoEntry | undefined> = members.map((m) => immediate(m, self));
  const todo = entries.flatMap((e, i) => (e === undefined ? [i] : []));
  const deadline = performance.now() + cfg.deadlineMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++]!;
      entries[i] = await ask(members[i]!, headers, Math.floor(Math.min(cfg.requestTimeoutMs, deadline - performance.now())));
    }
  };
  await Promise.all(Array.from({ length: Math.min(cfg.concurrency, todo.length) }, worker));
  return { from: self.name, atMs: Date.now(), nodes: entries.map((e) => e!) };
}

/** The entries that need no request: this node, and members not worth asking. */
function immediate(m: MemberView, self: NodeInfo): ClusterInfoEntry | undefined {
  const base = { name: m.name, state: m.state, self: m.self, http: m.endpoints.http ?? null };
  if (m.self) return { ...base, status: 'ok', info: self, latencyMs: 0 };
  if (m.state === 'dead' || m.state === 'left') return { ...base, status: 'skipped', reason: `member is ${m.state}` };
  if (m.endpoints.http === undefined) return { ...base, status: 'skipped', reason: 'no HTTP endpoint advertised' };
  return undefined;
}

async function ask(m: MemberView, headers: Record<string, string>, timeoutMs: number): Promise<ClusterInfoEntry> {
  const http = m.endpoints.http!;
  const base = { name: m.name, state: m.state, self: false, http };
  if (timeoutMs <= 0) return { ...base, status: 'skipped', reason: 'fan-out deadline passed' };
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const res = await fetch(`http://${http}/v1/info`, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) {
      await res.body?.cancel();
      return { ...base, status: 'error', error: `HTTP ${res.status}${res.status === 401 ? ' (the peer wants another token)' : ''}`, latencyMs: elapsed() };
    }
    const info = (await res.json()) as unknown;
    if (!isNodeInfo(info)) return { ...base, status: 'error', error: 'malformed /v1/info answer', latencyMs: elapsed() };
    return { ...base, status: 'ok', info, latencyMs: elapsed() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { ...base, status: 'error', error: timedOut ? `no answer within ${Math.round(timeoutMs)} ms` : describe(error), latencyMs: elapsed() };
  }
}

function isNodeInfo(x: unknown): x is NodeInfo {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o['name'] === 'string' && typeof o['keys'] === 'number' && typeof o['tombstones'] === 'number' && typeof o['bytes'] === 'number';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici wraps the socket error: "fetch failed" with the cause (ECONNREFUSED, ...).
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return `${error.message}: ${(cause as { code?: string }).code ?? cause.message}`;
  return error.message;
}
