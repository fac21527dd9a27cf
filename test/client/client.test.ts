/**
 * The client against a real HTTP API server over a FakeService: round trips, binary values and
 * awkward keys, typed errors, views, the token, option validation and close().
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, isRingkvError } from '../../src/client/index.js';
import type { ClientOp, ClientResult } from '../../src/kv/client-types.js';
import { kvKeyBytesMax, kvValueBytesMax } from '../../src/wire/kv-limits.js';
import { FakeService } from '../helpers/fake-service.js';
import { GatedService, rejectsWith, startFake, within } from './fixtures.js';
import type { Fixture } from './fixtures.js';

describe('client: operations', () => {
  let f: Fixture;
  let client: Client;
  before(async () => {
    f = await startFake();
    client = new Client({ nodes: [f.node] });
  });
  after(async () => {
    await client.close();
    await f.server.close();
  });

  it('put, get, getText round trip with versions', async () => {
    const { version } = await client.put('k1', 'hello');
    assert.equal(typeof version.physicalMs, 'number');
    const entry = await client.get('k1');
    assert.ok(entry !== null);
    assert.equal(entry.key, 'k1');
    assert.ok(entry.value instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(entry.value), 'hello');
    assert.deepEqual(Object.keys(entry.version).sort(), ['logical', 'nodeId', 'physicalMs']);
    assert.equal(await client.getText('k1'), 'hello');
  });

  it('get of a missing key resolves null; getText too', async () => {
    assert.equal(await client.get('nothing-here'), null);
    assert.equal(await client.getText('nothing-here'), null);
  });

  it('binary values round-trip byte for byte, including a 1 MiB value', async () => {
    const bytes = new Uint8Array(256);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i;
    await client.put('bin', bytes);
    assert.deepEqual((await client.get('bin'))?.value, bytes);
    const big = new Uint8Array(kvValueBytesMax).fill(0xfe);
    await client.put('big', big);
    assert.deepEqual((await client.get('big'))?.value, big);
    await client.put('empty', new Uint8Array(0));
    assert.equal((await client.get('empty'))?.value.byteLength, 0);
  });

  it('keys with slashes, reserved characters and any UTF-8 reach the node unchanged', async () => {
    for (const key of ['a/b', '/leading', 'trailing/', 'a//b', '..', '.', 'q?x=1#frag', '100%', 'sp ace+plus', 'clé ✓ 😀', 'k'.repeat(kvKeyBytesMax)]) {
      await client.put(key, `v:${key}`);
      assert.equal(new TextDecoder().decode(f.service.data.get(key)), `v:${key}`, key);
      assert.equal(await client.getText(key), `v:${key}`, key);
    }
  });

  it('create, update and delete follow their preconditions with typed errors', async () => {
    await client.create('c1', 'one');
    const exists = await rejectsWith(client.create('c1', 'two'), 'KV_ERR_EXISTS');
    assert.equal(exists.status, 409);
    assert.equal(exists.node, f.node);
    assert.equal(exists.attempts, 1);
    await client.update('c1', 'three');
    assert.equal(await client.getText('c1'), 'three');
    const missing = await rejectsWith(client.update('u-missing', 'x'), 'KV_ERR_NOT_FOUND');
    assert.equal(missing.status, 404);
    assert.equal(await client.delete('c1'), true);
    assert.equal(await client.delete('c1'), false);
    assert.equal(await client.get('c1'), null);
  });

  it('passes the consistency level', async () => {
    await client.put('cl', 'x', { consistency: 'all' });
    assert.equal(f.service.ops.at(-1)?.consistency, 'all');
    await client.get('cl', { consistency: 'one' });
    assert.equal(f.service.ops.at(-1)?.consistency, 'one');
    await client.delete('cl', { consistency: 'quorum' });
    assert.equal(f.service.ops.at(-1)?.consistency, 'quorum');
  });

  it('server errors keep their code and status; KV_ERR_BAD_REQUEST is not retried', async () => {
    f.service.failNext('KV_ERR_BAD_REQUEST');
    const before = f.service.ops.length;
    const error = await rejectsWith(client.put('x', 'y'), 'KV_ERR_BAD_REQUEST');
    assert.equal(error.status, 400);
    assert.equal(f.service.ops.length, before + 1);
    assert.ok(isRingkvError(error, 'KV_ERR_BAD_REQUEST'));
    assert.ok(!isRingkvError(error, 'KV_ERR_EXISTS'));
  });

  it('invalid arguments are refused locally with CLIENT_ERR_BAD_REQUEST', async () => {
    const before = f.service.ops.length;
    await rejectsWith(client.get(''), 'CLIENT_ERR_BAD_REQUEST');
    await rejectsWith(client.put('k'.repeat(kvKeyBytesMax + 1), 'x'), 'CLIENT_ERR_BAD_REQUEST');
    await rejectsWith(client.put('\ud800', 'x'), 'CLIENT_ERR_BAD_REQUEST');
    await rejectsWith(client.put('k', new Uint8Array(kvValueBytesMax + 1)), 'CLIENT_ERR_BAD_REQUEST');
    await rejectsWith(client.put('k', 42 as unknown as string), 'CLIENT_ERR_BAD_REQUEST');
    await rejectsWith(client.get('k', { consistency: 'most' as 'one' }), 'CLIENT_ERR_BAD_REQUEST');
    assert.equal(f.service.ops.length, before);
  });

  it('members, ring (with and without ranges), health and info', async () => {
    assert.deepEqual(await client.members(), f.service.members());
    assert.deepEqual(await client.ring(), f.service.ring());
    const summary = await client.ring({ ranges: false });
    assert.equal(summary.ranges, undefined);
    assert.equal(summary.replicationFactor, 3);
    assert.deepEqual(await client.health(), f.service.health());
    assert.deepEqual(await client.info({ node: `http://${f.node}` }), f.service.info());
  });
});

describe('client: quorum details', () => {
  it('KV_ERR_QUORUM_UNAVAILABLE carries acks and required from the server', async () => {
    class Short extends FakeService {
      override async execute(op: ClientOp): Promise<ClientResult> {
        this.ops.push(op);
        return { ok: false, error: { code: 'KV_ERR_QUORUM_UNAVAILABLE', message: '1 of 2 acks', acks: 1, required: 2 } };
      }
    }
    const f = await startFake({ service: new Short() });
    const client = new Client({ nodes: [f.node], retries: 1 });
    try {
      const error = await rejectsWith(client.put('k', 'v'), 'KV_ERR_QUORUM_UNAVAILABLE');
      assert.deepEqual([error.status, error.acks, error.required, error.attempts], [503, 1, 2, 2]);
      assert.equal(f.service.ops.length, 2);
    } finally {
      await client.close();
      await f.server.close();
    }
  });
});

describe('client: token', () => {
  it('sends the bearer token; without it the server answers HTTP_ERR_UNAUTHORIZED', async () => {
    const f = await startFake({ authToken: 'tok-123' });
    const good = new Client({ nodes: [f.node], token: 'tok-123' });
    const bad = new Client({ nodes: [f.node] });
    try {
      await good.put('a', 'b');
      assert.equal(await good.getText('a'), 'b');
      const error = await rejectsWith(bad.get('a'), 'HTTP_ERR_UNAUTHORIZED');
      assert.equal(error.status, 401);
      assert.equal(error.attempts, 1);
      // Health stays public.
      assert.equal((await bad.health()).status, 'ok');
    } finally {
      await good.close();
      await bad.close();
      await f.server.close();
    }
  });
});

describe('client: options', () => {
  it('invalid options throw CLIENT_ERR_CONFIG at construction', () => {
    const invalid: unknown[] = [
      { nodes: [] },
      { nodes: 'localhost:1' },
      { nodes: ['localhost'] },
      { nodes: ['localhost:0'] },
      { nodes: ['localhost:70000'] },
      { nodes: ['ftp://localhost:21'] },
      { nodes: ['http://localhost:8001/path'] },
      { nodes: ['http://user:pw@localhost:8001'] },
      { nodes: ['host name:80'] },
      { nodes: [42] },
      { nodes: ['a:1'], timeoutMs: 0 },
      { nodes: ['a:1'], timeoutMs: Number.NaN },
      { nodes: ['a:1'], retries: -1 },
      { nodes: ['a:1'], retries: 1.5 },
      { nodes: ['a:1'], retryBudgetMs: -5 },
      { nodes: ['a:1'], token: '' },
      { nodes: ['a:1'], token: 'has space' },
      { nodes: ['a:1'], token: 'line\nbreak' },
    ];
    for (const options of invalid) {
      assert.throws(
        () => new Client(options as never),
        (error: unknown) => isRingkvError(error, 'CLIENT_ERR_CONFIG'),
        JSON.stringify(options),
      );
    }
  });

  it('accepts host:port, [v6]:port and http(s) URLs', async () => {
    const client = new Client({ nodes: ['localhost:8001', '[::1]:8002', 'http://10.0.0.1:8003', 'https://example.com', 'http://h:9/'] });
    await client.close();
  });

  it('a pinned node with a bad address rejects with CLIENT_ERR_CONFIG', async () => {
    const client = new Client({ nodes: ['127.0.0.1:9'] });
    await rejectsWith(client.health({ node: 'nope' }), 'CLIENT_ERR_CONFIG');
    await client.close();
  });
});

describe('client: close', () => {
  it('aborts calls in flight and refuses new ones with CLIENT_ERR_CLOSED', async () => {
    const service = new GatedService();
    const f = await startFake({ service });
    const client = new Client({ nodes: [f.node] });
    try {
      service.hold();
      const pending = client.get('held');
      await within(service.arrived(), 2000, 'request reaches the service');
      await client.close();
      assert.equal(client.closed, true);
      await rejectsWith(within(pending, 2000, 'aborted call'), 'CLIENT_ERR_CLOSED');
      await rejectsWith(client.put('a', 'b'), 'CLIENT_ERR_CLOSED');
      await client.close();
    } finally {
      service.release();
      await f.server.close();
    }
  });
});
