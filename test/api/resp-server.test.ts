/**
 * The RESP server against a real Redis client (ioredis) over 127.0.0.1, backed by FakeService.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { startRespServer, type RespServer } from '../../src/api/resp/index.js';
import { kvKeyBytesMax, kvValueBytesMax } from '../../src/wire/kv-limits.js';
import { FakeService } from '../helpers/fake-service.js';

const host = '127.0.0.1';

async function connect(server: RespServer, extra: Partial<RedisOptions> = {}): Promise<Redis> {
  const client = new Redis({
    port: server.address.port,
    host,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...extra,
  });
  client.on('error', () => {}); // surfaced through command promises
  await client.connect();
  return client;
}

/** The message of the error `p` rejects with. */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('expected an error reply');
}

describe('RESP server with ioredis', () => {
  let service: FakeService;
  let server: RespServer;
  let client: Redis;

  before(async () => {
    service = new FakeService();
    server = await startRespServer({ host, port: 0, service });
    client = await connect(server);
  });

  after(async () => {
    await client.quit();
    await server.close();
  });

  it('listens on an ephemeral port of the host asked', () => {
    assert.equal(server.address.host, host);
    assert.ok(server.address.port > 0);
  });

  it('SET, GET, DEL and EXISTS', async () => {
    assert.equal(await client.set('a', '1'), 'OK');
    assert.equal(await client.get('a'), '1');
    assert.equal(await client.get('missing'), null);
    assert.equal(await client.set('b', '2'), 'OK');
    assert.equal(await client.exists('a', 'b', 'missing', 'a'), 3);
    assert.equal(await client.del('a', 'b', 'missing'), 2);
    assert.equal(await client.exists('a'), 0);
    assert.equal(await client.del('a'), 0);
    assert.equal(await client.call('UNLINK', 'nothing'), 0);
  });

  it('maps SET, SET NX and SET XX to put, create and update', async () => {
    const before = service.ops.length;
    assert.equal(await client.set('nx', 'v1', 'NX'), 'OK');
    assert.equal(await client.set('nx', 'v2', 'NX'), null, 'NX on an existing key replies null, like Redis');
    assert.equal(await client.get('nx'), 'v1');
    assert.equal(await client.set('xx', 'v1', 'XX'), null, 'XX on a missing key replies null');
    assert.equal(await client.set('nx', 'v3', 'XX'), 'OK');
    assert.equal(await client.get('nx'), 'v3');
    assert.equal(await client.set('nx', 'v4'), 'OK');
    const types = service.ops.slice(before).map((op) => op.type);
    assert.deepEqual(types, ['create', 'create', 'read', 'update', 'update', 'read', 'put']);
  });

  it('rejects SET options it does not support', async () => {
    assert.equal(await errorOf(client.set('k', 'v', 'EX', 10)), 'ERR ringkv does not support expiry (EX, PX, EXAT, PXAT, KEEPTTL)');
    assert.equal(await errorOf(client.call('SET', 'k', 'v', 'KEEPTTL')), 'ERR ringkv does not support expiry (EX, PX, EXAT, PXAT, KEEPTTL)');
    assert.equal(await errorOf(client.call('SET', 'k', 'v', 'GET')), 'ERR ringkv does not support SET with GET');
    assert.equal(await errorOf(client.call('SET', 'k', 'v', 'NX', 'XX')), 'ERR syntax error');
    assert.equal(await errorOf(client.call('SET', 'k', 'v', 'BOGUS')), 'ERR syntax error');
  });

  it('round-trips a binary value with all 256 byte values', async () => {
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await client.set('bin', value), 'OK');
    const got = await client.getBuffer('bin');
    assert.ok(got !== null && got.equals(value));
    assert.deepEqual(Buffer.from(service.data.get('bin')!), value);
  });

  it('accepts a 1 MiB value; a larger one gets KV_ERR_BAD_REQUEST and the connection keeps working', async () => {
    // Reading it back is tested over a raw socket (resp-raw.test.ts): ioredis's reply parser keeps
    // a 50 ms buffer-shrinking interval running for ~2 s after a large reply, delaying exit.
    const value = Buffer.alloc(kvValueBytesMax, 0x5a);
    assert.equal(await client.set('big', value), 'OK');
    assert.ok(Buffer.from(service.data.get('big')!).equals(value));
    const ops = service.ops.length;
    const tooBig = Buffer.alloc(kvValueBytesMax + 1, 0x5a);
    assert.equal(await errorOf(client.set('big2', tooBig)), `ERR KV_ERR_BAD_REQUEST value is ${kvValueBytesMax + 1} bytes, limit ${kvValueBytesMax}`);
    assert.equal(service.ops.length, ops, 'rejected before reaching the service');
    assert.equal(await client.ping(), 'PONG');
  });

  it('rejects a key over kvKeyBytesMax and a key that is not UTF-8, before the service', async () => {
    const ops = service.ops.length;
    assert.equal(await errorOf(client.get('k'.repeat(kvKeyBytesMax + 1))), `ERR KV_ERR_BAD_REQUEST key is ${kvKeyBytesMax + 1} bytes, limit ${kvKeyBytesMax}`);
    assert.equal(await errorOf(client.set(Buffer.from([0xff, 0xfe]), 'v')), 'ERR KV_ERR_BAD_REQUEST key is not valid UTF-8');
    assert.equal(await errorOf(client.del('ok', Buffer.from([0xc3]))), 'ERR KV_ERR_BAD_REQUEST key is not valid UTF-8');
    assert.equal(service.ops.length, ops);
    assert.equal(await client.set('k'.repeat(kvKeyBytesMax), 'v'), 'OK');
    assert.equal(await client.set('clé-€', 'v'), 'OK');
    assert.equal(await client.get('clé-€'), 'v');
    assert.ok(service.data.has('clé-€'));
  });

  it('answers 1,000 pipelined commands in order', async () => {
    const pipe = client.pipeline();
    for (let i = 0; i < 250; i++) {
      pipe.set(`p${i}`, `v${i}`);
      pipe.get(`p${i}`);
      pipe.set(`p${i}`, `w${i}`, 'NX');
      pipe.exists(`p${i}`, `nope${i}`);
    }
    const results = await pipe.exec();
    assert.ok(results !== null);
    assert.equal(results.length, 1000);
    for (let i = 0; i < 250; i++) {
      assert.deepEqual(
        results.slice(4 * i, 4 * i + 4).map(([err, v]) => [err, v]),
        [
          [null, 'OK'],
          [null, `v${i}`],
          [null, null],
          [null, 1],
        ],
      );
    }
  });

  it('MSET writes every pair; MGET returns values and nulls in key order', async () => {
    assert.equal(await client.mset('m1', 'x', 'm3', 'z'), 'OK');
    assert.deepEqual(await client.mget('m1', 'm2', 'm3'), ['x', null, 'z']);
    assert.equal(await errorOf(client.call('MSET', 'a', '1', 'b')), "ERR wrong number of arguments for 'mset' command");
    service.failNext('KV_ERR_QUORUM_UNAVAILABLE');
    assert.equal(await errorOf(client.mset('m4', '1', 'm5', '2')), 'TRYAGAIN KV_ERR_QUORUM_UNAVAILABLE injected KV_ERR_QUORUM_UNAVAILABLE');
    assert.deepEqual(await client.mget('m4', 'm5'), [null, '2'], 'not atomic: the other pair was written');
  });

  it('maps failed operations to error replies carrying the stable code', async () => {
    const cases: Array<[Parameters<FakeService['failNext']>[0], string]> = [
      ['KV_ERR_QUORUM_UNAVAILABLE', 'TRYAGAIN KV_ERR_QUORUM_UNAVAILABLE injected KV_ERR_QUORUM_UNAVAILABLE'],
      ['KV_ERR_OVERLOADED', 'BUSY KV_ERR_OVERLOADED injected KV_ERR_OVERLOADED'],
      ['KV_ERR_NOT_READY', 'LOADING KV_ERR_NOT_READY injected KV_ERR_NOT_READY'],
      ['KV_ERR_BAD_REQUEST', 'ERR KV_ERR_BAD_REQUEST injected KV_ERR_BAD_REQUEST'],
    ];
    for (const [code, message] of cases) {
      service.failNext(code);
      assert.equal(await errorOf(client.get('a')), message);
      service.failNext(code);
      assert.equal(await errorOf(client.set('a', '1')), message);
      service.failNext(code);
      assert.equal(await errorOf(client.del('a')), message);
    }
    service.failNext('KV_ERR_EXISTS');
    assert.equal(await errorOf(client.set('a', '1')), 'ERR KV_ERR_EXISTS injected KV_ERR_EXISTS', 'EXISTS on a plain SET is an error');
    assert.equal(await client.ping(), 'PONG');
  });

  it('replies to unknown commands and wrong arity with Redis wording', async () => {
    assert.equal(await errorOf(client.call('FOO', 'a', 'b c')), "ERR unknown command 'FOO', with args beginning with: 'a' 'b c' ");
    assert.equal(await errorOf(client.call('NOPE')), "ERR unknown command 'NOPE', with args beginning with: ");
    assert.equal(await errorOf(client.call('GET')), "ERR wrong number of arguments for 'get' command");
    assert.equal(await errorOf(client.call('GET', 'a', 'b')), "ERR wrong number of arguments for 'get' command");
  });

  it('INFO is Redis INFO text with ringkv fields', async () => {
    const text = await client.info();
    const fields = new Map<string, string>();
    for (const line of text.split('\r\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const i = line.indexOf(':');
      fields.set(line.slice(0, i), line.slice(i + 1));
    }
    assert.equal(fields.get('redis_version'), '7.0.0');
    assert.equal(fields.get('loading'), '0');
    assert.equal(fields.get('role'), 'master');
    assert.equal(fields.get('ringkv_node'), 'fake-1');
    assert.equal(fields.get('ringkv_status'), 'ok');
    assert.equal(fields.get('ringkv_members_suspect'), '1');
    assert.equal(fields.get('tcp_port'), String(server.address.port));
    assert.match(text, /^# Server\r\n/);
    assert.match(text, /\r\n# Ringkv\r\n/);
    const serverOnly = await client.info('server');
    assert.match(serverOnly, /^# Server\r\n/);
    assert.doesNotMatch(serverOnly, /# Ringkv/);
    assert.match(await client.info('RINGKV'), /^# Ringkv\r\nringkv_node:fake-1\r\n/);
  });

  it('answers connection and introspection commands', async () => {
    assert.equal(await client.ping(), 'PONG');
    assert.equal(await client.ping('hi'), 'hi');
    assert.equal(await client.echo('hello'), 'hello');
    assert.equal(await client.select(0), 'OK');
    assert.equal(await errorOf(client.select(1)), 'ERR DB index is out of range');
    assert.deepEqual(await client.call('COMMAND'), []);
    assert.deepEqual(await client.call('COMMAND', 'DOCS'), []);
    assert.equal(typeof (await client.call('COMMAND', 'COUNT')), 'number');
    assert.deepEqual(await client.call('CONFIG', 'GET', 'save'), ['save', '']);
    assert.deepEqual(await client.call('CONFIG', 'GET', 'appendonly'), ['appendonly', 'no']);
    assert.deepEqual(await client.call('CONFIG', 'GET', 'nosuchparam'), []);
    assert.deepEqual(await client.call('CONFIG', 'GET', 'save', 'appendonly'), ['save', '', 'appendonly', 'no']);
    assert.equal(await errorOf(client.call('CONFIG', 'SET', 'save', '')), 'ERR ringkv does not support CONFIG SET');
    const id = await client.client('ID');
    assert.equal(typeof id, 'number');
    assert.equal(await client.client('GETNAME'), null);
    assert.equal(await client.client('SETNAME', 'tester'), 'OK');
    assert.equal(await client.client('GETNAME'), 'tester');
    assert.equal(await errorOf(client.client('SETNAME', 'has space')), 'ERR Client names cannot contain spaces, newlines or special characters.');
    assert.match(String(await client.call('CLIENT', 'INFO')), new RegExp(`^id=${id} .*name=tester .*lib-name=ioredis `));
    assert.equal(await errorOf(client.call('CLIENT', 'BOGUS')), "ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.");
    const hello = (await client.call('HELLO', '2')) as unknown[];
    assert.deepEqual(hello.slice(0, 6), ['server', 'redis', 'version', '7.0.0', 'proto', 2]);
    assert.equal(await errorOf(client.call('HELLO', '3')), 'NOPROTO unsupported protocol version');
    assert.equal(
      await errorOf(client.call('AUTH', 'x')),
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
  });

  it('RINGKV.CONSISTENCY sets the level of later operations on the connection', async () => {
    assert.equal(await client.call('RINGKV.CONSISTENCY'), 'default');
    assert.equal(await client.call('RINGKV.CONSISTENCY', 'ALL'), 'OK');
    await client.set('c', '1');
    assert.equal(service.ops.at(-1)?.consistency, 'all');
    assert.equal(await client.call('ringkv.consistency', 'one'), 'OK');
    await client.get('c');
    assert.equal(service.ops.at(-1)?.consistency, 'one');
    assert.equal(await errorOf(client.call('RINGKV.CONSISTENCY', 'most')), 'ERR RINGKV.CONSISTENCY takes one, quorum, all or default');
    assert.equal(await client.call('RINGKV.CONSISTENCY', 'default'), 'OK');
    await client.get('c');
    assert.equal('consistency' in service.ops.at(-1)!, false, 'default omits the level (node config applies)');
  });

  it('counts commands and errors', () => {
    assert.ok(server.stats.commands > 1000);
    assert.ok(server.stats.errors > 0);
    assert.equal(server.stats.connections, 1);
    assert.equal(server.stats.protocolErrors, 0);
  });
});

describe('RESP server with an auth token', () => {
  let service: FakeService;
  let server: RespServer;

  before(async () => {
    service = new FakeService();
    server = await startRespServer({ host, port: 0, service, authToken: 's3cret' });
  });

  after(() => server.close());

  it('requires AUTH before any command, PING included', async () => {
    const client = await connect(server, { enableReadyCheck: false });
    try {
      assert.equal(await errorOf(client.ping()), 'NOAUTH Authentication required.');
      assert.equal(await errorOf(client.get('a')), 'NOAUTH Authentication required.');
      assert.equal(await errorOf(client.auth('wrong')), 'WRONGPASS invalid username-password pair or user is disabled.');
      assert.equal(await errorOf(client.auth('other', 's3cret')), 'WRONGPASS invalid username-password pair or user is disabled.');
      assert.match(await errorOf(client.call('HELLO', '2')), /^NOAUTH HELLO must be called with the client already authenticated/);
      assert.equal(service.ops.length, 0);
      assert.equal(await client.auth('s3cret'), 'OK');
      assert.equal(await client.set('a', '1'), 'OK');
      assert.equal(await client.get('a'), '1');
    } finally {
      await client.quit();
    }
  });

  it('accepts a client configured with the password (and HELLO AUTH)', async () => {
    const client = await connect(server, { password: 's3cret' });
    try {
      assert.equal(await client.ping(), 'PONG');
      assert.equal(await client.set('b', '2'), 'OK');
    } finally {
      await client.quit();
    }
    const other = await connect(server, { enableReadyCheck: false });
    try {
      const hello = (await other.call('HELLO', '2', 'AUTH', 'default', 's3cret', 'SETNAME', 'h')) as unknown[];
      assert.equal(hello[0], 'server');
      assert.equal(await other.client('GETNAME'), 'h');
    } finally {
      await other.quit();
    }
  });
});

describe('RESP server lifecycle', () => {
  it('close() ends open client connections and resolves', async () => {
    const server = await startRespServer({ host, port: 0, service: new FakeService() });
    const a = await connect(server);
    const b = await connect(server);
    assert.equal(await a.set('x', '1'), 'OK');
    assert.equal(server.stats.connections, 2);
    const ended = Promise.all([a, b].map((c) => new Promise<void>((resolve) => c.once('end', () => resolve()))));
    await server.close();
    await ended;
    await server.close(); // idempotent
    assert.equal(a.status, 'end');
    assert.equal(b.status, 'end');
  });

  it('uses the name given by ioredis connectionName', async () => {
    const server = await startRespServer({ host, port: 0, service: new FakeService() });
    const client = await connect(server, { connectionName: 'named' });
    try {
      assert.equal(await client.client('GETNAME'), 'named');
    } finally {
      client.disconnect();
      await server.close();
    }
  });
});
