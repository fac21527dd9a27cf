/**
 * UDP-specific behaviour: keys must match, sizes are checked after sealing, bad destinations
 * are counted drops.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { generateKey, Keyring, sealOverheadBytes } from '../../src/transport/keyring.js';
import { bindUdpTransport, type UdpTransport, type UdpTransportOptions } from '../../src/transport/udp-transport.js';
import { patternBytes, record, waitFor } from './helpers.js';

const open: UdpTransport[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function bind(options: Partial<UdpTransportOptions> = {}): Promise<UdpTransport> {
  const transport = await bindUdpTransport({ bind: '127.0.0.1:0', ...options });
  open.push(transport);
  return transport;
}

function ring(...keys: string[]): Keyring {
  const result = Keyring.fromBase64(keys);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('UDP transport', () => {
  it('counts datagrams that do not open (unsealed or wrong key) and never delivers them', async () => {
    const key = generateKey();
    const b = await bind({ keyring: ring(key) });
    const atB = record(b);
    const plain = await bind();
    const wrongKey = await bind({ keyring: ring(generateKey()) });
    const rightKey = await bind({ keyring: ring(key, generateKey()) });
    plain.send(b.localAddress, Uint8Array.of(0x52, 0x4b, 1, 0, 0, 1));
    wrongKey.send(b.localAddress, Uint8Array.of(1));
    await waitFor('two open failures', () => b.stats.openFailures === 2);
    // A ring whose primary is b's key reaches b, whatever other keys it holds.
    rightKey.send(b.localAddress, Uint8Array.of(2));
    await waitFor('the datagram sealed with a shared key', () => atB.length === 1);
    assert.deepEqual(atB[0]!.bytes, Uint8Array.of(2));
    assert.equal(b.stats.received, 1);
    assert.equal(b.stats.bytesReceived > 3, true, 'bytesReceived counts what arrived, opened or not');
  });

  it('checks packetBytesMax after sealing', async () => {
    const key = ring(generateKey());
    const a = await bind({ keyring: key, packetBytesMax: 100 });
    const b = await bind({ keyring: key });
    const atB = record(b);
    a.send(b.localAddress, patternBytes(100 - sealOverheadBytes + 1));
    assert.equal(a.stats.sendDrops, 1);
    a.send(b.localAddress, patternBytes(100 - sealOverheadBytes));
    await waitFor('the datagram that fits', () => atB.length === 1);
    assert.equal(a.stats.bytesSent, 100);
  });

  it('drops and counts sends to addresses it cannot reach', async () => {
    const a = await bind();
    for (const to of ['', 'localhost:7946', '127.0.0.1', '127.0.0.1:0', '0.0.0.0:7946', '[::1]:7946']) {
      const before = a.stats.sendDrops;
      assert.doesNotThrow(() => a.send(to, Uint8Array.of(1)));
      assert.equal(a.stats.sendDrops, before + 1, JSON.stringify(to));
    }
  });

  it('reports the advertised address as localAddress and the bound one as boundAddress', async () => {
    const a = await bind({ advertise: '192.0.2.10:7946' });
    assert.equal(a.localAddress, '192.0.2.10:7946');
    assert.match(a.boundAddress, /^127\.0\.0\.1:[1-9][0-9]*$/);
  });
});
