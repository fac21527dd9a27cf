/**
 * The dashboard routes (src/api/dashboard) on an HTTP server over a FakeService: the static page
 * is public while its data routes take the token, /v1/stats sums the request counters, and
 * /v1/cluster/info fans out to the peers with timeouts, a deadline, shared in-flight requests and
 * a short cache. composeRoutes chains route handlers.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { composeRoutes, dashboardPublicPaths, dashboardRoutes } from '../../src/api/dashboard/index.js';
import type { ClusterInfoBody, ClusterInfoEntry, DashboardOptions, StatsBody } from '../../src/api/dashboard/index.js';
import { requestCounts } from '../../src/api/dashboard/request-stats.js';
import type { MemberView } from '../../src/runtime/service.js';
import { deadPort, raw, startFake, within } from '../client/fixtures.js';
import type { Fixture } from '../client/fixtures.js';
import { FakeService } from '../helpers/fake-service.js';

const token = 'dash-token';
const auth = { authorization: `Bearer ${token}` };
type ErrorJson = { error: { code: string } };

/** A FakeService with chosen members and metrics text. */
class HubService extends FakeService {
  memberList: MemberView[] = [];
  metrics = '';
  metricsFail = false;

  override members(): MemberView[] {
    return this.memberList;
  }

  override async metricsText(): Promise<string> {
    if (this.metricsFail) throw new Error('scrape failed');
    return this.metrics;
  }
}

function member(name: string, http: string | undefined, state: MemberView['state'] = 'alive', self = false): MemberView {
  return { name, addr: `127.0.0.1:${name.length}`, state, incarnation: 1, endpoints: http === undefined ? {} : { http }, self };
}

async function startHub(service: HubService, options: DashboardOptions = {}, logs: string[] = []): Promise<Fixture> {
  return startFake({
    service,
    authToken: token,
    publicPaths: dashboardPublicPaths,
    extraRoutes: dashboardRoutes(service, { authToken: token, ...options, log: (_level, msg) => logs.push(msg) }),
  });
}

