/**
 * The RESP server over raw sockets: inline commands, protocol errors, QUIT and half-close, reply
 * order with a service that completes operations out of order, per-key ordering, backpressure,
 * the connection limit, and garbage input. Every wait is on an event, bounded.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ClientOp, ClientResult } from '../../src/kv/client-types.js';
import { startRespServer, respBulkBytesMax, type RespServer } from '../../src/api/resp/index.js';
import { kvValueBytesMax } from '../../src/wire/kv-limits.js';
import { FakeService } from '../helpers/fake-service.js';

const host = '127.0.0.1';
const waitMs = 5_000;

/** Rejects if `p` does not settle within waitMs. */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), waitMs);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

type Reply = string | { error: string } | number | Buffer | null | Reply[];

/** Minimal RESP2 reply decoder: returns a reply and the bytes it used, or null when incomplete. */
function decodeReply(buf: Buffer, pos: number): [Reply, number] | null {
  const lf = buf.indexOf('\r\n', pos);
  if (lf < 0) return null;
  const line = buf.toString('latin1', pos + 1, lf);
  const next = lf + 2;
  switch (buf[pos]) {
    case 0x2b:
      return [line, next];
    case 0x2d:
      return [{ error: line }, next];
    case 0x3a:
      return [Number(line), next];
    case 0x24: {
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return null;
      return [Buffer.from(buf.subarray(next, next + len)), next + len + 2];
    }
    case 0x2a: {
      const n = Number(line);
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const item = decodeReply(buf, at);
        if (item === null) return null;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`bad reply type byte ${buf[pos]}`);
  }
}

