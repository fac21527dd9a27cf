/**
 * MemoryNetwork specifics beyond the compliance suite: port 0, channels, bind conflicts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryNetwork } from '../../src/transport/memory-transport.js';
import { record, waitFor } from './helpers.js';

describe('MemoryNetwork', () => {
  it('gives port-0 binds distinct free ports and refuses a second bind of one address', () => {
    const network = new MemoryNetwork();
    const a = network.bind('10.0.0.1:0', 'packet');
    const b = network.bind('10.0.0.1:0', 'packet');
    assert.notEqual(a.localAddress, b.localAddress);
    assert.match(a.localAddress, /^10\.0\.0\.1:[1-9][0-9]*$/);
    assert.throws(() => network.bind(a.localAddress, 'packet'), /already bound/);
    // The same address on the other channel is another endpoint, as UDP and TCP ports are.
    assert.doesNotThrow(() => network.bind(a.localAddress, 'stream'));
  });

  it('keeps channels apart and counts sends to unbound addresses', async () => {
    const network = new MemoryNetwork();
    const packetA = network.bind('10.0.0.1:1', 'packet');
    const streamB = network.bind('10.0.0.2:1', 'stream');
    const packetB = network.bind('10.0.0.2:1', 'packet');
    const atStream = record(streamB);
    const atPacket = record(packetB);
    packetA.send('10.0.0.2:1', Uint8Array.of(1));
    packetA.send('10.0.0.3:1', Uint8Array.of(2));
    assert.equal(packetA.stats.sendDrops, 1);
    await waitFor('the packet', () => atPacket.length === 1);
    assert.equal(atStream.length, 0);
  });

  it('delivers asynchronously, never inside send, and copies the bytes', async () => {
    const network = new MemoryNetwork();
    const a = network.bind('10.0.0.1:1', 'stream');
    const b = network.bind('10.0.0.2:1', 'stream');
    const atB = record(b);
    const bytes = Uint8Array.of(1, 2, 3);
    a.send(b.localAddress, bytes);
    assert.equal(atB.length, 0);
    bytes[0] = 9;
    await waitFor('the frame', () => atB.length === 1);
    assert.deepEqual(atB[0]!.bytes, Uint8Array.of(1, 2, 3));
  });
});