/** A server that counts requests and answers each with `answer` (or never, when it returns false). */
async function startPeer(answer: (res: ServerResponse, n: number) => boolean): Promise<{ server: Server; http: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    req.resume();
    answer(res, n);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    http: `127.0.0.1:${port}`,
    requests: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('dashboard: the page and the token', () => {
  let f: Fixture;
  before(async () => {
    f = await startHub(new HubService('hub'));
  });
  after(async () => {
    await f.server.close();
  });

  it('serves /, /dashboard.js and /dashboard.css without a token, with their types and a strict CSP', async () => {
    const want: Record<string, RegExp> = { '/': /^text\/html/, '/dashboard.js': /^text\/javascript/, '/dashboard.css': /^text\/css/ };
    for (const [path, type] of Object.entries(want)) {
      const res = await raw(f.port, { path });
      assert.equal(res.status, 200, path);
      assert.match(String(res.headers['content-type']), type);
      assert.equal(Number(res.headers['content-length']), res.body.length);
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'.*connect-src 'self'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const page = (await raw(f.port, { path: '/?x=1' })).body.toString();
    assert.match(page, /<script src="\/dashboard.js" defer><\/script>/);
    assert.match(page, /<link rel="stylesheet" href="\/dashboard.css">/);
  });

  it('HEAD answers the headers only; other methods are 405 with Allow', async () => {
    const head = await raw(f.port, { method: 'HEAD', path: '/dashboard.js' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(head.headers['content-length']) > 1000);
    const post = await raw(f.port, { method: 'POST', path: '/', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
    assert.equal((post.json() as ErrorJson).error.code, 'HTTP_ERR_METHOD');
  });

  it('the data routes and every other path still need the token', async () => {
    for (const path of ['/v1/stats', '/v1/cluster/info', '/v1/members', '/index.html', '/dashboard.js/x', '/unknown']) {
      const res = await raw(f.port, { path });
      assert.equal(res.status, 401, path);
      assert.equal((res.json() as ErrorJson).error.code, 'HTTP_ERR_UNAUTHORIZED');
    }
    assert.equal((await raw(f.port, { path: '/v1/stats', headers: auth })).status, 200);
    assert.equal((await raw(f.port, { path: '/v1/cluster/info', headers: auth })).status, 200);
    assert.equal((await raw(f.port, { path: '/unknown', headers: auth })).status, 404);
  });
});

describe('dashboard: GET /v1/stats', () => {
  const service = new HubService('hub');
  const logs: string[] = [];
  let f: Fixture;
  before(async () => {
    f = await startHub(service, {}, logs);
  });
  after(async () => {
    await f.server.close();
  });

  it('sums ringkv_kv_requests_total by operation and by outcome', async () => {
    service.data.set('k', new Uint8Array([1]));
    service.metrics = [
      '# HELP ringkv_kv_requests_total Client operations',
      '# TYPE ringkv_kv_requests_total counter',
      'ringkv_kv_requests_total{op="read",outcome="ok",consistency="default"} 10',
      'ringkv_kv_requests_total{op="read",outcome="KV_ERR_NOT_FOUND",consistency="quorum"} 2',
      'ringkv_kv_requests_total{op="put",outcome="ok",consistency="default"} 5',
      'ringkv_kv_request_duration_seconds_count{op="put"} 99',
      'ringkv_kv_requests_totally_else{op="put"} 7',
      '',
    ].join('\n');
    const res = await raw(f.port, { path: '/v1/stats', headers: auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json() as StatsBody;
    assert.equal(body.name, 'hub');
    assert.equal(body.status, 'ok');
    assert.equal(body.requestsTotal, 17);
    assert.equal(body.requestsNotOk, 2);
    assert.deepEqual(body.byOp, { read: 12, put: 5 });
    assert.deepEqual(body.byOutcome, { ok: 15, KV_ERR_NOT_FOUND: 2 });
    assert.equal(body.keys, 1);
    assert.equal(body.uptimeMs, 1234);
    assert.equal(typeof body.atMs, 'number');
  });

  it('parses label values with escapes and ignores malformed samples', () => {
    const counts = requestCounts(
      [
        'ringkv_kv_requests_total{consistency="all",op="delete",outcome="ok"} 3',
        'ringkv_kv_requests_total{op="we\\"ird",outcome="x\\\\y"} 1e0',
        'ringkv_kv_requests_total{op="read",outcome="ok"} NaN',
        'ringkv_kv_requests_total{op="read",outcome="ok"} -1',
        'ringkv_kv_requests_total 4',
      ].join('\n'),
    );
    assert.deepEqual(counts, { total: 4, byOp: { delete: 3, 'we\\"ird': 1 }, byOutcome: { ok: 3, 'x\\\\y': 1 } });
    assert.deepEqual(requestCounts(''), { total: 0, byOp: {}, byOutcome: {} });
  });

  it('a failing scrape is a 500 HTTP_ERR_INTERNAL, logged, and the next request tries again', async () => {
    service.metricsFail = true;
    // Past the 200 ms stats cache of the previous test.
    const failed = await within(
      (async () => {
        for (;;) {
          const res = await raw(f.port, { path: '/v1/stats', headers: auth });
          if (res.status !== 200) return res;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      5_000,
      'the stats cache to expire',
    );
    assert.equal(failed.status, 500);
    assert.equal((failed.json() as ErrorJson).error.code, 'HTTP_ERR_INTERNAL');
    assert.ok(logs.includes('dashboard route failed'));
    service.metricsFail = false;
    assert.equal((await raw(f.port, { path: '/v1/stats', headers: auth })).status, 200);
  });
});

describe('dashboard: GET /v1/cluster/info (server-side fan-out)', () => {
  const peers: Array<{ close: () => Promise<void> }> = [];
  const servers: Fixture[] = [];
  after(async () => {
    await Promise.all([...peers.map((p) => p.close()), ...servers.map((s) => s.server.close())]);
  });

  const byName = (body: ClusterInfoBody): Map<string, ClusterInfoEntry> => new Map(body.nodes.map((n) => [n.name, n]));

  it('asks every live peer with the token and reports unreachable, slow, unauthorised and skipped ones', async () => {
    const okPeer = await startFake({ service: new FakeService('peer-ok'), authToken: token });
    const otherToken = await startFake({ service: new FakeService('peer-401'), authToken: 'another' });
    servers.push(okPeer, otherToken);
    okPeer.service.data.set('a', new Uint8Array(1));
    okPeer.service.data.set('b', new Uint8Array(1));
    const hung = await startPeer(() => false);
    const garbage = await startPeer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":1}');
      return true;
    });
    peers.push(hung, garbage);
    const refused = `127.0.0.1:${await deadPort()}`;

    const hub = new HubService('hub');
    hub.memberList = [
      member('hub', '127.0.0.1:1', 'alive', true),
      member('peer-ok', okPeer.node),
      member('peer-401', otherToken.node, 'suspect'),
      member('peer-hung', hung.http),
      member('peer-garbage', garbage.http),
      member('peer-refused', refused),
      member('peer-dead', okPeer.node, 'dead'),
      member('peer-left', okPeer.node, 'left'),
      member('peer-no-http', undefined),
    ];
    const f = await startHub(hub, { requestTimeoutMs: 300, cacheMs: 0 });
    servers.push(f);
    const started = performance.now();
    const res = await raw(f.port, { path: '/v1/cluster/info', headers: auth });
    const elapsed = performance.now() - started;
    assert.equal(res.status, 200);
    const body = res.json() as ClusterInfoBody;
    assert.equal(body.from, 'hub');
    assert.deepEqual(
      body.nodes.map((n) => n.name),
      ['hub', 'peer-401', 'peer-dead', 'peer-garbage', 'peer-hung', 'peer-left', 'peer-no-http', 'peer-ok', 'peer-refused'],
    );
    const n = byName(body);
    const status = (name: string): string => n.get(name)!.status;
    const entry = n.get('peer-ok')!;
    assert.ok(entry.status === 'ok');
    assert.equal(entry.info.name, 'peer-ok');
    assert.equal(entry.info.keys, 2);
    const self = n.get('hub')!;
    assert.ok(self.status === 'ok' && self.self && self.info.name === 'hub');
    const e401 = n.get('peer-401')!;
    assert.ok(e401.status === 'error' && /HTTP 401/.test(e401.error), JSON.stringify(e401));
    assert.equal(e401.state, 'suspect');
    const eHung = n.get('peer-hung')!;
    assert.ok(eHung.status === 'error' && /no answer within 300 ms/.test(eHung.error), JSON.stringify(eHung));
    const eGarbage = n.get('peer-garbage')!;
    assert.ok(eGarbage.status === 'error' && /malformed/.test(eGarbage.error), JSON.stringify(eGarbage));
    const eRefused = n.get('peer-refused')!;
    assert.ok(eRefused.status === 'error' && /ECONNREFUSED/.test(eRefused.error), JSON.stringify(eRefused));
    for (const name of ['peer-dead', 'peer-left', 'peer-no-http']) assert.equal(status(name), 'skipped', name);
    assert.ok(elapsed < 2_000, `the fan-out is bounded by the timeout (${elapsed} ms)`);
    assert.equal(hung.requests(), 1);
  });

  it('concurrent callers share one fan-out, and its result is reused for cacheMs', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const info = JSON.stringify(new FakeService('slow').info());
    const slow = await startPeer((res) => {
      void gate.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(info));
      return true;
    });
    peers.push(slow);
    const hub = new HubService('hub');
    hub.memberList = [member('hub', undefined, 'alive', true), member('slow', slow.http)];
    const f = await startHub(hub, { requestTimeoutMs: 5_000, cacheMs: 60_000 });
    servers.push(f);
    const first = raw(f.port, { path: '/v1/cluster/info', headers: auth });
    const second = raw(f.port, { path: '/v1/cluster/info', headers: auth });
    await within(
      (async () => {
        while (slow.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      5_000,
      'the fan-out to reach the peer',
    );
    release();
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(a.json(), b.json());
    assert.equal((a.json() as ClusterInfoBody).nodes[1]!.status, 'ok');
    const third = await raw(f.port, { path: '/v1/cluster/info', headers: auth });
    assert.deepEqual(third.json(), a.json(), 'cached');
    assert.equal(slow.requests(), 1, 'one request for three callers');
  });

  it('peers not asked by the overall deadline are reported skipped', async () => {
    const hung = await startPeer(() => false);
    peers.push(hung);
    const hub = new HubService('hub');
    hub.memberList = [member('hub', undefined, 'alive', true), member('p1', hung.http), member('p2', hung.http), member('p3', hung.http)];
    const f = await startHub(hub, { concurrency: 1, requestTimeoutMs: 250, deadlineMs: 400, cacheMs: 0 });
    servers.push(f);
    const started = performance.now();
    const body = (await raw(f.port, { path: '/v1/cluster/info', headers: auth })).json() as ClusterInfoBody;
    const elapsed = performance.now() - started;
    const n = byName(body);
    assert.equal(n.get('p1')!.status, 'error');
    assert.equal(n.get('p2')!.status, 'error', 'asked with the 150 ms left');
    const p3 = n.get('p3')!;
    assert.ok(p3.status === 'skipped' && /deadline/.test(p3.reason), JSON.stringify(p3));
    assert.ok(elapsed < 1_500, `bounded by the deadline (${elapsed} ms)`);
  });
});

describe('composeRoutes', () => {
  it('tries the routes in order until one answers', async () => {
    const calls: string[] = [];
    const route = (name: string, answers: boolean) => (): boolean => {
      calls.push(name);
      return answers;
    };
    const req = {} as Parameters<ReturnType<typeof composeRoutes>>[0];
    const res = {} as Parameters<ReturnType<typeof composeRoutes>>[1];
    const url = new URL('http://localhost/x');
    assert.equal(composeRoutes(route('a', false), route('b', true), route('c', true))(req, res, url), true);
    assert.deepEqual(calls, ['a', 'b']);
    assert.equal(composeRoutes(route('d', false))(req, res, url), false);
    assert.equal(composeRoutes()(req, res, url), false);
  });
});
