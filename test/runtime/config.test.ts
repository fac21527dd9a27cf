/**
 * Runtime configuration validation (src/runtime/config.ts): every rule refuses a bad value with
 * CONFIG_ERR_INVALID and the offending field, SWIM / KV problems come back prefixed with their
 * section, and a valid configuration passes unchanged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authTokenBytesMax, encryptKeysMax, joinSeedsMax, runtimeDefaults, validateRuntimeConfig } from '../../src/runtime/config.js';
import type { RuntimeConfig } from '../../src/runtime/config.js';
import { clusterLabelBytesMax, nodeNameBytesMax } from '../../src/wire/limits.js';

const key32 = Buffer.alloc(32, 7).toString('base64');
const key32b = Buffer.alloc(32, 9).toString('base64');

const base: RuntimeConfig = {
  name: 'node-a',
  bind: '127.0.0.1:7946',
  join: [],
  dataDir: 'data/node-a',
  apiHost: '127.0.0.1',
  httpPort: 8080,
  respPort: 6380,
  encryptKeys: [],
  clusterLabel: '',
  storageBytesMax: runtimeDefaults.storageBytesMax,
  storageMapBytes: runtimeDefaults.storageMapBytes,
  leaveTimeoutMs: runtimeDefaults.leaveTimeoutMs,
  inputQueueMax: runtimeDefaults.inputQueueMax,
  storagePendingWritesMax: runtimeDefaults.storagePendingWritesMax,
  storageSync: runtimeDefaults.storageSync,
  logLevel: 'info',
  membership: {},
  kv: {},
};

/** `base` with `patch` applied (patch values may be deliberately ill-typed). */
function cfg(patch: Record<string, unknown>): RuntimeConfig {
  return { ...base, ...patch } as RuntimeConfig;
}

function expectValid(c: RuntimeConfig): void {
  const r = validateRuntimeConfig(c);
  assert.ok(r.ok, r.ok ? '' : `expected valid, got ${r.error.message}`);
  assert.equal(r.value, c);
}

function expectInvalid(patch: Record<string, unknown>, field: string, messagePart?: RegExp): void {
  const r = validateRuntimeConfig(cfg(patch));
  assert.ok(!r.ok, `expected ${JSON.stringify(patch)} to be refused (field ${field})`);
  assert.equal(r.error.code, 'CONFIG_ERR_INVALID');
  assert.equal(r.error.field, field, `patch ${JSON.stringify(patch)}: ${r.error.message}`);
  assert.ok(r.error.message.startsWith(`${field}: `), r.error.message);
  if (messagePart !== undefined) assert.match(r.error.message, messagePart);
}

