/**
 * An in-memory NodeService for API tests (HTTP, RESP, client): a map with the KV operation
 * semantics of the store (create fails on an existing key, update/delete/read on a missing one),
 * no replication. `failNext` makes the next operations fail with a given error code.
 */
import type { ClientErrorCode, ClientOp, ClientResult } from '../../src/kv/client-types.js';
import type { HealthView, MemberView, NodeInfo, NodeService, RingView } from '../../src/runtime/service.js';

export class FakeService implements NodeService {
  readonly data = new Map<string, Uint8Array>();
  readonly ops: ClientOp[] = [];
  readonly metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';
  private failures: ClientErrorCode[] = [];
  private clock = 0;

  constructor(readonly name = 'fake-1') {}

  /** The next `count` operations fail with `code`. */
  failNext(code: ClientErrorCode, count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(code);
  }

  async execute(op: ClientOp): Promise<ClientResult> {
    this.ops.push(op);
    const code = this.failures.shift();
    if (code !== undefined) return { ok: false, error: { code, message: `injected ${code}` } };
    const version = { physicalMs: ++this.clock, logical: 0, nodeId: 1 };
    const has = this.data.has(op.key);
    const needValue = op.type === 'create' || op.type === 'update' || op.type === 'put';
    if (needValue && op.value === undefined) return { ok: false, error: { code: 'KV_ERR_BAD_REQUEST', message: 'value required' } };
    switch (op.type) {
      case 'read': {
        const value = this.data.get(op.key);
        return value === undefined ? notFound(op.key) : { ok: true, value, version };
      }
      case 'create':
        if (has) return { ok: false, error: { code: 'KV_ERR_EXISTS', message: `key ${op.key} exists` } };
        this.data.set(op.key, op.value!);
        return { ok: true, version };
      case 'update':
        if (!has) return notFound(op.key);
        this.data.set(op.key, op.value!);
        return { ok: true, version };
      case 'put':
        this.data.set(op.key, op.value!);
        return { ok: true, version };
      case 'delete':
        if (!has) return notFound(op.key);
        this.data.delete(op.key);
        return { ok: true, version };
    }
  }

  members(): MemberView[] {
    return [
      { name: this.name, addr: '127.0.0.1:7946', state: 'alive', incarnation: 1, endpoints: { http: '127.0.0.1:8080', resp: '127.0.0.1:6380' }, self: true },
      { name: 'fake-2', addr: '127.0.0.1:7947', state: 'suspect', incarnation: 3, endpoints: {}, self: false },
    ];
  }

  ring(): RingView {
    return {
      tokensPerNode: 1,
      replicationFactor: 3,
      nodes: [
        { name: this.name, tokens: 1, primaryShare: 0.5 },
        { name: 'fake-2', tokens: 1, primaryShare: 0.5 },
      ],
      ranges: [
        { start: 100, end: 2 ** 52, replicas: [this.name, 'fake-2'] },
        { start: 2 ** 52, end: 100, replicas: ['fake-2', this.name] },
      ],
    };
  }

  health(): HealthView {
    return { status: 'ok', name: this.name, members: { alive: 1, suspect: 1, dead: 0, left: 0 }, uptimeMs: 1234 };
  }

  info(): NodeInfo {
    return {
      name: this.name,
      addr: '127.0.0.1:7946',
      version: '0.0.0-test',
      uptimeMs: 1234,
      incarnation: 1,
      keys: this.data.size,
      tombstones: 0,
      bytes: 0,
      inflightRequests: 0,
      hintsHeld: 0,
      endpoints: { http: '127.0.0.1:8080', resp: '127.0.0.1:6380' },
    };
  }

  async metricsText(): Promise<string> {
    return '# HELP ringkv_up 1 when the node runs\n# TYPE ringkv_up gauge\nringkv_up 1\n';
  }
}

function notFound(key: string): ClientResult {
  return { ok: false, error: { code: 'KV_ERR_NOT_FOUND', message: `key ${key} not found` } };
}
