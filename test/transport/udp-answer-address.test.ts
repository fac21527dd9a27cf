/**
 * UDP answers leave from the advertised address when it is an address of this machine (a second
 * socket bound to it), and from the bound socket when it is not (NAT). On Linux all of 127.0.0.0/8
 * is local, so 127.0.0.1 stands in for "another interface" of a wildcard bind and 127.0.0.2 for
 * the advertised one; the peer sits on 127.0.0.3. Nothing binds 0.0.0.0.
 */
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { TransportError } from '../../src/transport/errors.js';
import { generateKey, Keyring } from '../../src/transport/keyring.js';
import { bindUdpTransport, type UdpTransport, type UdpTransportOptions } from '../../src/transport/udp-transport.js';
import type { Address } from '../../src/wire/types.js';
import { record, waitFor } from './helpers.js';

/** The bind address: any local address other than the advertised one. */
const boundHost = '127.0.0.1';
/** The advertised address, local too (127.0.0.0/8 is all loopback on Linux). */
const advertisedHost = '127.0.0.2';
/** Where the peer sends from. */
const peerHost = '127.0.0.3';
/** A documentation address (RFC 5737) that is not local: the public IP of a NAT router. */
const natHost = '203.0.113.5';
/** How many ports to try before giving up when another process takes the one just probed. */
const portAttemptsMax = 20;

const open: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

function closeRaw(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** A plain socket bound to `host:port` without SO_REUSEADDR: fails if anything holds that address. */
async function bindRaw(host: string, port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

function isBindError(error: unknown): boolean {
  return error instanceof TransportError && error.code === 'TRANSPORT_ERR_BIND';
}

function isInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE';
}

/** A port free on 127.0.0.1 a moment ago (the OS picked it), for binding two hosts on the same port. */
async function probePort(): Promise<number> {
  const probe = await bindRaw(boundHost, 0);
  const port = probe.address().port;
  await closeRaw(probe);
  return port;
}

/** Runs `attempt` with fresh probed ports until one is not taken in between (bounded). */
async function onFreePort<T>(attempt: (port: number) => Promise<T>, retryOn: (error: unknown) => boolean): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt(await probePort());
    } catch (error) {
      if (i >= portAttemptsMax || !retryOn(error)) throw error;
    }
  }
}

/** A transport bound to 127.0.0.1:P advertising `host`:P, and P. */
async function bindAdvertising(host: string, options: Partial<UdpTransportOptions> = {}): Promise<{ transport: UdpTransport; port: number }> {
  return onFreePort(async (port) => {
    const transport = await bindUdpTransport({ bind: `${boundHost}:${port}`, advertise: `${host}:${port}`, ...options });
    open.push(transport);
    return { transport, port };
  }, isBindError);
}

/** Makes `transport` answer every datagram with the same bytes, to its source. */
function echo(transport: UdpTransport): void {
  transport.onReceive((from, bytes) => transport.send(from, bytes));
}

interface Peer {
  readonly socket: Socket;
  readonly got: { readonly bytes: Buffer; readonly rinfo: RemoteInfo }[];
  send(host: string, port: number, bytes: Uint8Array): void;
}

/** A plain UDP peer on 127.0.0.3 that records what it receives, with the source the OS reports. */
async function peer(): Promise<Peer> {
  const socket = await bindRaw(peerHost, 0);
  open.push({ close: () => closeRaw(socket) });
  const got: { bytes: Buffer; rinfo: RemoteInfo }[] = [];
  socket.on('message', (bytes, rinfo) => got.push({ bytes, rinfo }));
  return { socket, got, send: (host, port, bytes) => socket.send(bytes, port, host) };
}

