/**
 * Runs the transport compliance suite against every implementation: memory (both channels), UDP
 * and TCP on IPv4 and IPv6 loopback, and UDP and TCP sealed with a keyring.
 */
import { udpPacketBytesMax, streamFrameBytesMax } from '../../src/wire/limits.js';
import { generateKey, Keyring, sealOverheadBytes } from '../../src/transport/keyring.js';
import { MemoryNetwork } from '../../src/transport/memory-transport.js';
import { listenTcpTransport } from '../../src/transport/tcp-transport.js';
import { bindUdpTransport } from '../../src/transport/udp-transport.js';
import { transportCompliance } from './compliance.js';
import { ipv6LoopbackUnavailable } from './helpers.js';
import { describe } from 'node:test';

function keyring(): Keyring {
  const ring = Keyring.fromBase64([generateKey()]);
  if (!ring.ok) throw new Error(ring.error.message);
  return ring.value;
}

transportCompliance('memory packet', async () => {
  const network = new MemoryNetwork();
  return { a: network.bind('10.0.0.1:7946', 'packet'), b: network.bind('10.0.0.2:7946', 'packet'), payloadBytesMax: udpPacketBytesMax };
});

transportCompliance('memory stream', async () => {
  const network = new MemoryNetwork();
  return { a: network.bind('10.0.0.1:0', 'stream'), b: network.bind('10.0.0.1:0', 'stream'), payloadBytesMax: streamFrameBytesMax };
});

transportCompliance('UDP 127.0.0.1', async () => {
  const [a, b] = await Promise.all([bindUdpTransport({ bind: '127.0.0.1:0' }), bindUdpTransport({ bind: '127.0.0.1:0' })]);
  return { a, b, payloadBytesMax: udpPacketBytesMax };
});

transportCompliance('UDP 127.0.0.1 with a keyring', async () => {
  const ring = keyring();
  const [a, b] = await Promise.all([bindUdpTransport({ bind: '127.0.0.1:0', keyring: ring }), bindUdpTransport({ bind: '127.0.0.1:0', keyring: ring })]);
  return { a, b, payloadBytesMax: udpPacketBytesMax - sealOverheadBytes };
});

transportCompliance('TCP 127.0.0.1', async () => {
  const [a, b] = await Promise.all([listenTcpTransport({ bind: '127.0.0.1:0' }), listenTcpTransport({ bind: '127.0.0.1:0' })]);
  return { a, b, payloadBytesMax: streamFrameBytesMax };
});

transportCompliance('TCP 127.0.0.1 with a keyring', async () => {
  const ring = keyring();
  const [a, b] = await Promise.all([listenTcpTransport({ bind: '127.0.0.1:0', keyring: ring }), listenTcpTransport({ bind: '127.0.0.1:0', keyring: ring })]);
  return { a, b, payloadBytesMax: streamFrameBytesMax };
});

const noIpv6 = await ipv6LoopbackUnavailable();
if (noIpv6 === undefined) {
  transportCompliance('UDP [::1]', async () => {
    const [a, b] = await Promise.all([bindUdpTransport({ bind: '[::1]:0' }), bindUdpTransport({ bind: '[::1]:0' })]);
    return { a, b, payloadBytesMax: udpPacketBytesMax };
  });
  transportCompliance('TCP [::1]', async () => {
    const [a, b] = await Promise.all([listenTcpTransport({ bind: '[::1]:0' }), listenTcpTransport({ bind: '[::1]:0' })]);
    return { a, b, payloadBytesMax: streamFrameBytesMax };
  });
} else {
  describe('transport compliance: UDP and TCP on [::1]', { skip: noIpv6 }, () => {});
}
