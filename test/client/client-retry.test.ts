/**
 * Retries of the client: across nodes on connection failures, on KV_ERR_OVERLOADED and
 * KV_ERR_NOT_READY, on KV_ERR_QUORUM_UNAVAILABLE only for idempotent calls, bounded by `retries`
 * and `retryBudgetMs`; timeouts; answers that are not the ringkv API.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/client/index.js';
import { deadPort, GatedService, rejectsWith, startFake } from './fixtures.js';
import type { Fixture } from './fixtures.js';

describe('client: retries', () => {
  let a: Fixture;
  let b: Fixture;
  let dead: string;
  const clients: Client[] = [];
  const client = (options: ConstructorParameters<typeof Client>[0]): Client => {
    const c = new Client(options);
    clients.push(c);
    return c;
  };
  before(async () => {
    a = await startFake();
    b = await startFake();
    dead = `127.0.0.1:${await deadPort()}`;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.server.close();
    await b.server.close();
  });

  it('a dead node is skipped: every call succeeds on the live one', async () => {
    const c = client({ nodes: [dead, a.node], retries: 1 });
    // The rotation starts at a random node and advances per call, so some calls start at the dead one.
    for (let i = 0; i < 4; i++) await c.put(`rr${i}`, 'v');
    for (let i = 0; i < 4; i++) assert.equal(await c.getText(`rr${i}`), 'v');
    // Creates are retried too when the connection was refused: nothing was sent.
    for (let i = 0; i < 4; i++) await c.create(`cr${i}`, 'v');
    assert.equal(a.service.data.has('cr3'), true);
  });

  it('calls rotate across live nodes', async () => {
    const c = client({ nodes: [a.node, b.node] });
    const before = a.service.ops.length + b.service.ops.length;
    const beforeA = a.service.ops.length;
    for (let i = 0; i < 4; i++) await c.get('rotate');
    assert.equal(a.service.ops.length + b.service.ops.length, before + 4);
    assert.equal(a.service.ops.length - beforeA, 2);
  });

  it('KV_ERR_OVERLOADED and KV_ERR_NOT_READY are retried, for creates too', async () => {
    const c = client({ nodes: [a.node], retries: 2 });
    a.service.failNext('KV_ERR_OVERLOADED');
    await c.put('ov', 'v');
    a.service.failNext('KV_ERR_NOT_READY');
    a.service.failNext('KV_ERR_OVERLOADED');
    await c.create('ov-create', 'v');
    assert.equal(await c.getText('ov-create'), 'v');
  });

  it('when retries run out the last server error is reported with the attempt count', async () => {
    const c = client({ nodes: [a.node], retries: 2 });
    a.service.failNext('KV_ERR_OVERLOADED', 3);
    const error = await rejectsWith(c.get('ov'), 'KV_ERR_OVERLOADED');
    assert.equal(error.status, 429);
    assert.equal(error.attempts, 3);
    assert.match(error.message, /3 attempts/);
  });

  it('create and update are not retried after KV_ERR_QUORUM_UNAVAILABLE', async () => {
    const c = client({ nodes: [a.node], retries: 3 });
    await c.put('q-upd', 'old');
    for (const call of [() => c.create('q-new', 'v'), () => c.update('q-upd', 'new')]) {
      a.service.failNext('KV_ERR_QUORUM_UNAVAILABLE');
      const before = a.service.ops.length;
      const error = await rejectsWith(call(), 'KV_ERR_QUORUM_UNAVAILABLE');
      assert.equal(error.status, 503);
      assert.equal(error.attempts, 1);
      assert.equal(a.service.ops.length, before + 1);
    }
  });

  it('put and get are retried after KV_ERR_QUORUM_UNAVAILABLE', async () => {
    const c = client({ nodes: [a.node], retries: 1 });
    a.service.failNext('KV_ERR_QUORUM_UNAVAILABLE');
    await c.put('q-put', 'v');
    a.service.failNext('KV_ERR_QUORUM_UNAVAILABLE');
    assert.equal(await c.getText('q-put'), 'v');
  });

  it('a delete retried after an unknown outcome counts "not found" as deleted', async () => {
    const c = client({ nodes: [a.node], retries: 1 });
    await c.put('del-q', 'v');
    // The first attempt "fails" with QUORUM_UNAVAILABLE (so it may have been applied); the retry finds nothing.
    a.service.failNext('KV_ERR_QUORUM_UNAVAILABLE');
    a.service.data.delete('del-q');
    assert.equal(await c.delete('del-q'), true);
    // Without an earlier uncertain attempt, not found is false.
    assert.equal(await c.delete('del-q'), false);
  });

  it('no reachable node: CLIENT_ERR_UNAVAILABLE after 1 + retries attempts', async () => {
    const dead2 = `127.0.0.1:${await deadPort()}`;
    const c = client({ nodes: [dead, dead2], retries: 3 });
    const error = await rejectsWith(c.get('x'), 'CLIENT_ERR_UNAVAILABLE');
    assert.equal(error.attempts, 4);
    assert.equal(error.status, undefined);
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('the retry budget bounds the attempts: CLIENT_ERR_UNAVAILABLE before the retries run out', async () => {
    const c = client({ nodes: [dead], retries: 1_000_000, retryBudgetMs: 300 });
    const error = await rejectsWith(c.put('x', 'y'), 'CLIENT_ERR_UNAVAILABLE');
    assert.ok(error.attempts !== undefined && error.attempts > 1 && error.attempts < 1_000_000, String(error.attempts));
  });

  it('a node that does not answer in timeoutMs: CLIENT_ERR_TIMEOUT, and a read moves on to the next node', async () => {
    const service = new GatedService();
    const slow = await startFake({ service });
    try {
      service.hold();
      const lone = client({ nodes: [slow.node], timeoutMs: 250, retries: 0 });
      const error = await rejectsWith(lone.get('t'), 'CLIENT_ERR_TIMEOUT');
      assert.equal(error.node, slow.node);
      // A create whose attempt timed out is not retried (it may have been applied)...
      const pair = client({ nodes: [slow.node, a.node], timeoutMs: 250, retries: 1 });
      const outcomes = await Promise.allSettled([pair.create('t-create-1', 'v'), pair.create('t-create-2', 'v')]);
      assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 1);
      // ...while reads are.
      assert.equal(await pair.get('missing-everywhere'), null);
      assert.equal(await pair.get('missing-everywhere'), null);
    } finally {
      service.release();
      await slow.server.close();
    }
  });
});

describe('client: answers that are not the ringkv API', () => {
  let server: Server;
  let node: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/v1/kv/html')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      } else if (req.url?.startsWith('/v1/kv/json')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    node = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('are CLIENT_ERR_PROTOCOL, not retried', async () => {
    const c = new Client({ nodes: [node], retries: 3 });
    try {
      await rejectsWith(c.get('html'), 'CLIENT_ERR_PROTOCOL');
      const write = await rejectsWith(c.put('json', 'v'), 'CLIENT_ERR_PROTOCOL');
      assert.equal(write.status, 200);
      const gateway = await rejectsWith(c.get('other'), 'CLIENT_ERR_PROTOCOL');
      assert.equal(gateway.status, 502);
      assert.equal(gateway.attempts, 1);
    } finally {
      await c.close();
    }
  });
});
