/**
 * Shared by the HTTP server tests (test/api/http-*.test.ts) and the client tests: a server over a
 * FakeService on 127.0.0.1 with an ephemeral port, a port nobody listens on, raw HTTP requests
 * (node:http, so paths and bodies go out exactly as written) and a bounded wait.
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { Agent, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHttpServer } from '../../src/api/http/http-server.js';
import type { HttpApiServer, HttpServerOptions } from '../../src/api/http/http-server.js';
import { RingkvClientError } from '../../src/client/index.js';
import type { RingkvErrorCode } from '../../src/client/index.js';
import type { ClientOp, ClientResult } from '../../src/kv/client-types.js';
import { FakeService } from '../helpers/fake-service.js';

export interface Fixture {
  readonly server: HttpApiServer;
  readonly service: FakeService;
  readonly port: number;
  /** "127.0.0.1:port" */
  readonly node: string;
  readonly base: string;
  readonly logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
}

export async function startFake(
  options: Partial<Omit<HttpServerOptions, 'service'>> & { service?: FakeService } = {},
): Promise<Fixture> {
  const service = options.service ?? new FakeService();
  const logs: Fixture['logs'] = [];
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: (level, msg, fields) => logs.push({ level, msg, ...(fields !== undefined && { fields }) }),
    ...options,
    service,
  });
  const port = server.address.port;
  return { server, service, port, node: `127.0.0.1:${port}`, base: `http://127.0.0.1:${port}`, logs };
}

/** A port that was just free on 127.0.0.1: bound, then closed (connections to it are refused). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly reusedSocket: boolean;
  json(): unknown;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: Uint8Array | string;
  /** Default: a fresh connection per request. */
  readonly agent?: Agent;
}

/** One request with node:http; the path is sent byte for byte. */
export function raw(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers: req.headers ?? {}, agent: req.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            reusedSocket: r.reusedSocket,
            json: () => JSON.parse(body.toString('utf8')) as unknown,
          });
        });
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Resolves with the promise's value, or rejects after `ms` (a bound on waits, not a sleep). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A FakeService whose execute can be held: `hold()` makes the next operations wait until `release()`. */
export class GatedService extends FakeService {
  private held: Array<() => void> = [];
  private holding = false;
  private arrivedWaiters: Array<() => void> = [];

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  /** Resolves once an operation is waiting at the gate. */
  arrived(): Promise<void> {
    if (this.held.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.arrivedWaiters.push(resolve));
  }

  override async execute(op: ClientOp): Promise<ClientResult> {
    if (this.holding) {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        for (const w of this.arrivedWaiters.splice(0)) w();
      });
    }
    return super.execute(op);
  }
}

/** Asserts that `promise` rejects with a RingkvClientError of `code`, and returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: RingkvErrorCode): Promise<RingkvClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RingkvClientError, `expected RingkvClientError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a rejection with ${code}`);
}
