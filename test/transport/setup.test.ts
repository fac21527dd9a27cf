/**
 * Setting a transport up fails early and clearly: bad addresses, bad options, ports in use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransportError } from '../../src/transport/errors.js';
import { listenTcpTransport } from '../../src/transport/tcp-transport.js';
import { bindUdpTransport } from '../../src/transport/udp-transport.js';

function isCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof TransportError && error.code === code;
}

describe('transport setup', () => {
  it('rejects bad bind and advertise addresses', async () => {
    for (const start of [bindUdpTransport, listenTcpTransport]) {
      await assert.rejects(start({ bind: 'localhost:0' }), isCode('TRANSPORT_ERR_BAD_ADDRESS'));
      await assert.rejects(start({ bind: '0.0.0.0:0' }), isCode('TRANSPORT_ERR_BAD_ADDRESS'), 'every interface without advertise');
      await assert.rejects(start({ bind: '127.0.0.1:0', advertise: '127.0.0.1:0' }), isCode('TRANSPORT_ERR_BAD_ADDRESS'));
    }
  });

  it('rejects out-of-range options', async () => {
    await assert.rejects(bindUdpTransport({ bind: '127.0.0.1:0', packetBytesMax: 0 }), isCode('TRANSPORT_ERR_BAD_OPTION'));
    await assert.rejects(bindUdpTransport({ bind: '127.0.0.1:0', packetBytesMax: 70_000 }), isCode('TRANSPORT_ERR_BAD_OPTION'));
    await assert.rejects(listenTcpTransport({ bind: '127.0.0.1:0', idleTimeoutMs: 1.5 }), isCode('TRANSPORT_ERR_BAD_OPTION'));
    await assert.rejects(listenTcpTransport({ bind: '127.0.0.1:0', queueBytesMaxPerPeer: -1 }), isCode('TRANSPORT_ERR_BAD_OPTION'));
  });

  it('rejects a port already in use', async () => {
    const udp = await bindUdpTransport({ bind: '127.0.0.1:0' });
    const tcp = await listenTcpTransport({ bind: '127.0.0.1:0' });
    try {
      await assert.rejects(bindUdpTransport({ bind: udp.boundAddress }), isCode('TRANSPORT_ERR_BIND'));
      await assert.rejects(listenTcpTransport({ bind: tcp.boundAddress }), isCode('TRANSPORT_ERR_BIND'));
    } finally {
      await Promise.all([udp.close(), tcp.close()]);
    }
  });
});