describe('UDP answer address', () => {
  it('answers a datagram that arrived at another local address from the advertised address', async () => {
    const { transport, port } = await bindAdvertising(advertisedHost);
    assert.equal(transport.answerAddress, `${advertisedHost}:${port}`);
    assert.equal(transport.localAddress, `${advertisedHost}:${port}`);
    assert.equal(transport.boundAddress, `${boundHost}:${port}`);
    echo(transport);
    const p = await peer();
    p.send(boundHost, port, Uint8Array.of(1, 2, 3));
    await waitFor('the answer', () => p.got.length === 1);
    assert.deepEqual([...p.got[0]!.bytes], [1, 2, 3]);
    assert.equal(p.got[0]!.rinfo.address, advertisedHost);
    assert.equal(p.got[0]!.rinfo.port, port);
  });

  it('receives on both addresses and counts both sockets in one set of stats', async () => {
    const { transport, port } = await bindAdvertising(advertisedHost);
    const at = record(transport);
    const p = await peer();
    p.send(boundHost, port, Uint8Array.of(1));
    p.send(advertisedHost, port, Uint8Array.of(2, 2));
    await waitFor('both datagrams', () => at.length === 2);
    const from = `${peerHost}:${p.socket.address().port}`;
    assert.deepEqual(at.map((r) => r.from), [from, from]);
    assert.deepEqual(at.map((r) => r.bytes.length).sort(), [1, 2]);
    assert.equal(transport.stats.received, 2);
    assert.equal(transport.stats.bytesReceived, 3);
    transport.send(from, Uint8Array.of(9, 9, 9, 9));
    await waitFor('the datagram sent', () => transport.stats.sent === 1);
    assert.equal(transport.stats.bytesSent, 4);
    assert.equal(transport.stats.sendDrops, 0);
  });

  it('opens and seals with the keyring on both sockets', async () => {
    const keys = Keyring.fromBase64([generateKey()]);
    assert.ok(keys.ok);
    const { transport, port } = await bindAdvertising(advertisedHost, { keyring: keys.value });
    echo(transport);
    const other = await bindUdpTransport({ bind: `${peerHost}:0`, keyring: keys.value });
    open.push(other);
    const atOther = record(other);
    other.send(`${boundHost}:${port}`, Uint8Array.of(1));
    other.send(`${advertisedHost}:${port}`, Uint8Array.of(2));
    await waitFor('both answers', () => atOther.length === 2);
    assert.deepEqual(atOther.map((r) => r.from), [`${advertisedHost}:${port}`, `${advertisedHost}:${port}`]);
    assert.deepEqual(atOther.map((r) => r.bytes[0]).sort(), [1, 2]);
    // Unsealed datagrams fail to open on either socket.
    const p = await peer();
    p.send(boundHost, port, Uint8Array.of(3));
    p.send(advertisedHost, port, Uint8Array.of(4));
    await waitFor('two open failures', () => transport.stats.openFailures === 2);
    assert.equal(p.got.length, 0);
  });

  it('falls back to the bound socket when the advertised host is not local (NAT)', async () => {
    const { transport, port } = await bindAdvertising(natHost);
    assert.equal(transport.answerAddress, undefined);
    assert.equal(transport.localAddress, `${natHost}:${port}`);
    echo(transport);
    const p = await peer();
    p.send(boundHost, port, Uint8Array.of(7));
    await waitFor('the answer', () => p.got.length === 1);
    assert.equal(p.got[0]!.rinfo.address, boundHost);
    assert.equal(p.got[0]!.rinfo.port, port);
  });

  it('needs no second socket when the advertised host is the bound one', async () => {
    const transport = await bindUdpTransport({ bind: `${boundHost}:0`, advertise: `${boundHost}:7946` });
    open.push(transport);
    assert.equal(transport.answerAddress, undefined);
  });

  it('releases both addresses on close', async () => {
    const { transport, port } = await bindAdvertising(advertisedHost);
    await transport.close();
    // Plain sockets without SO_REUSEADDR bind only if nothing holds the address any more.
    const again = await Promise.all([bindRaw(boundHost, port), bindRaw(advertisedHost, port)]);
    await Promise.all(again.map(closeRaw));
  });

  it('rejects with TRANSPORT_ERR_BIND when the advertised address is in use, and closes the bound socket', async () => {
    const port = await onFreePort(async (candidate) => {
      const holder = await bindRaw(advertisedHost, candidate);
      open.push({ close: () => closeRaw(holder) });
      return candidate;
    }, isInUse);
    const bind: Address = `${boundHost}:${port}`;
    // Closed again if it wrongly binds, so a failure cannot leave the test process hanging.
    const attempt = bindUdpTransport({ bind, advertise: `${advertisedHost}:${port}` }).then((t) => t.close());
    await assert.rejects(attempt, (error: unknown) => isBindError(error) && error instanceof Error && error.message.includes(`${advertisedHost}:${port}`));
    // The socket bound to 127.0.0.1:P before the failure is closed again.
    await closeRaw(await bindRaw(boundHost, port));
  });
});