describe('validateRuntimeConfig', () => {
  it('passes a fully valid configuration unchanged (same object)', () => {
    expectValid(base);
    const full = cfg({
      name: 'node-é-1',
      bind: '0.0.0.0:7946',
      advertise: '10.0.0.5:7946',
      join: ['10.0.0.1:7946', '[fd00::1]:7946'],
      apiHost: '::1',
      httpPort: 0,
      respPort: 0,
      encryptKeys: [key32, key32b],
      authToken: 'x'.repeat(8),
      clusterLabel: 'l'.repeat(clusterLabelBytesMax),
      storageBytesMax: 1024 * 1024,
      storageMapBytes: 1024 * 1024,
      leaveTimeoutMs: 0,
      inputQueueMax: 100,
      logLevel: 'debug',
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, gossipIntervalMs: 50 },
      kv: { replicationFactor: 1, readQuorum: 1, writeQuorum: 1, tokensPerNode: 16 },
    });
    expectValid(full);
    expectValid(cfg({ httpPort: null, respPort: null }));
    expectValid(cfg({ httpPort: null, respPort: 6380 }));
    expectValid(cfg({ bind: '[::1]:0' }));
    expectValid(cfg({ bind: '127.0.0.1:0' }));
    expectValid(cfg({ name: 'n'.repeat(nodeNameBytesMax) }));
    expectValid(cfg({ join: Array.from({ length: joinSeedsMax }, (_, i) => `10.0.0.${i + 1}:7946`) }));
    expectValid(cfg({ encryptKeys: Array.from({ length: encryptKeysMax }, () => key32) }));
    expectValid(cfg({ authToken: 'a'.repeat(authTokenBytesMax) }));
    expectValid(cfg({ leaveTimeoutMs: 60_000, inputQueueMax: 10_000_000 }));
    for (const logLevel of ['debug', 'info', 'warn', 'error']) expectValid(cfg({ logLevel }));
  });

  it('name: 1..128 UTF-8 bytes, no spaces or control characters', () => {
    expectInvalid({ name: '' }, 'name', /1\.\.128/);
    expectInvalid({ name: 'n'.repeat(nodeNameBytesMax + 1) }, 'name');
    // 65 characters but 130 bytes: the limit is in bytes.
    expectInvalid({ name: 'é'.repeat(65) }, 'name');
    for (const name of ['a b', ' a', 'a ', 'a\tb', 'a\nb', 'a\u0001b', '\u0000', 'a\u00a0b', 'a\u3000b']) {
      expectInvalid({ name }, 'name', /spaces or control/);
    }
  });

  it('bind and advertise: IP literal addresses; 0.0.0.0 needs advertise; advertise needs real ports', () => {
    for (const bind of ['', 'localhost:7946', '127.0.0.1', '127.0.0.1:99999', '127.0.0.1:07946', '::1:7946', '1.2.3:7946']) {
      expectInvalid({ bind }, 'bind', /bad address/);
    }
    expectInvalid({ bind: '0.0.0.0:7946' }, 'advertise', /required when bind is 0\.0\.0\.0:7946/);
    expectInvalid({ bind: '[::]:7946' }, 'advertise', /required/);
    expectInvalid({ bind: '0.0.0.0:7946', advertise: 'my-host:7946' }, 'advertise', /bad address/);
    expectInvalid({ advertise: '10.0.0.5:0' }, 'advertise', /real port/);
    expectInvalid({ bind: '0.0.0.0:0', advertise: '10.0.0.5:7946' }, 'bind', /fixed port/);
    expectValid(cfg({ bind: '0.0.0.0:7946', advertise: '10.0.0.5:8946' }));
    expectValid(cfg({ bind: '[::]:7946', advertise: '[fd00::5]:7946' }));
  });

  it('join: at most 64 seeds, each an address', () => {
    expectInvalid({ join: Array.from({ length: joinSeedsMax + 1 }, (_, i) => `10.0.0.${i + 1}:7946`) }, 'join', /at most 64/);
    expectInvalid({ join: ['10.0.0.1:7946', 'seed.example:7946'] }, 'join', /seed\.example:7946/);
    expectInvalid({ join: [''] }, 'join');
  });

  it('dataDir and apiHost', () => {
    expectInvalid({ dataDir: '' }, 'dataDir');
    expectInvalid({ apiHost: 'localhost' }, 'apiHost', /localhost/);
    expectInvalid({ apiHost: '' }, 'apiHost');
    expectInvalid({ apiHost: '127.0.0.1:80' }, 'apiHost');
    expectValid(cfg({ apiHost: '0.0.0.0' }));
    expectValid(cfg({ apiHost: '::' }));
  });

  it('ports: 0..65535 or null, and HTTP and RESP must differ unless ephemeral', () => {
    for (const [field, bad] of [['httpPort', -1], ['httpPort', 65_536], ['httpPort', 80.5], ['respPort', -1], ['respPort', 70_000], ['respPort', Number.NaN]] as const) {
      expectInvalid({ [field]: bad }, field, /0\.\.65535/);
    }
    expectInvalid({ httpPort: 8080, respPort: 8080 }, 'respPort', /differ/);
    expectValid(cfg({ httpPort: 65_535, respPort: 0 }));
    expectValid(cfg({ httpPort: 0, respPort: 0 }));
  });

  it('encryptKeys: base64 of exactly 32 bytes, at most 8', () => {
    expectInvalid({ encryptKeys: [Buffer.alloc(16).toString('base64')] }, 'encryptKeys', /key 1 .*32 bytes/);
    expectInvalid({ encryptKeys: [key32, Buffer.alloc(33).toString('base64')] }, 'encryptKeys', /key 2/);
    expectInvalid({ encryptKeys: [Buffer.alloc(32).toString('hex')] }, 'encryptKeys');
    expectInvalid({ encryptKeys: [`${key32.slice(0, 10)}!${key32.slice(11)}`] }, 'encryptKeys');
    expectInvalid({ encryptKeys: [` ${key32}`] }, 'encryptKeys');
    expectInvalid({ encryptKeys: [''] }, 'encryptKeys');
    expectInvalid({ encryptKeys: Array.from({ length: encryptKeysMax + 1 }, () => key32) }, 'encryptKeys', /at most 8/);
  });

  it('authToken: 8..512 bytes when set', () => {
    expectInvalid({ authToken: '' }, 'authToken');
    expectInvalid({ authToken: 'x'.repeat(7) }, 'authToken', /8\.\.512/);
    expectInvalid({ authToken: 'x'.repeat(authTokenBytesMax + 1) }, 'authToken');
    expectInvalid({ authToken: 'é'.repeat(authTokenBytesMax / 2 + 1) }, 'authToken');
  });

  it('clusterLabel: at most 255 bytes', () => {
    expectInvalid({ clusterLabel: 'l'.repeat(clusterLabelBytesMax + 1) }, 'clusterLabel', /255/);
    expectInvalid({ clusterLabel: 'é'.repeat(128) }, 'clusterLabel');
  });

  it('storage sizes: budget >= 1 MiB, map size >= budget, integers', () => {
    expectInvalid({ storageBytesMax: 1024 * 1024 - 1 }, 'storageBytesMax', /1 MiB/);
    expectInvalid({ storageBytesMax: 1024 * 1024 + 0.5 }, 'storageBytesMax');
    expectInvalid({ storageBytesMax: Number.MAX_SAFE_INTEGER + 1 }, 'storageBytesMax');
    expectInvalid({ storageBytesMax: 4 * 1024 * 1024, storageMapBytes: 4 * 1024 * 1024 - 1 }, 'storageMapBytes', /storageBytesMax/);
    expectInvalid({ storageMapBytes: Number.POSITIVE_INFINITY }, 'storageMapBytes');
  });

  it('leaveTimeoutMs 0..60000, inputQueueMax 100..10^7, storagePendingWritesMax 1..10^7, logLevel', () => {
    for (const v of [-1, 60_001, 1.5]) expectInvalid({ leaveTimeoutMs: v }, 'leaveTimeoutMs', /0\.\.60000/);
    for (const v of [99, 10_000_001, 1000.5]) expectInvalid({ inputQueueMax: v }, 'inputQueueMax');
    for (const v of [0, 10_000_001, 1.5]) expectInvalid({ storagePendingWritesMax: v }, 'storagePendingWritesMax', /1\.\.10000000/);
    expectInvalid({ storageSync: 'overlapped' as 'commit' }, 'storageSync', /background, wal or commit/);
    expectValid(cfg({ storageSync: 'commit' }));
    for (const v of ['trace', 'INFO', '']) expectInvalid({ logLevel: v }, 'logLevel');
  });

  it('refuses unknown membership and kv fields, naming them with their section', () => {
    expectInvalid({ membership: { nope: 1 } }, 'membership.nope', /unknown field/);
    expectInvalid({ membership: { probeIntervalMs: 500, probeintervalms: 500 } }, 'membership.probeintervalms');
    expectInvalid({ kv: { replicas: 3 } }, 'kv.replicas', /unknown field/);
    // Names inherited from Object.prototype are not fields either.
    expectInvalid({ kv: { toString: 1 } }, 'kv.toString');
    expectInvalid({ membership: { constructor: 1 } }, 'membership.constructor');
    expectInvalid({ membership: JSON.parse('{"__proto__":{"probeIntervalMs":5}}') as unknown }, 'membership.__proto__');
  });

  it('forwards SWIM and KV validation errors with a membership. / kv. prefix', () => {
    expectInvalid({ membership: { probeTimeoutMs: 1000 } }, 'membership.probeTimeoutMs', /below probeIntervalMs/);
    expectInvalid({ membership: { probeIntervalMs: 200, probeTimeoutMs: 300 } }, 'membership.probeTimeoutMs');
    expectInvalid({ membership: { gossipIntervalMs: 0 } }, 'membership.gossipIntervalMs');
    expectInvalid({ membership: { streamPingFallback: 'yes' } }, 'membership.streamPingFallback');
    expectInvalid({ membership: { udpPacketBytesMax: 100 } }, 'membership.udpPacketBytesMax');
    expectInvalid({ kv: { replicationFactor: 2, readQuorum: 3 } }, 'kv.readQuorum', /replicationFactor/);
    expectInvalid({ kv: { replicationFactor: 1 } }, 'kv.readQuorum');
    expectInvalid({ kv: { writeQuorum: 4 } }, 'kv.writeQuorum');
    expectInvalid({ kv: { tokensPerNode: 0 } }, 'kv.tokensPerNode');
    expectInvalid({ kv: { requestTimeoutMs: 1.5 } }, 'kv.requestTimeoutMs');
    expectInvalid({ kv: { readSpeculativeRetryMs: -1 } }, 'kv.readSpeculativeRetryMs');
  });
});