/** A raw TCP client that decodes replies as they arrive. */
class RawClient {
  readonly socket: net.Socket;
  readonly replies: Reply[] = [];
  readonly closed: Promise<void>;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      let r: [Reply, number] | null;
      while ((r = decodeReply(this.buf, 0)) !== null) {
        this.replies.push(r[0]);
        this.buf = this.buf.subarray(r[1]);
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        resolve();
        this.wake();
      }),
    );
  }

  static connect(port: number): Promise<RawClient> {
    return bounded(
      new Promise((resolve, reject) => {
        const socket = net.connect({ host, port }, () => resolve(new RawClient(socket)));
        socket.once('error', reject);
      }),
      'connect',
    );
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits until `n` replies in total have arrived (or the socket closed) and returns them all. */
  async until(n: number): Promise<Reply[]> {
    await bounded(
      (async () => {
        while (this.replies.length < n && !this.socket.destroyed) {
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      `${n} replies`,
    );
    return this.replies;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function cmd(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function text(r: Reply | undefined): unknown {
  return Buffer.isBuffer(r) ? r.toString('latin1') : r;
}

/** A FakeService whose operations complete only when the test releases them. */
class HeldService extends FakeService {
  readonly held: Array<{ op: ClientOp; release: () => void }> = [];
  private waiters: Array<() => void> = [];

  override execute(op: ClientOp): Promise<ClientResult> {
    return new Promise((resolve) => {
      this.held.push({ op, release: () => resolve(super.execute(op)) });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Waits until `n` operations have reached the service in total. */
  async untilHeld(n: number): Promise<void> {
    await bounded(
      (async () => {
        while (this.held.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
      })(),
      `${n} held operations`,
    );
  }
}

/** Lets a few event-loop turns pass (no wall-clock time involved). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('RESP server: raw sockets', () => {
  let service: FakeService;
  let server: RespServer;

  before(async () => {
    service = new FakeService();
    server = await startRespServer({ host, port: 0, service });
  });
  after(() => server.close());

  it('answers inline commands (telnet style)', async () => {
    const c = await RawClient.connect(server.address.port);
    c.send('PING\r\nSET greeting "hello world"\r\n\r\nGET greeting\nEXISTS greeting nope\r\nping hi\r\n');
    const replies = await c.until(5);
    assert.deepEqual(replies.map(text), ['PONG', 'OK', 'hello world', 1, 'hi']);
    c.destroy();
  });

  it('mixes inline and array requests in one write, split across writes', async () => {
    const c = await RawClient.connect(server.address.port);
    const bytes = Buffer.concat([cmd('SET', 'mix', 'v'), Buffer.from('GET mix\r\n'), cmd('DEL', 'mix'), Buffer.from('GET mix\r\n')]);
    c.send(bytes.subarray(0, 7));
    c.send(bytes.subarray(7));
    assert.deepEqual((await c.until(4)).map(text), ['OK', 'v', 1, null]);
    c.destroy();
  });

  it('answers the requests before a protocol error, then replies the error and closes', async () => {
    const errorsBefore = server.stats.protocolErrors;
    const c = await RawClient.connect(server.address.port);
    c.send(Buffer.concat([cmd('SET', 'pe', '1'), Buffer.from('PING\r\n*1\r\n$x\r\nPING\r\n')]));
    await bounded(c.closed, 'close after protocol error');
    assert.deepEqual(c.replies.map(text), ['OK', 'PONG', { error: 'ERR Protocol error: invalid bulk length' }]);
    assert.equal(server.stats.protocolErrors, errorsBefore + 1);
  });

  it('closes the connection on a bulk above respBulkBytesMax', async () => {
    const c = await RawClient.connect(server.address.port);
    c.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${respBulkBytesMax + 1}\r\n`);
    await bounded(c.closed, 'close after oversized bulk');
    assert.deepEqual(c.replies.map(text), [{ error: `ERR Protocol error: invalid bulk length (more than ${respBulkBytesMax} bytes)` }]);
  });

  it('closes the connection on unbalanced quotes', async () => {
    const c = await RawClient.connect(server.address.port);
    c.send('SET a "b\r\n');
    await bounded(c.closed, 'close after unbalanced quotes');
    assert.deepEqual(c.replies.map(text), [{ error: 'ERR Protocol error: unbalanced quotes in request' }]);
  });

  it('QUIT replies +OK and closes; later requests are ignored', async () => {
    const c = await RawClient.connect(server.address.port);
    c.send('PING\r\nQUIT\r\nPING\r\n');
    await bounded(c.closed, 'close after QUIT');
    assert.deepEqual(c.replies.map(text), ['PONG', 'OK']);
  });

  it('answers everything sent before the client half-closes, then closes', async () => {
    const c = await RawClient.connect(server.address.port);
    c.socket.end(Buffer.concat([cmd('SET', 'hc', '1'), cmd('GET', 'hc')]));
    await bounded(c.closed, 'close after half-close');
    assert.deepEqual(c.replies.map(text), ['OK', '1']);
  });

  it('round-trips 1 MiB values on one connection, pipelined', async () => {
    const c = await RawClient.connect(server.address.port);
    const a = Buffer.alloc(kvValueBytesMax, 0x61);
    const b = Buffer.alloc(kvValueBytesMax, 0x62);
    c.send(Buffer.concat([cmd('SET', 'bigA', a), cmd('SET', 'bigB', b), cmd('GET', 'bigA'), cmd('GET', 'bigB'), cmd('GET', 'bigA')]));
    const replies = await c.until(5);
    assert.deepEqual(replies.slice(0, 2), ['OK', 'OK']);
    assert.ok(Buffer.isBuffer(replies[2]) && replies[2].equals(a));
    assert.ok(Buffer.isBuffer(replies[3]) && replies[3].equals(b));
    assert.ok(Buffer.isBuffer(replies[4]) && replies[4].equals(a));
    c.destroy();
  });

  it('survives random garbage on many connections (fast-check, 30 connections)', async () => {
    const inputs = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), { seed: 7, numRuns: 30 });
    await Promise.all(
      inputs.map(async (bytes) => {
        const c = await RawClient.connect(server.address.port);
        c.send(Buffer.from(bytes));
        c.socket.end();
        await bounded(c.closed, 'garbage connection close');
      }),
    );
    const c = await RawClient.connect(server.address.port);
    c.send('PING\r\n');
    assert.deepEqual((await c.until(1)).map(text), ['PONG']);
    c.destroy();
  });
});

describe('RESP server: ordering with a slow service', () => {
  it('writes replies in request order when operations complete in another order', async () => {
    const service = new HeldService();
    const server = await startRespServer({ host, port: 0, service });
    const c = await RawClient.connect(server.address.port);
    try {
      const n = 40;
      for (let i = 0; i < n; i++) service.data.set(`k${i}`, Buffer.from(`v${i}`));
      c.send(Buffer.concat(Array.from({ length: n }, (_, i) => cmd('GET', `k${i}`))));
      await service.untilHeld(n);
      const order = fc.sample(fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), { seed: 3, numRuns: 1 })[0]!;
      for (const i of order) service.held[i]!.release();
      const replies = await c.until(n);
      assert.deepEqual(
        replies.map(text),
        Array.from({ length: n }, (_, i) => `v${i}`),
      );
    } finally {
      c.destroy();
      await server.close();
    }
  });

  it('runs a pipelined GET of a key only after the SET before it completes', async () => {
    const service = new HeldService();
    const server = await startRespServer({ host, port: 0, service });
    const c = await RawClient.connect(server.address.port);
    try {
      c.send(Buffer.concat([cmd('SET', 'k', 'new'), cmd('GET', 'k'), cmd('GET', 'other'), cmd('SET', 'k', 'newer'), cmd('GET', 'k')]));
      await service.untilHeld(2);
      await turns(5);
      assert.deepEqual(
        service.held.map((h) => `${h.op.type} ${h.op.key}`),
        ['put k', 'read other'],
        'the GET of k waits for the SET of k; other keys do not',
      );
      service.held[1]!.release();
      service.held[0]!.release();
      await service.untilHeld(3);
      await turns(5);
      assert.equal(service.held.length, 3, 'the second SET of k waits for the GET of k before it');
      service.held[2]!.release();
      await service.untilHeld(4);
      service.held[3]!.release();
      await service.untilHeld(5);
      service.held[4]!.release();
      assert.deepEqual((await c.until(5)).map(text), ['OK', 'new', null, 'OK', 'newer']);
    } finally {
      c.destroy();
      await server.close();
    }
  });

  it('stops taking requests at inflightPerConnectionMax and resumes as replies are written', async () => {
    const service = new HeldService();
    const max = 4;
    const server = await startRespServer({ host, port: 0, service, inflightPerConnectionMax: max });
    const c = await RawClient.connect(server.address.port);
    try {
      const n = 10;
      c.send(Buffer.concat(Array.from({ length: n }, (_, i) => cmd('GET', `b${i}`))));
      for (let released = 0; released < n; released++) {
        const expectHeld = Math.min(n, released + max);
        await service.untilHeld(expectHeld);
        await turns(5);
        assert.equal(service.held.length, expectHeld, `at most ${max} in flight`);
        service.held[released]!.release();
        await c.until(released + 1);
      }
      assert.deepEqual((await c.until(n)).map(text), Array(n).fill(null));
    } finally {
      c.destroy();
      await server.close();
    }
  });

  it('survives operations completing after the connection is gone', async () => {
    const service = new HeldService();
    const server = await startRespServer({ host, port: 0, service });
    const c = await RawClient.connect(server.address.port);
    c.send(cmd('GET', 'gone'));
    await service.untilHeld(1);
    c.destroy();
    await bounded(c.closed, 'client close');
    service.held[0]!.release();
    await turns(5);
    const d = await RawClient.connect(server.address.port);
    d.send('PING\r\n');
    assert.deepEqual((await d.until(1)).map(text), ['PONG']);
    d.destroy();
    await server.close();
  });
});

describe('RESP server: limits and auth over raw sockets', () => {
  it('refuses connections above connectionsMax with the Redis error', async () => {
    const server = await startRespServer({ host, port: 0, service: new FakeService(), connectionsMax: 1 });
    const a = await RawClient.connect(server.address.port);
    try {
      a.send('PING\r\n');
      await a.until(1);
      const b = await RawClient.connect(server.address.port);
      await bounded(b.closed, 'refused connection close');
      assert.deepEqual(b.replies.map(text), [{ error: 'ERR max number of clients reached' }]);
      assert.equal(server.stats.connectionsRejected, 1);
      a.send('PING\r\n');
      assert.deepEqual((await a.until(2)).map(text), ['PONG', 'PONG']);
    } finally {
      a.destroy();
      await server.close();
    }
  });

  it('applies AUTH to the requests after it in the same pipeline', async () => {
    const server = await startRespServer({ host, port: 0, service: new FakeService(), authToken: 'tok' });
    const c = await RawClient.connect(server.address.port);
    try {
      c.send('PING\r\nAUTH nope\r\nAUTH tok\r\nPING\r\nQUIT\r\n');
      await bounded(c.closed, 'close after QUIT');
      assert.deepEqual(c.replies.map(text), [
        { error: 'NOAUTH Authentication required.' },
        { error: 'WRONGPASS invalid username-password pair or user is disabled.' },
        'OK',
        'PONG',
        'OK',
      ]);
    } finally {
      await server.close();
    }
  });
});
