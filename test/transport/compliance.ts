/**
 * The behaviour every Transport must have, whatever carries the bytes (memory, UDP, TCP, sealed
 * or not). `transportCompliance` registers the cases; compliance.test.ts runs them against each
 * implementation. Each case gets a fresh pair and closes it, so the test process can exit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '../../src/transport/address.js';
import type { Transport } from '../../src/transport/transport.js';
import { numbered, numberOf, patternBytes, record, waitFor } from './helpers.js';

export interface TransportPair {
  readonly a: Transport;
  readonly b: Transport;
  /** Largest payload `send` carries with this configuration (e.g. 1,400 - 29 for sealed UDP). */
  readonly payloadBytesMax: number;
  /** Extra teardown beyond closing `a` and `b` (which the suite always does). */
  readonly cleanup?: () => Promise<void>;
}

/** Messages in the "many messages" case. */
const manyMessages = 1000;
/** Datagrams in flight at once when sending many: keeps loopback UDP within socket buffers. */
const packetWindow = 32;

async function withPair(makePair: () => Promise<TransportPair>, body: (pair: TransportPair) => Promise<void>): Promise<void> {
  const pair = await makePair();
  try {
    await body(pair);
  } finally {
    await Promise.all([pair.a.close(), pair.b.close()]);
    await pair.cleanup?.();
  }
}

export function transportCompliance(name: string, makePair: () => Promise<TransportPair>): void {
  describe(`transport compliance: ${name}`, () => {
    it('has a well-formed localAddress', async () => {
      await withPair(makePair, async ({ a, b }) => {
        assert.ok(parseAddress(a.localAddress).ok, a.localAddress);
        assert.ok(parseAddress(b.localAddress).ok, b.localAddress);
        assert.notEqual(a.localAddress, b.localAddress);
        assert.equal(a.channel, b.channel);
      });
    });

    it('delivers in both directions with from = the sender localAddress', async () => {
      await withPair(makePair, async ({ a, b }) => {
        const atA = record(a);
        const atB = record(b);
        a.send(b.localAddress, Uint8Array.of(0xab));
        b.send(a.localAddress, Uint8Array.of(0xcd));
        await waitFor('one message at each side', () => atA.length === 1 && atB.length === 1 && a.stats.sent === 1 && b.stats.sent === 1);
        assert.deepEqual(atB[0], { from: a.localAddress, bytes: Uint8Array.of(0xab) });
        assert.deepEqual(atA[0], { from: b.localAddress, bytes: Uint8Array.of(0xcd) });
        assert.equal(a.stats.sent, 1);
        assert.equal(a.stats.bytesSent >= 1, true);
        assert.equal(b.stats.received, 1);
        assert.equal(b.stats.bytesReceived >= 1, true);
      });
    });

    it('carries 1-byte and maximum-size payloads unchanged', async () => {
      await withPair(makePair, async ({ a, b, payloadBytesMax }) => {
        const atB = record(b);
        const small = patternBytes(1, 1);
        const large = patternBytes(payloadBytesMax, 2);
        a.send(b.localAddress, small);
        a.send(b.localAddress, large);
        await waitFor('both payloads', () => atB.length === 2);
        const lengths = atB.map((r) => r.bytes.length).sort((x, y) => x - y);
        assert.deepEqual(lengths, [1, payloadBytesMax]);
        for (const got of atB) assert.deepEqual(got.bytes, got.bytes.length === 1 ? small : large);
        assert.equal(a.stats.sendDrops, 0);
      });
    });

    it(`delivers ${manyMessages} messages, in order on a stream`, async () => {
      await withPair(makePair, async ({ a, b }) => {
        const atB = record(b);
        if (a.channel === 'stream') {
          // Reliable channel: all at once, pipelined.
          for (let i = 0; i < manyMessages; i++) a.send(b.localAddress, numbered(i, 16));
        } else {
          // Datagrams: a window at a time, so socket buffers never overflow on loopback.
          let next = 0;
          await waitFor(`${manyMessages} datagrams`, () => atB.length === manyMessages, () => {
            while (next < manyMessages && next - atB.length < packetWindow) a.send(b.localAddress, numbered(next++, 16));
          });
        }
        await waitFor(`${manyMessages} messages`, () => atB.length === manyMessages);
        const numbers = atB.map((r) => numberOf(r.bytes));
        if (a.channel === 'stream') {
          assert.deepEqual(numbers, Array.from({ length: manyMessages }, (_, i) => i));
        } else {
          assert.equal(new Set(numbers).size, manyMessages);
        }
        assert.ok(atB.every((r) => r.from === a.localAddress));
        assert.equal(b.stats.received, manyMessages);
      });
    });

    it('drops and counts an oversize send', async () => {
      await withPair(makePair, async ({ a, b, payloadBytesMax }) => {
        const atB = record(b);
        a.send(b.localAddress, patternBytes(payloadBytesMax + 1));
        assert.equal(a.stats.sendDrops, 1);
        // A marker after it: once the marker is in, the oversize one would have been too.
        a.send(b.localAddress, Uint8Array.of(7));
        await waitFor('the marker', () => atB.length >= 1);
        assert.deepEqual(atB.map((r) => r.bytes), [Uint8Array.of(7)]);
        assert.equal(a.stats.sendDrops, 1);
      });
    });

    it('does not throw when nobody listens at the destination (and a stream counts the drop)', async () => {
      await withPair(makePair, async ({ a, b }) => {
        const gone = b.localAddress;
        await b.close();
        assert.doesNotThrow(() => a.send(gone, Uint8Array.of(1)));
        if (a.channel === 'stream') await waitFor('the drop to be counted', () => a.stats.sendDrops >= 1);
        assert.doesNotThrow(() => a.send('not an address', Uint8Array.of(1)));
      });
    });

    it('close is idempotent, stops delivery and counts later sends as drops', async () => {
      await withPair(makePair, async ({ a, b }) => {
        const atA = record(a);
        const atB = record(b);
        await Promise.all([b.close(), b.close()]);
        await b.close();
        a.send(b.localAddress, Uint8Array.of(1));
        // a sends itself a marker after the message to b: by the time it arrives, a delivery
        // to b would have happened too.
        a.send(a.localAddress, Uint8Array.of(2));
        await waitFor('the marker a sent itself', () => atA.length === 1);
        assert.equal(atB.length, 0);
        assert.equal(b.stats.received, 0);
        const drops = b.stats.sendDrops;
        b.send(a.localAddress, Uint8Array.of(3));
        assert.equal(b.stats.sendDrops, drops + 1);
      });
    });
  });
}
