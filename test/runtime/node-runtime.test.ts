/**
 * NodeRuntime (src/runtime/node-runtime.ts) in-process: real UDP/TCP sockets on 127.0.0.1 (port 0),
 * LMDB data directories under a temp dir, fast membership timing. Every wait is on a condition
 * with a bound; every runtime is closed in `after` so the test process exits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RuntimeConfig } from '../../src/runtime/config.js';
import { validateRuntimeConfig } from '../../src/runtime/config.js';
import { silentLog } from '../../src/runtime/log.js';
import { NodeRuntime, RuntimeStartError } from '../../src/runtime/node-runtime.js';
import type { MemberView } from '../../src/runtime/service.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-runtime-test-'));
const opened: NodeRuntime[] = [];

after(async () => {
  await Promise.all(opened.map((rt) => rt.close()));
  rmSync(root, { recursive: true, force: true });
});

const tokensPerNode = 16;

/** A valid configuration for a test node named `name`, with `patch` applied. */
function config(name: string, patch: Partial<RuntimeConfig> = {}): RuntimeConfig {
  const c: RuntimeConfig = {
    name,
    bind: '127.0.0.1:0',
    join: [],
    dataDir: join(root, name),
    apiHost: '127.0.0.1',
    httpPort: null,
    respPort: null,
    encryptKeys: [],
    clusterLabel: '',
    storageBytesMax: 64 * 1024 * 1024,
    storageMapBytes: 256 * 1024 * 1024,
    leaveTimeoutMs: 1000,
    inputQueueMax: 10_000,
    storagePendingWritesMax: 100_000,
    storageSync: 'wal',
    logLevel: 'info',
    membership: { probeIntervalMs: 200, probeTimeoutMs: 100, gossipIntervalMs: 50 },
    kv: { replicationFactor: 2, readQuorum: 1, writeQuorum: 1, tokensPerNode },
    ...patch,
  };
  const valid = validateRuntimeConfig(c);
  assert.ok(valid.ok, valid.ok ? '' : valid.error.message);
  return c;
}

/** Opens a runtime and registers it for closing in `after`. */
async function open(c: RuntimeConfig): Promise<NodeRuntime> {
  const rt = await NodeRuntime.open(c, silentLog);
  opened.push(rt);
  return rt;
}

