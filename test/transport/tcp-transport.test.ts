/**
 * TCP-specific behaviour: the hello names the sender, connections are pooled and come back after
 * a restart, limits close connections, keys must match, and a peer that never reads makes the
 * per-peer queue drop instead of growing.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { parseAddress } from '../../src/transport/address.js';
import { frameHeader } from '../../src/transport/frame-codec.js';
import { encodeHello } from '../../src/transport/hello.js';
import { coalesceFrameBytesMax } from '../../src/transport/outgoing-connection.js';
import { generateKey, Keyring } from '../../src/transport/keyring.js';
import { listenTcpTransport, type TcpTransport, type TcpTransportOptions } from '../../src/transport/tcp-transport.js';
import type { Address } from '../../src/wire/types.js';
import { patternBytes, record, waitFor } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function listen(options: Partial<TcpTransportOptions> = {}): Promise<TcpTransport> {
  const transport = await listenTcpTransport({ bind: '127.0.0.1:0', ...options });
  open.push(transport);
  return transport;
}

function ring(...keys: string[]): Keyring {
  const result = Keyring.fromBase64(keys);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function portOf(address: Address): number {
  const parsed = parseAddress(address);
  assert.ok(parsed.ok);
  return parsed.value.port;
}

/** A raw client connected to `address`; resolves once connected, with a promise of its close. */
async function rawClient(address: Address): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port: portOf(address) });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

function frame(payload: Uint8Array): Buffer {
  return Buffer.concat([frameHeader(payload.length), payload]);
}

