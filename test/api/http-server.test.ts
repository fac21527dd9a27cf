/**
 * The HTTP API server around the KV routes: views, unknown routes, auth, body limits, failures
 * inside handlers, keep-alive, extra routes, stats and close().
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ClientOp, ClientResult } from '../../src/kv/client-types.js';
import type { HealthView } from '../../src/runtime/service.js';
import { kvValueBytesMax } from '../../src/wire/kv-limits.js';
import { GatedService, raw, startFake, within } from '../client/fixtures.js';
import type { Fixture } from '../client/fixtures.js';
import { FakeService } from '../helpers/fake-service.js';

type ErrorJson = { error: { code: string; message: string } };
const code = (res: { json(): unknown }): string => (res.json() as ErrorJson).error.code;

describe('HTTP API: views and server behaviour', () => {
  let f: Fixture;
  before(async () => {
    f = await startFake({
      extraRoutes: (_req, res, url) => {
        if (url.pathname === '/extra') {
          res.end(`extra ${url.searchParams.get('q') ?? ''}`);
          return true;
        }
        if (url.pathname === '/extra-throws') throw new Error('extra route failed');
        return false;
      },
    });
  });
  after(async () => {
    await f.server.close();
  });

  it('GET /v1/members, /v1/ring (with and without ranges), /v1/info', async () => {
    const members = (await raw(f.port, { path: '/v1/members' })).json() as { members: unknown[] };
    assert.deepEqual(members, { members: f.service.members() });
    const ring = (await raw(f.port, { path: '/v1/ring' })).json();
    assert.deepEqual(ring, f.service.ring());
    const summary = (await raw(f.port, { path: '/v1/ring?ranges=0' })).json() as Record<string, unknown>;
    assert.equal(summary['ranges'], undefined);
    assert.deepEqual(summary['nodes'], f.service.ring().nodes);
    const info = (await raw(f.port, { path: '/v1/info' })).json();
    assert.deepEqual(info, f.service.info());
  });

  it('GET /health is 200 when ok', async () => {
    const res = await raw(f.port, { path: '/health' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), f.service.health());
  });

  it('GET /metrics answers the text with the service content type', async () => {
    const res = await raw(f.port, { path: '/metrics' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], f.service.metricsContentType);
    assert.equal(res.body.toString(), await f.service.metricsText());
  });

  it('unknown routes are 404 HTTP_ERR_NOT_FOUND; wrong methods on views are 405 with Allow', async () => {
    for (const path of ['/', '/v1', '/v1/kvx', '/v2/kv/a', '/health/']) {
      const res = await raw(f.port, { path });
      assert.equal(res.status, 404, path);
      assert.equal(code(res), 'HTTP_ERR_NOT_FOUND');
    }
    const res = await raw(f.port, { method: 'POST', path: '/v1/members', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers['allow'], 'GET, HEAD');
    assert.equal(code(res), 'HTTP_ERR_METHOD');
  });

  it('extra routes answer paths the API does not serve; a throwing one is a 500', async () => {
    const res = await raw(f.port, { path: '/extra?q=1' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'extra 1');
    const failed = await raw(f.port, { path: '/extra-throws' });
    assert.equal(failed.status, 500);
    assert.equal(code(failed), 'HTTP_ERR_INTERNAL');
  });

  it('absolute-form request targets are routed by their path', async () => {
    await raw(f.port, { method: 'PUT', path: '/v1/kv/abs', body: 'v' });
    const res = await raw(f.port, { path: `http://127.0.0.1:${f.port}/v1/kv/abs?raw=1` });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'v');
  });

  it('a body of kvValueBytesMax is accepted; one byte more is 413 with a Content-Length', async () => {
    const ok = await raw(f.port, { method: 'PUT', path: '/v1/kv/max', body: new Uint8Array(kvValueBytesMax) });
    assert.equal(ok.status, 200);
    const before = f.service.ops.length;
    const res = await raw(f.port, { method: 'PUT', path: '/v1/kv/big', body: new Uint8Array(kvValueBytesMax + 1) });
    assert.equal(res.status, 413);
    assert.equal(code(res), 'HTTP_ERR_BODY_TOO_LARGE');
    assert.equal(f.service.ops.length, before);
  });

  it('a streamed (chunked) body is refused with 413 once it passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      let answered = false;
      const req = request({ host: '127.0.0.1', port: f.port, method: 'PUT', path: '/v1/kv/stream', agent: false }, (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      // Writes until the server answers (at most 8 MiB), honouring backpressure.
      const pump = (): void => {
        while (!answered && sent < 8 * kvValueBytesMax) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!answered) req.end();
      };
      pump();
    });
    assert.equal(status, 413);
    assert.equal(f.service.data.has('stream'), false);
  });

  it('Expect: 100-continue with an oversize Content-Length is refused before the body is sent', async () => {
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request(
        {
          host: '127.0.0.1',
          port: f.port,
          method: 'PUT',
          path: '/v1/kv/expect',
          agent: false,
          headers: { expect: '100-continue', 'content-length': kvValueBytesMax + 1 },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, continued });
          req.destroy();
        },
      );
      req.on('continue', () => {
        continued = true;
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.deepEqual(result, { status: 413, continued: false });
  });

  it('Expect: 100-continue with an acceptable body gets its continue and is stored', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: f.port, method: 'PUT', path: '/v1/kv/expect-ok', agent: false, headers: { expect: '100-continue', 'content-length': 2 } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('continue', () => req.end('ok'));
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 200);
    assert.equal(Buffer.from(f.service.data.get('expect-ok')!).toString(), 'ok');
  });

  it('keep-alive: consecutive requests, errors included, reuse one connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await raw(f.port, { path: '/health', agent });
      const second = await raw(f.port, { path: '/v1/kv/nope', agent });
      const third = await raw(f.port, { method: 'PUT', path: '/v1/kv/ka', body: 'x', agent });
      const fourth = await raw(f.port, { path: '/v1/members', agent });
      assert.equal(first.reusedSocket, false);
      assert.deepEqual([second.status, third.status, fourth.status], [404, 200, 200]);
      assert.deepEqual([second.reusedSocket, third.reusedSocket, fourth.reusedSocket], [true, true, true]);
    } finally {
      agent.destroy();
    }
  });

  it('counts requests and error answers', async () => {
    const before = { ...f.server.stats };
    await raw(f.port, { path: '/health' });
    await raw(f.port, { path: '/nowhere' });
    assert.equal(f.server.stats.requests, before.requests + 2);
    assert.equal(f.server.stats.errors, before.errors + 1);
  });
});

describe('HTTP API: health when not ok', () => {
  it('GET /health is 503 with the view while joining', async () => {
    class Joining extends FakeService {
      override health(): HealthView {
        return { ...super.health(), status: 'joining' };
      }
    }
    const f = await startFake({ service: new Joining() });
    try {
      const res = await raw(f.port, { path: '/health' });
      assert.equal(res.status, 503);
      assert.equal((res.json() as HealthView).status, 'joining');
    } finally {
      await f.server.close();
    }
  });
});

describe('HTTP API: bearer token', () => {
  let f: Fixture;
  before(async () => {
    f = await startFake({ authToken: 's3cret-token' });
  });
  after(async () => {
    await f.server.close();
  });

  it('every route but /health and /metrics needs the token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Bearer s3cret-token-longer' }, { authorization: 'Basic s3cret-token' }]) {
      for (const path of ['/v1/members', '/v1/kv/a', '/v1/ring', '/v1/info', '/unknown']) {
        const res = await raw(f.port, { path, headers });
        assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(code(res), 'HTTP_ERR_UNAUTHORIZED');
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    }
    assert.equal((await raw(f.port, { path: '/health' })).status, 200);
    assert.equal((await raw(f.port, { path: '/metrics' })).status, 200);
    assert.equal(f.service.ops.length, 0);
  });

  it('the right token is accepted (scheme case-insensitive)', async () => {
    const put = await raw(f.port, { method: 'PUT', path: '/v1/kv/a', body: 'v', headers: { authorization: 'Bearer s3cret-token' } });
    assert.equal(put.status, 200);
    const get = await raw(f.port, { path: '/v1/kv/a', headers: { authorization: 'bearer s3cret-token' } });
    assert.equal(get.status, 200);
    assert.equal((await raw(f.port, { path: '/unknown', headers: { authorization: 'Bearer s3cret-token' } })).status, 404);
  });

  it('an unauthenticated upload is refused without reading it, and the connection is closed', async () => {
    const res = await raw(f.port, { method: 'PUT', path: '/v1/kv/b', body: new Uint8Array(512 * 1024) });
    assert.equal(res.status, 401);
    assert.equal(res.headers['connection'], 'close');
    assert.equal(f.service.data.has('b'), false);
  });
});

describe('HTTP API: failures inside handlers', () => {
  class Throwing extends FakeService {
    override execute(op: ClientOp): Promise<ClientResult> {
      if (op.key === 'sync') throw new Error('sync boom');
      if (op.key === 'async') return Promise.reject(new Error('async boom'));
      if (op.key === 'noversion') return Promise.resolve({ ok: true });
      return super.execute(op);
    }
    override metricsText(): Promise<string> {
      return Promise.reject(new Error('metrics boom'));
    }
  }

  it('an exception is a 500 HTTP_ERR_INTERNAL with a log line, and the server keeps serving', async () => {
    const f = await startFake({ service: new Throwing() });
    try {
      for (const path of ['/v1/kv/sync', '/v1/kv/async', '/v1/kv/noversion', '/metrics']) {
        const res = await raw(f.port, { path });
        assert.equal(res.status, 500, path);
        assert.equal(code(res), 'HTTP_ERR_INTERNAL');
        assert.equal((res.json() as ErrorJson).error.message, 'internal error');
      }
      const warnings = f.logs.filter((l) => l.level === 'warn' && l.msg === 'http handler failed');
      assert.equal(warnings.length, 4);
      assert.match(String(warnings[0]!.fields?.['error']), /sync boom/);
      assert.equal((await raw(f.port, { method: 'PUT', path: '/v1/kv/fine', body: 'ok' })).status, 200);
      assert.equal((await raw(f.port, { path: '/health' })).status, 200);
    } finally {
      await f.server.close();
    }
  });
});

describe('HTTP API: lifecycle', () => {
  it('listens on an ephemeral port, logs it, and refuses a port in use', async () => {
    const f = await startFake();
    try {
      assert.equal(f.server.address.host, '127.0.0.1');
      assert.ok(f.server.address.port > 0);
      assert.ok(f.logs.some((l) => l.level === 'info' && l.fields?.['port'] === f.port));
      await assert.rejects(startFake({ port: f.port }), /EADDRINUSE/);
    } finally {
      await f.server.close();
    }
  });

  it('close() ends idle keep-alive and active connections and resolves', async () => {
    const service = new GatedService();
    const f = await startFake({ service });
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await raw(f.port, { path: '/health', agent })).status, 200);
      service.hold();
      const pending = raw(f.port, { path: '/v1/kv/held' });
      await within(service.arrived(), 2000, 'request reaches the service');
      await within(f.server.close(), 2000, 'close');
      await assert.rejects(pending);
      await f.server.close();
    } finally {
      service.release();
      agent.destroy();
      await f.server.close();
    }
  });
});
