/**
 * The ringkv client (docs/client.md): typed calls over the HTTP API of any node. Each call goes
 * to the next node in rotation (starting at a random node per client) and, on failures that are
 * safe to repeat (retry.ts), tries the following nodes, within `retries` extra attempts and
 * `retryBudgetMs` in all, with a jittered backoff after each full round of nodes.
 */
import { kvKeyBytesMax, kvValueBytesMax } from '../wire/kv-limits.js';
import { parseNodeAddress } from './address.js';
import type { NodeAddress } from './address.js';
import { attempt } from './attempt.js';
import type { Answer, HttpRequest } from './attempt.js';
import { answerError, decodeEntry, decodeHealth, decodeInfo, decodeMembers, decodeRing, decodeText, decodeWrite } from './decode.js';
import { RingkvClientError } from './errors.js';
import { consistencyLevels, kvPathPrefix, octetStream } from './http-protocol.js';
import type { Consistency, HealthView, MemberView, NodeInfo, RingView } from './http-protocol.js';
import { backoffMs, retriesAnswer, retriesFailure, sleep } from './retry.js';
import type { CallKind } from './retry.js';
import type { ClientOptions, Entry, NodeOptions, ReadOptions, RingOptions, ValueInput, WriteOptions, WriteResult } from './types.js';

export const clientDefaults = { timeoutMs: 2000, retries: 2, retryBudgetMs: 5000 } as const;

const json = 'application/json';

interface Call<T> {
  readonly kind: CallKind;
  readonly request: HttpRequest;
  readonly decode: (answer: Answer) => T;
  /** Turns an error answer into a result (get: NOT_FOUND -> null); `mayHaveApplied` is true when an earlier attempt of this call may have taken effect. */
  readonly recover?: (error: RingkvClientError, mayHaveApplied: boolean) => { value: T } | undefined;
  /** Statuses decoded as success; default 2xx. */
  readonly success?: (status: number) => boolean;
  /** A single node to use instead of the rotation. */
  readonly node?: NodeAddress;
}

export class Client {
  private readonly nodes: readonly NodeAddress[];
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBudgetMs: number;
  private readonly closer = new AbortController();
  private cursor: number;

