/**
 * One HTTP exchange with one node, with its own deadline: either the node's answer (status,
 * headers, whole body) or how the exchange failed. Never rejects.
 */
import type { NodeAddress } from './address.js';

export interface HttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, already percent-encoded. */
  readonly path: string;
  readonly body?: Uint8Array;
  readonly accept: string;
}

export interface Answer {
  readonly kind: 'answer';
  readonly node: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * - refused: the connection could not be opened (refused, unknown host): nothing was sent;
 * - lost: the connection failed after it may have carried the request;
 * - timeout: no complete answer within the deadline (the request may have been applied);
 * - closed: the client was closed meanwhile.
 */
export type FailureKind = 'refused' | 'lost' | 'timeout' | 'closed';

export interface Failure {
  readonly kind: FailureKind;
  readonly node: string;
  readonly detail: string;
  readonly cause: unknown;
}

export type Outcome = Answer | Failure;

/** Error codes meaning the connection was never established. */
const neverSent = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EHOSTUNREACH']);

export async function attempt(
  node: NodeAddress,
  request: HttpRequest,
  token: string | undefined,
  timeoutMs: number,
  closed: AbortSignal,
): Promise<Outcome> {
  if (closed.aborted) return { kind: 'closed', node: node.name, detail: 'client closed', cause: undefined };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onClose = (): void => controller.abort();
  closed.addEventListener('abort', onClose, { once: true });
  const headers: Record<string, string> = { accept: request.accept };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/octet-stream';
  try {
    const res = await fetch(node.base + request.path, {
      method: request.method,
      headers,
      ...(request.body !== undefined && { body: request.body }),
      redirect: 'manual',
      signal: controller.signal,
    });
    const body = new Uint8Array(await res.arrayBuffer());
    return { kind: 'answer', node: node.name, status: res.status, headers: res.headers, body };
  } catch (error) {
    if (timedOut) return { kind: 'timeout', node: node.name, detail: `no answer within ${timeoutMs} ms`, cause: error };
    if (closed.aborted) return { kind: 'closed', node: node.name, detail: 'client closed', cause: error };
    const code = errorCode(error);
    const detail = code ?? innermostMessage(error);
    // fetch refuses the ports of its "bad ports" list before connecting.
    const refused = (code !== undefined && neverSent.has(code)) || detail === 'bad port';
    return { kind: refused ? 'refused' : 'lost', node: node.name, detail, cause: error };
  } finally {
    clearTimeout(timer);
    closed.removeEventListener('abort', onClose);
  }
}

/** The system error code behind a fetch failure (fetch wraps it in `cause`, sometimes in an AggregateError). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    const codes = e.errors.map((inner) => errorCode(inner, depth + 1));
    // Every address of the host refused: still never sent.
    if (codes.length > 0 && codes.every((c) => c !== undefined && neverSent.has(c))) return codes[0];
    return codes.find((c) => c !== undefined);
  }
  return errorCode(e.cause, depth + 1);
}

function innermostMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 4; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}