describe('TCP transport', () => {
  it('uses the hello address (the advertised listen address) as from, on one pooled connection', async () => {
    const a = await listen({ advertise: '10.9.8.7:7946' });
    const b = await listen();
    const atB = record(b);
    assert.equal(a.localAddress, '10.9.8.7:7946');
    assert.notEqual(a.boundAddress, a.localAddress);
    for (let i = 0; i < 100; i++) a.send(b.localAddress, Uint8Array.of(i));
    await waitFor('100 frames', () => atB.length === 100);
    assert.ok(atB.every((r) => r.from === '10.9.8.7:7946'));
    assert.equal(a.outgoingConnections, 1);
    assert.equal(b.incomingConnections, 1);
    // Replies go over b's own connection to a's listen address, not back over a's connection.
    assert.equal(b.outgoingConnections, 0);
    assert.equal(a.stats.sent, 100);
  });

  it('reconnects after the peer restarts on the same port', async () => {
    const a = await listen();
    const b1 = await listen();
    const atB1 = record(b1);
    a.send(b1.localAddress, Uint8Array.of(1));
    await waitFor('first frame', () => atB1.length === 1);
    const port = portOf(b1.localAddress);
    await b1.close();
    const b2 = await listen({ bind: `127.0.0.1:${port}` });
    const atB2 = record(b2);
    // Keep sending until one gets through: frames written before a noticed the old connection
    // closed are lost, which the protocol above tolerates.
    await waitFor('a frame at the restarted peer', () => atB2.length > 0, () => a.send(b2.localAddress, Uint8Array.of(2)));
    assert.equal(atB2[0]!.from, a.localAddress);
    assert.equal(a.outgoingConnections, 1);
  });

  it('closes a connection whose frame declares more than frameBytesMax', async () => {
    const b = await listen({ frameBytesMax: 1024 });
    const atB = record(b);
    const raw = await rawClient(b.localAddress);
    raw.socket.write(frame(encodeHello('127.0.0.1:1')));
    raw.socket.write(frame(patternBytes(1024)));
    raw.socket.write(frameHeader(1025));
    await raw.closed;
    assert.equal(atB.length, 1, 'the frame at the limit was delivered');
    assert.equal(atB[0]!.from, '127.0.0.1:1');
    assert.equal(b.stats.receiveDrops, 1);

    // Same with two transports configured with different limits.
    const a = await listen({ frameBytesMax: 4096 });
    a.send(b.localAddress, patternBytes(2000));
    await waitFor('the oversize frame to be refused', () => b.stats.receiveDrops === 2);
    assert.equal(atB.length, 1);
  });

  it('closes a connection that does not start with a valid hello, or sends none in time', async () => {
    const b = await listen({ helloTimeoutMs: 20 });
    const atB = record(b);
    const notHello = await rawClient(b.localAddress);
    notHello.socket.write(frame(Uint8Array.of(0x52, 0x4b, 1, 0, 0, 1)));
    await notHello.closed;
    assert.equal(b.stats.receiveDrops, 1);
    const silent = await rawClient(b.localAddress);
    await silent.closed;
    assert.equal(b.stats.receiveDrops, 2);
    const oversizeHello = await rawClient(b.localAddress);
    oversizeHello.socket.write(frameHeader(100_000));
    await oversizeHello.closed;
    assert.equal(b.stats.receiveDrops, 3);
    assert.equal(atB.length, 0);
    assert.equal(b.incomingConnections, 0);
  });

  it('never delivers across a sealed / unsealed or wrong-key mismatch', async () => {
    const key = generateKey();
    const cases: [string, Keyring | undefined, Keyring | undefined, 'openFailures' | 'receiveDrops'][] = [
      ['sealed to unsealed', ring(key), undefined, 'receiveDrops'],
      ['unsealed to sealed', undefined, ring(key), 'openFailures'],
      ['wrong key', ring(generateKey()), ring(key), 'openFailures'],
    ];
    for (const [name, keyA, keyB, counter] of cases) {
      const a = await listen(keyA === undefined ? {} : { keyring: keyA });
      const b = await listen(keyB === undefined ? {} : { keyring: keyB });
      const atB = record(b);
      a.send(b.localAddress, Uint8Array.of(0x52, 0x4b, 1, 0, 0, 1));
      await waitFor(`${name}: the mismatch to be counted`, () => b.stats[counter] >= 1);
      await waitFor(`${name}: the connection to be closed`, () => a.outgoingConnections === 0 && b.incomingConnections === 0);
      assert.equal(atB.length, 0, name);
      assert.equal(b.stats.received, 0, name);
    }
  });

  it('keeps frame order when small (coalesced per turn) and large (written as they are) frames mix in one turn', async () => {
    const a = await listen();
    const b = await listen();
    const atB = record(b);
    a.send(b.localAddress, Uint8Array.of(0));
    await waitFor('the connection', () => atB.length === 1);
    const large = patternBytes(coalesceFrameBytesMax + 1);
    const sizes = [1, 2, large.length, 3, large.length, 4];
    for (const n of sizes) a.send(b.localAddress, n === large.length ? large : Uint8Array.from({ length: n }, () => n));
    await waitFor('every frame', () => atB.length === 1 + sizes.length);
    assert.deepEqual(atB.slice(1).map((r) => r.bytes.length), sizes);
    assert.deepEqual(atB[3]!.bytes, large);
  });

  it('drops and counts frames beyond queueBytesMaxPerPeer when the peer never reads', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => {
      socket.pause();
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    const a = await listen({ queueBytesMaxPerPeer: 256 * 1024 });
    const peer = `127.0.0.1:${address.port}`;
    const chunk = patternBytes(32 * 1024);
    // Connect first, so every accepted frame below is written (and counted as sent) at once.
    a.send(peer, Uint8Array.of(1));
    await waitFor('the connection', () => a.stats.sent === 1);
    let sends = 1;
    // Fill kernel buffers and the queue, a few frames per turn, until the bound bites.
    await waitFor('a queue-full drop', () => a.stats.sendDrops > 0, () => {
      for (let i = 0; i < 4; i++, sends++) a.send(peer, chunk);
    });
    assert.ok(a.stats.sent < sends);
    assert.equal(a.stats.sent + a.stats.sendDrops, sends);
    await a.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('closes idle outgoing connections and reconnects on the next send', async () => {
    const a = await listen({ idleTimeoutMs: 20 });
    const b = await listen();
    const atB = record(b);
    a.send(b.localAddress, Uint8Array.of(1));
    await waitFor('first frame', () => atB.length === 1);
    await waitFor('the idle connection to close', () => a.outgoingConnections === 0 && b.incomingConnections === 0);
    a.send(b.localAddress, Uint8Array.of(2));
    await waitFor('second frame', () => atB.length === 2);
    assert.equal(a.stats.sendDrops, 0);
  });

  it('bounds the pool: one connection too many closes the oldest', async () => {
    const a = await listen({ outgoingConnectionsMax: 1 });
    const b = await listen();
    const c = await listen();
    const atB = record(b);
    const atC = record(c);
    a.send(b.localAddress, Uint8Array.of(1));
    await waitFor('frame at b', () => atB.length === 1);
    a.send(c.localAddress, Uint8Array.of(2));
    await waitFor('frame at c', () => atC.length === 1);
    assert.equal(a.outgoingConnections, 1);
    await waitFor('b to see its connection closed', () => b.incomingConnections === 0);
  });

  it('counts frames queued while connecting as drops when the connection fails', async () => {
    const b = await listen();
    const gone = b.localAddress;
    await b.close();
    const a = await listen();
    for (let i = 0; i < 5; i++) a.send(gone, Uint8Array.of(i));
    assert.equal(a.outgoingConnections, 1);
    await waitFor('5 drops', () => a.stats.sendDrops === 5);
    assert.equal(a.outgoingConnections, 0);
    assert.equal(a.stats.sent, 0);
  });

  it('close() resolves with connections open in both directions', async () => {
    const a = await listen();
    const b = await listen();
    const atA = record(a);
    const atB = record(b);
    a.send(b.localAddress, Uint8Array.of(1));
    b.send(a.localAddress, Uint8Array.of(2));
    await waitFor('both frames', () => atA.length === 1 && atB.length === 1);
    await Promise.all([a.close(), b.close()]);
    assert.equal(a.outgoingConnections + a.incomingConnections + b.outgoingConnections + b.incomingConnections, 0);
  });
});