  /** Throws RingkvClientError (CLIENT_ERR_CONFIG) on invalid options. */
  constructor(options: ClientOptions) {
    if (typeof options !== 'object' || options === null) throw configError('options must be an object');
    if (!Array.isArray(options.nodes) || options.nodes.length === 0) throw configError('nodes must list at least one "host:port"');
    this.nodes = options.nodes.map((n) => parseNodeAddress(n));
    if (options.token !== undefined && (typeof options.token !== 'string' || !/^[\x21-\x7e]+$/.test(options.token))) {
      throw configError('token must be a non-empty string of visible ASCII characters');
    }
    this.token = options.token;
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? clientDefaults.timeoutMs);
    this.retryBudgetMs = positive('retryBudgetMs', options.retryBudgetMs ?? clientDefaults.retryBudgetMs);
    const retries = options.retries ?? clientDefaults.retries;
    if (!Number.isInteger(retries) || retries < 0) throw configError('retries must be an integer >= 0');
    this.retries = retries;
    this.cursor = Math.floor(Math.random() * this.nodes.length);
  }

  /** The value of `key`, or null when it does not exist (or was deleted). */
  async get(key: string, options: ReadOptions = {}): Promise<Entry | null> {
    const path = withConsistency(keyPath(key), options.consistency);
    return this.call<Entry | null>({
      kind: 'read',
      request: { method: 'GET', path, accept: octetStream },
      decode: (answer) => decodeEntry(answer, key),
      recover: (error) => (error.code === 'KV_ERR_NOT_FOUND' ? { value: null } : undefined),
    });
  }

  /** The value of `key` decoded as UTF-8 (invalid sequences become U+FFFD), or null. */
  async getText(key: string, options: ReadOptions = {}): Promise<string | null> {
    const entry = await this.get(key, options);
    return entry === null ? null : decodeText(entry.value);
  }

  /** Writes `key` whether or not it exists (upsert). */
  async put(key: string, value: ValueInput, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write('PUT', 'idempotent', key, value, options);
  }

  /** Writes `key` only if it does not exist: KV_ERR_EXISTS otherwise. */
  async create(key: string, value: ValueInput, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write('POST', 'unsafe', key, value, options);
  }

  /** Writes `key` only if it exists: KV_ERR_NOT_FOUND otherwise. */
  async update(key: string, value: ValueInput, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write('PATCH', 'unsafe', key, value, options);
  }

  /**
   * Deletes `key`: true when deleted, false when there was no live key. After a retry that
   * followed an attempt with an unknown outcome (timeout, lost connection, quorum unavailable),
   * a "not found" resolves true: the earlier attempt most likely deleted the key.
   */
  async delete(key: string, options: WriteOptions = {}): Promise<boolean> {
    const path = withConsistency(keyPath(key), options.consistency);
    return this.call<boolean>({
      kind: 'idempotent',
      request: { method: 'DELETE', path, accept: json },
      decode: (answer) => {
        decodeWrite(answer);
        return true;
      },
      recover: (error, mayHaveApplied) => (error.code === 'KV_ERR_NOT_FOUND' ? { value: mayHaveApplied } : undefined),
    });
  }

  /** The cluster members as one node sees them. */
  async members(options: NodeOptions = {}): Promise<MemberView[]> {
    return this.call({ kind: 'read', request: { method: 'GET', path: '/v1/members', accept: json }, decode: decodeMembers, ...pin(options) });
  }

  /** The token ring as one node routes requests. */
  async ring(options: RingOptions = {}): Promise<RingView> {
    const path = options.ranges === false ? '/v1/ring?ranges=0' : '/v1/ring';
    return this.call({ kind: 'read', request: { method: 'GET', path, accept: json }, decode: decodeRing, ...pin(options) });
  }

  /** Health of one node; a node that is not 'ok' (HTTP 503) still resolves, with its status. */
  async health(options: NodeOptions = {}): Promise<HealthView> {
    return this.call({
      kind: 'read',
      request: { method: 'GET', path: '/health', accept: json },
      decode: decodeHealth,
      success: (status) => status === 200 || status === 503,
      ...pin(options),
    });
  }

  /** Figures of one node. */
  async info(options: NodeOptions = {}): Promise<NodeInfo> {
    return this.call({ kind: 'read', request: { method: 'GET', path: '/v1/info', accept: json }, decode: decodeInfo, ...pin(options) });
  }

  /** Aborts calls in flight (they reject with CLIENT_ERR_CLOSED) and refuses new ones. Idempotent. */
  async close(): Promise<void> {
    this.closer.abort();
  }

  get closed(): boolean {
    return this.closer.signal.aborted;
  }

  private async write(method: 'PUT' | 'POST' | 'PATCH', kind: CallKind, key: string, value: ValueInput, options: WriteOptions): Promise<WriteResult> {
    const path = withConsistency(keyPath(key), options.consistency);
    return this.call({ kind, request: { method, path, body: valueBytes(value), accept: json }, decode: decodeWrite });
  }

  private async call<T>(call: Call<T>): Promise<T> {
    const signal = this.closer.signal;
    if (signal.aborted) throw closedError();
    const nodes = call.node === undefined ? this.nodes : [call.node];
    const first = call.node === undefined ? this.cursor++ % nodes.length : 0;
    const success = call.success ?? ((status: number) => status >= 200 && status < 300);
    const deadline = performance.now() + this.retryBudgetMs;
    const trail: string[] = [];
    let last: RingkvClientError | undefined;
    let mayHaveApplied = false;
    let attempts = 0;
    while (attempts <= this.retries) {
      if (attempts > 0 && attempts % nodes.length === 0) {
        await sleep(Math.min(backoffMs(attempts / nodes.length), deadline - performance.now()), signal);
        if (signal.aborted) throw closedError();
      }
      const remainingMs = deadline - performance.now();
      if (attempts > 0 && remainingMs <= 0) break;
      const node = nodes[(first + attempts) % nodes.length]!;
      attempts++;
      const outcome = await attempt(node, call.request, this.token, Math.max(1, Math.min(this.timeoutMs, remainingMs)), signal);
      if (outcome.kind === 'closed') throw closedError();
      if (outcome.kind === 'answer') {
        if (success(outcome.status)) {
          try {
            return call.decode(outcome);
          } catch (error) {
            throw error instanceof RingkvClientError ? error.withAttempts(attempts) : error;
          }
        }
        const error = answerError(outcome);
        const recovered = call.recover?.(error, mayHaveApplied);
        if (recovered !== undefined) return recovered.value;
        if (!retriesAnswer(call.kind, error.code)) throw error.withAttempts(attempts);
        if (error.code === 'KV_ERR_QUORUM_UNAVAILABLE') mayHaveApplied = true;
        trail.push(`${node.name}: ${error.code}`);
        last = error;
        continue;
      }
      if (outcome.kind !== 'refused') mayHaveApplied = true;
      const code = outcome.kind === 'timeout' ? 'CLIENT_ERR_TIMEOUT' : 'CLIENT_ERR_UNAVAILABLE';
      const error = new RingkvClientError(code, `${node.name}: ${outcome.detail}`, { node: node.name, cause: outcome.cause });
      trail.push(`${node.name}: ${outcome.detail}`);
      if (!retriesFailure(call.kind, outcome.kind)) throw error.withAttempts(attempts);
      last = error;
    }
    // Retries or budget exhausted: report the last failure, with every attempt in the message.
    const final = last!;
    const summary = `${attempts} attempt${attempts === 1 ? '' : 's'} (retries ${this.retries}, budget ${this.retryBudgetMs} ms): ${trail.join('; ')}`;
    const message = final.status === undefined ? `no node answered: ${summary}` : `${final.message}; ${summary}`;
    throw new RingkvClientError(final.code, message, {
      attempts,
      ...(final.status !== undefined && { status: final.status }),
      ...(final.node !== undefined && { node: final.node }),
      ...(final.acks !== undefined && { acks: final.acks }),
      ...(final.required !== undefined && { required: final.required }),
      ...(final.cause !== undefined && { cause: final.cause }),
    });
  }
}