async function waitFor(condition: () => boolean, what: string | (() => string), timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function memberState(rt: NodeRuntime, name: string): MemberView['state'] | undefined {
  return rt.members().find((m) => m.name === name)?.state;
}

const describeMembers = (rt: NodeRuntime): string => JSON.stringify(rt.members().map((m) => [m.name, m.state]));

/** An address nothing listens on: a port the OS just gave out and took back. */
async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${address.port}`;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

function expectCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.equal((e as { code?: unknown }).code, code, String(e));
    return true;
  };
}

describe('NodeRuntime: a two-node cluster', () => {
  let a: NodeRuntime;
  let b: NodeRuntime;
  const endpointsA = { http: '127.0.0.1:18080', resp: '127.0.0.1:16380' };

  before(async () => {
    a = await open(config('rt-a'));
    a.start(endpointsA);
    b = await open(config('rt-b', { join: [a.tcp.localAddress] }));
    assert.equal(b.health().status, 'joining', 'before start');
    b.start({});
  });

  it('binds UDP and TCP on the same ephemeral port', () => {
    assert.match(a.tcp.localAddress, /^127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(a.udp.localAddress, a.tcp.localAddress);
    assert.equal(b.udp.localAddress, b.tcp.localAddress);
    assert.notEqual(a.tcp.localAddress, b.tcp.localAddress);
  });

  it('the nodes see each other alive', async () => {
    await waitFor(() => memberState(a, 'rt-b') === 'alive' && memberState(b, 'rt-a') === 'alive', () => `mutual alive: a ${describeMembers(a)}, b ${describeMembers(b)}`);
    const fromB = b.members();
    assert.deepEqual(fromB.map((m) => m.name).sort(), ['rt-a', 'rt-b']);
    const aSeenByB = fromB.find((m) => m.name === 'rt-a')!;
    assert.equal(aSeenByB.self, false);
    assert.equal(aSeenByB.addr, a.tcp.localAddress);
    assert.deepEqual(aSeenByB.endpoints, endpointsA, 'endpoints travel in the membership metadata');
    const self = fromB.find((m) => m.name === 'rt-b')!;
    assert.equal(self.self, true);
    assert.equal(self.addr, b.tcp.localAddress);
    assert.deepEqual(a.members().find((m) => m.self)!.endpoints, endpointsA);
  });

  it("health is 'ok' on both after joining", async () => {
    await waitFor(() => b.health().status === 'ok', () => `b healthy: ${JSON.stringify(b.health())}`);
    const h = a.health();
    assert.equal(h.status, 'ok');
    assert.equal(h.name, 'rt-a');
    assert.deepEqual(h.members, { alive: 2, suspect: 0, dead: 0, left: 0 });
    assert.ok(h.uptimeMs >= 0);
  });

  it('a value put through one node is read through the other', async () => {
    await waitFor(() => a.ring().nodes.length === 2 && b.ring().nodes.length === 2, 'both rings to hold both nodes');
    const put = await a.execute({ type: 'put', key: 'greeting', value: text('hello'), consistency: 'all' });
    assert.ok(put.ok, JSON.stringify(put));
    const read = await b.execute({ type: 'read', key: 'greeting', consistency: 'all' });
    assert.ok(read.ok, JSON.stringify(read));
    assert.equal(str(read.value), 'hello');
    // N = 2 on a two-node ring: both hold a replica.
    assert.equal(str(a.localRecord('greeting')?.value ?? undefined), 'hello');
    assert.equal(str(b.localRecord('greeting')?.value ?? undefined), 'hello');
    const missing = await b.execute({ type: 'read', key: 'never-written' });
    assert.ok(!missing.ok);
    assert.equal(missing.error.code, 'KV_ERR_NOT_FOUND');
    assert.ok(a.info().keys >= 1);
  });

  it('ring() shows both nodes with their tokens and every range', () => {
    const ring = a.ring();
    assert.equal(ring.tokensPerNode, tokensPerNode);
    assert.equal(ring.replicationFactor, 2);
    assert.deepEqual(ring.nodes.map((n) => [n.name, n.tokens]), [['rt-a', tokensPerNode], ['rt-b', tokensPerNode]]);
    assert.equal(ring.ranges.length, 2 * tokensPerNode);
    for (const r of ring.ranges) assert.deepEqual([...r.replicas].sort(), ['rt-a', 'rt-b']);
  });

  it('info() reports the node', () => {
    const info = a.info();
    assert.equal(info.name, 'rt-a');
    assert.equal(info.addr, a.tcp.localAddress);
    assert.equal(info.incarnation, 1, 'a fresh data directory starts at incarnation 1');
    assert.deepEqual(info.endpoints, endpointsA);
    assert.equal(typeof info.version, 'string');
  });

  it('metricsText() counts the alive members', async () => {
    const metrics = await a.metricsText();
    assert.match(metrics, /^ringkv_members\{state="alive"\} 2$/m);
    assert.match(metrics, /^ringkv_members\{state="dead"\} 0$/m);
    assert.match(metrics, /^ringkv_kv_requests_total\{op="put",outcome="ok",consistency="all"\} 1$/m);
    assert.match(a.metricsContentType, /^text\/plain/);
  });

  it('a node with another cluster label never joins; the receiver counts WIRE_ERR_LABEL_MISMATCH', async () => {
    const before = a.stats.decodeErrors.WIRE_ERR_LABEL_MISMATCH ?? 0;
    const c = await open(config('rt-c', { clusterLabel: 'other-cluster', join: [a.tcp.localAddress] }));
    c.start({});
    await waitFor(() => (a.stats.decodeErrors.WIRE_ERR_LABEL_MISMATCH ?? 0) > before, 'a label mismatch counted on rt-a');
    assert.equal(memberState(a, 'rt-c'), undefined, describeMembers(a));
    assert.equal(memberState(b, 'rt-c'), undefined, describeMembers(b));
    assert.deepEqual(c.members().map((m) => m.name), ['rt-c']);
    assert.equal(c.health().status, 'joining');
    assert.match(await a.metricsText(), /^ringkv_wire_decode_errors_total\{code="WIRE_ERR_LABEL_MISMATCH"\} [1-9]\d*$/m);
    await c.close();
  });

  it("leave() makes the other node see state 'left'", async () => {
    await b.leave();
    assert.equal(b.health().status, 'leaving');
    await waitFor(() => memberState(a, 'rt-b') === 'left', () => `rt-a to see rt-b left: ${describeMembers(a)}`);
    const refused = await b.execute({ type: 'read', key: 'greeting' });
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'KV_ERR_NOT_READY');
    await b.close();
    assert.equal(a.health().members.left, 1);
    assert.equal(a.health().status, 'ok');
  });
});

describe('NodeRuntime: lifecycle', () => {
  it('execute before start fails with KV_ERR_NOT_READY; the views are empty', async () => {
    const rt = await open(config('rt-unstarted'));
    const r = await rt.execute({ type: 'put', key: 'k', value: text('v') });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KV_ERR_NOT_READY');
    assert.deepEqual(rt.members(), []);
    assert.equal(rt.ring().ranges.length, 0);
    assert.equal(rt.health().status, 'joining');
    assert.equal(rt.info().incarnation, 0);
    await rt.close();
  });

  it("a node whose seed never answers stays 'joining' and refuses operations", async () => {
    const seed = await closedAddress();
    const rt = await open(config('rt-lonely', { join: [seed] }));
    rt.start({});
    await waitFor(() => rt.stats.batches >= 1, 'the start input to be processed');
    assert.equal(rt.health().status, 'joining');
    const r = await rt.execute({ type: 'put', key: 'k', value: text('v') });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KV_ERR_NOT_READY');
    assert.equal(rt.health().status, 'joining');
    await rt.close();
  });

  it("a node starting a new cluster is 'ok' at once and serves alone", async () => {
    const rt = await open(config('rt-solo', { kv: { replicationFactor: 1, readQuorum: 1, writeQuorum: 1, tokensPerNode } }));
    rt.start({});
    assert.equal(rt.health().status, 'ok');
    const put = await rt.execute({ type: 'put', key: 'k', value: text('v') });
    assert.ok(put.ok, JSON.stringify(put));
    const read = await rt.execute({ type: 'read', key: 'k' });
    assert.ok(read.ok && str(read.value) === 'v', JSON.stringify(read));
    await rt.close();
  });

  it('a disk behind its writes pauses the input queue; every write still completes and reads back', async () => {
    // storagePendingWritesMax 1: any batch that writes while an earlier one is still flushing makes
    // the next drain wait for the flush. Bursts are fired a turn apart until that happened once.
    const rt = await open(config('rt-backlog', { storagePendingWritesMax: 1, kv: { replicationFactor: 1, readQuorum: 1, writeQuorum: 1, tokensPerNode } }));
    rt.start({});
    const writes: Array<Promise<unknown>> = [];
    let burst = 0;
    for (; burst < 50 && rt.stats.backlogWaits === 0; burst++) {
      for (let i = 0; i < 20; i++) writes.push(rt.execute({ type: 'put', key: `k${burst}-${i}`, value: text(`v${burst}-${i}`) }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = (await Promise.all(writes)) as Array<{ ok: boolean }>;
    assert.ok(rt.stats.backlogWaits > 0, `no backlog after ${burst} bursts`);
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)));
    for (let b = 0; b < burst; b++) {
      const read = await rt.execute({ type: 'read', key: `k${b}-19` });
      assert.ok(read.ok && str(read.value) === `v${b}-19`, JSON.stringify(read));
    }
    assert.match(await rt.metricsText(), /^ringkv_storage_backlog_waits_total [1-9]/m);
    await rt.close();
  });

  it("storageSync 'commit' serves writes and reads, and counts the event loop's commit time", async () => {
    const rt = await open(config('rt-sync-commit', { storageSync: 'commit', kv: { replicationFactor: 1, readQuorum: 1, writeQuorum: 1, tokensPerNode } }));
    rt.start({});
    const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => rt.execute({ type: 'put', key: `c${i}`, value: text(`v${i}`) })));
    assert.ok(writes.every((w) => w.ok), JSON.stringify(writes.find((w) => !w.ok)));
    assert.equal(rt.storage.durable(), undefined, "'commit' is durable when the batch returns");
    const read = await rt.execute({ type: 'read', key: 'c7' });
    assert.ok(read.ok && str(read.value) === 'v7', JSON.stringify(read));
    assert.ok(rt.stats.commitMs > 0);
    assert.match(await rt.metricsText(), /^ringkv_storage_commit_seconds_total [0-9.e-]+$/m);
    await rt.close();
  });

  it('close() is idempotent; a closed runtime refuses operations', async () => {
    const rt = await open(config('rt-closing'));
    rt.start({});
    await rt.close();
    await rt.close();
    await Promise.all([rt.close(), rt.close()]);
    assert.equal(rt.health().status, 'leaving');
    const r = await rt.execute({ type: 'read', key: 'k' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KV_ERR_NOT_READY');
    await rt.leave(); // a no-op once closed
  });

  it('reopening the data directory keeps the data and starts at a higher incarnation', async () => {
    const c = config('rt-restart', { kv: { replicationFactor: 1, readQuorum: 1, writeQuorum: 1, tokensPerNode } });
    const first = await open(c);
    first.start({});
    const put = await first.execute({ type: 'put', key: 'durable', value: text('kept') });
    assert.ok(put.ok, JSON.stringify(put));
    const firstIncarnation = first.info().incarnation;
    assert.ok(firstIncarnation >= 1);
    await first.close();

    const second = await open(c);
    assert.equal(str(second.localRecord('durable')?.value ?? undefined), 'kept', 'data survives before start');
    second.start({});
    assert.ok(second.info().incarnation > firstIncarnation, `${second.info().incarnation} > ${firstIncarnation}`);
    const read = await second.execute({ type: 'read', key: 'durable' });
    assert.ok(read.ok && str(read.value) === 'kept', JSON.stringify(read));
    await second.close();

    const third = await open(c);
    third.start({});
    assert.ok(third.info().incarnation > second.info().incarnation);
    await third.close();
  });

  it('refuses a data directory that belongs to another node name (and releases it)', async () => {
    const owner = config('rt-owner');
    const rt = await open(owner);
    await rt.close();
    await assert.rejects(NodeRuntime.open({ ...owner, name: 'rt-intruder' }, silentLog), (e: unknown) => {
      assert.ok(e instanceof RuntimeStartError, String(e));
      assert.equal(e.code, 'RUNTIME_ERR_DATA_DIR_OWNER');
      assert.match(e.message, /rt-owner/);
      assert.match(e.message, /rt-intruder/);
      return true;
    });
    // The refused attempt released the lock and the sockets: the owner opens again.
    const again = await open(owner);
    await again.close();
  });

  it('refuses a second runtime on a data directory already open', async () => {
    const c = config('rt-locked');
    const first = await open(c);
    await assert.rejects(NodeRuntime.open(c, silentLog), expectCode('RUNTIME_ERR_DATA_DIR_LOCKED'));
    // The first runtime is unaffected and still holds the directory.
    first.start({});
    const put = await first.execute({ type: 'put', key: 'k', value: text('v') });
    assert.ok(put.ok, JSON.stringify(put));
    await assert.rejects(NodeRuntime.open(c, silentLog), expectCode('RUNTIME_ERR_DATA_DIR_LOCKED'));
    await first.close();
    const second = await open(c);
    assert.equal(str(second.localRecord('k')?.value ?? undefined), 'v');
    await second.close();
  });
});