function keyPath(key: string): string {
  if (typeof key !== 'string' || key === '') throw badRequest('key must be a non-empty string');
  let encoded: string;
  try {
    encoded = encodeURIComponent(key);
  } catch {
    throw badRequest('key is not valid Unicode (lone surrogate)');
  }
  const bytes = new TextEncoder().encode(key).byteLength;
  if (bytes > kvKeyBytesMax) throw badRequest(`key is ${bytes} UTF-8 bytes; at most ${kvKeyBytesMax}`);
  // fetch resolves "." and ".." path segments (even percent-encoded): those keys go in the query.
  return key === '.' || key === '..' ? `${kvPathPrefix.slice(0, -1)}?key=${encoded}` : kvPathPrefix + encoded;
}

/** `path` with `?consistency=` appended when given. */
function withConsistency(path: string, consistency: Consistency | undefined): string {
  if (consistency === undefined) return path;
  if (!consistencyLevels.includes(consistency)) throw badRequest(`consistency must be one of ${consistencyLevels.join(', ')}`);
  return `${path}${path.includes('?') ? '&' : '?'}consistency=${consistency}`;
}

function valueBytes(value: ValueInput): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) bytes = value;
  else throw badRequest('value must be a string or a Uint8Array');
  if (bytes.byteLength > kvValueBytesMax) throw badRequest(`value is ${bytes.byteLength} bytes; at most ${kvValueBytesMax}`);
  return bytes;
}

function pin(options: NodeOptions): { node?: NodeAddress } {
  return options.node === undefined ? {} : { node: parseNodeAddress(options.node) };
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw configError(`${name} must be a positive number of milliseconds`);
  return value;
}

function configError(message: string): RingkvClientError {
  return new RingkvClientError('CLIENT_ERR_CONFIG', message);
}

function badRequest(message: string): RingkvClientError {
  return new RingkvClientError('CLIENT_ERR_BAD_REQUEST', message);
}

function closedError(): RingkvClientError {
  return new RingkvClientError('CLIENT_ERR_CLOSED', 'the client is closed');
}
