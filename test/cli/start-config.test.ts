/**
 * `ringkv start` configuration assembly (src/cli/commands/start-config.ts): flags over RINGKV_*
 * environment variables over the JSON config file over the defaults; lists, `--set`, 'off' ports,
 * and a UsageError naming the field or flag for everything malformed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildStartConfig } from '../../src/cli/commands/start-config.js';
import type { StartFlags } from '../../src/cli/commands/start-config.js';
import { UsageError } from '../../src/cli/commands/options.js';
import { runtimeDefaults } from '../../src/runtime/config.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-start-config-test-'));
let files = 0;

after(() => rmSync(root, { recursive: true, force: true }));

/** Writes a config file (an object is JSON-encoded, a string written as is) and returns its path. */
function configFile(content: unknown): string {
  const path = join(root, `config${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const key1 = Buffer.alloc(32, 1).toString('base64');
const key2 = Buffer.alloc(32, 2).toString('base64');
const key3 = Buffer.alloc(32, 3).toString('base64');

/** Expects a UsageError whose message matches every pattern. */
function usageError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    assert.equal(e.code, 'CLI_ERR_USAGE');
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe('buildStartConfig', () => {
  it('uses the defaults when nothing is given', () => {
    const c = buildStartConfig({}, {});
    const name = `${hostname()}-7946`;
    assert.deepEqual(c, {
      name,
      bind: runtimeDefaults.bind,
      join: [],
      dataDir: join('data', name),
      apiHost: runtimeDefaults.apiHost,
      httpPort: runtimeDefaults.httpPort,
      respPort: runtimeDefaults.respPort,
      encryptKeys: [],
      clusterLabel: '',
      storageBytesMax: runtimeDefaults.storageBytesMax,
      storageMapBytes: runtimeDefaults.storageMapBytes,
      leaveTimeoutMs: runtimeDefaults.leaveTimeoutMs,
      inputQueueMax: runtimeDefaults.inputQueueMax,
      storagePendingWritesMax: runtimeDefaults.storagePendingWritesMax,
      storageSync: runtimeDefaults.storageSync,
      logLevel: runtimeDefaults.logLevel,
      membership: {},
      kv: {},
    });
    assert.ok(!('advertise' in c));
    assert.ok(!('authToken' in c));
  });

  it('derives the default name from the bind port and the default data directory from the name', () => {
    const c = buildStartConfig({ bind: '127.0.0.1:9001' }, {});
    assert.equal(c.name, `${hostname()}-9001`);
    assert.equal(c.dataDir, join('data', `${hostname()}-9001`));
    const v6 = buildStartConfig({}, { RINGKV_BIND: '[::1]:9002' });
    assert.equal(v6.name, `${hostname()}-9002`);
    const named = buildStartConfig({ name: 'alpha' }, {});
    assert.equal(named.dataDir, join('data', 'alpha'));
    assert.equal(buildStartConfig({ name: 'alpha', dataDir: '/var/lib/ringkv' }, {}).dataDir, '/var/lib/ringkv');
  });

  it('flags override the environment, which overrides the config file', () => {
    const file = configFile({ name: 'file', bind: '127.0.0.1:1001', httpPort: 1101, logLevel: 'warn', clusterLabel: 'file-label', apiHost: '127.0.0.2', dataDir: '/file' });
    const env = { RINGKV_NAME: 'env', RINGKV_BIND: '127.0.0.1:2001', RINGKV_HTTP_PORT: '2101', RINGKV_LOG_LEVEL: 'error', RINGKV_DATA_DIR: '/env' };
    const flags: StartFlags = { config: file, name: 'flag', httpPort: '3101' };

    const all = buildStartConfig(flags, env);
    assert.equal(all.name, 'flag');
    assert.equal(all.httpPort, 3101);
    assert.equal(all.bind, '127.0.0.1:2001');
    assert.equal(all.logLevel, 'error');
    assert.equal(all.dataDir, '/env');
    assert.equal(all.clusterLabel, 'file-label');
    assert.equal(all.apiHost, '127.0.0.2');
    assert.equal(all.respPort, runtimeDefaults.respPort);

    const noFlags = buildStartConfig({ config: file }, env);
    assert.equal(noFlags.name, 'env');
    assert.equal(noFlags.httpPort, 2101);

    const fileOnly = buildStartConfig({ config: file }, {});
    assert.equal(fileOnly.name, 'file');
    assert.equal(fileOnly.bind, '127.0.0.1:1001');
    assert.equal(fileOnly.httpPort, 1101);
    assert.equal(fileOnly.logLevel, 'warn');
    assert.equal(fileOnly.dataDir, '/file');
  });

  it('reads every RINGKV_* variable, and ignores empty ones', () => {
    const c = buildStartConfig(
      {},
      {
        RINGKV_NAME: 'n1',
        RINGKV_BIND: '0.0.0.0:7000',
        RINGKV_ADVERTISE: '10.1.2.3:7000',
        RINGKV_JOIN: '10.1.2.4:7000',
        RINGKV_DATA_DIR: '/d',
        RINGKV_API_HOST: '0.0.0.0',
        RINGKV_HTTP_PORT: '8000',
        RINGKV_RESP_PORT: '8001',
        RINGKV_ENCRYPT_KEYS: key1,
        RINGKV_AUTH_TOKEN: 'secret-token',
        RINGKV_CLUSTER_LABEL: 'prod',
        RINGKV_LOG_LEVEL: 'debug',
      },
    );
    assert.deepEqual(
      { ...c },
      {
        name: 'n1',
        bind: '0.0.0.0:7000',
        advertise: '10.1.2.3:7000',
        join: ['10.1.2.4:7000'],
        dataDir: '/d',
        apiHost: '0.0.0.0',
        httpPort: 8000,
        respPort: 8001,
        encryptKeys: [key1],
        authToken: 'secret-token',
        clusterLabel: 'prod',
        storageBytesMax: runtimeDefaults.storageBytesMax,
        storageMapBytes: runtimeDefaults.storageMapBytes,
        leaveTimeoutMs: runtimeDefaults.leaveTimeoutMs,
        inputQueueMax: runtimeDefaults.inputQueueMax,
        storagePendingWritesMax: runtimeDefaults.storagePendingWritesMax,
        storageSync: runtimeDefaults.storageSync,
        logLevel: 'debug',
        membership: {},
        kv: {},
      },
    );
    const file = configFile({ name: 'from-file' });
    assert.equal(buildStartConfig({ config: file }, { RINGKV_NAME: '' }).name, 'from-file');
  });

  it('splits comma-separated lists from the environment and from repeatable flags', () => {
    const env = { RINGKV_JOIN: ' 10.0.0.1:7946, 10.0.0.2:7946,,', RINGKV_ENCRYPT_KEYS: `${key1},${key2}` };
    const fromEnv = buildStartConfig({}, env);
    assert.deepEqual(fromEnv.join, ['10.0.0.1:7946', '10.0.0.2:7946']);
    assert.deepEqual(fromEnv.encryptKeys, [key1, key2]);
    // Flags replace (not extend) the environment's list; each flag may itself hold a list.
    const fromFlags = buildStartConfig({ join: ['10.0.0.3:7946', '10.0.0.4:7946,10.0.0.5:7946'], encryptKey: [key3, `${key2},${key1}`] }, env);
    assert.deepEqual(fromFlags.join, ['10.0.0.3:7946', '10.0.0.4:7946', '10.0.0.5:7946']);
    assert.deepEqual(fromFlags.encryptKeys, [key3, key2, key1]);
    // The file may give a list as an array or as a comma-separated string.
    assert.deepEqual(buildStartConfig({ config: configFile({ join: ['10.0.0.6:1', '10.0.0.7:1'] }) }, {}).join, ['10.0.0.6:1', '10.0.0.7:1']);
    assert.deepEqual(buildStartConfig({ config: configFile({ join: '10.0.0.6:1,10.0.0.7:1' }) }, {}).join, ['10.0.0.6:1', '10.0.0.7:1']);
  });

  it('reads every file field, including the membership and kv sections', () => {
    const file = configFile({
      name: 'f',
      bind: '127.0.0.1:7100',
      join: [],
      dataDir: '/f',
      apiHost: '::1',
      httpPort: 0,
      respPort: 0,
      encryptKeys: [key1],
      authToken: '12345678',
      clusterLabel: 'x',
      storageBytesMax: 2 * 1024 * 1024,
      storageMapBytes: 4 * 1024 * 1024,
      leaveTimeoutMs: 500,
      inputQueueMax: 1000,
      logLevel: 'warn',
      membership: { probeIntervalMs: 400, probeTimeoutMs: 200 },
      kv: { replicationFactor: 2, readQuorum: 1, writeQuorum: 1 },
    });
    const c = buildStartConfig({ config: file }, {});
    assert.equal(c.storageBytesMax, 2 * 1024 * 1024);
    assert.equal(c.storageMapBytes, 4 * 1024 * 1024);
    assert.equal(c.leaveTimeoutMs, 500);
    assert.equal(c.inputQueueMax, 1000);
    assert.equal(c.authToken, '12345678');
    assert.equal(c.httpPort, 0);
    assert.deepEqual(c.membership, { probeIntervalMs: 400, probeTimeoutMs: 200 });
    assert.deepEqual(c.kv, { replicationFactor: 2, readQuorum: 1, writeQuorum: 1 });
  });

  it('storageMapBytes defaults to at least storageBytesMax', () => {
    const big = 20 * 1024 ** 3;
    const c = buildStartConfig({ set: [`storageBytesMax=${big}`] }, {});
    assert.equal(c.storageBytesMax, big);
    assert.equal(c.storageMapBytes, big);
    assert.equal(buildStartConfig({ set: ['storageBytesMax=2097152'] }, {}).storageMapBytes, runtimeDefaults.storageMapBytes);
  });

  it('--set assigns top-level fields and membership./kv. fields, with number and boolean coercion', () => {
    const c = buildStartConfig(
      {
        set: [
          'leaveTimeoutMs=1000',
          'inputQueueMax=500',
          'storageSync=commit',
          'membership.probeIntervalMs=500',
          'membership.probeTimeoutMs=250',
          'membership.streamPingFallback=false',
          'kv.writeQuorum=3',
          'kv.replicationFactor=3',
          'logLevel=warn',
        ],
      },
      {},
    );
    assert.equal(c.leaveTimeoutMs, 1000);
    assert.equal(c.inputQueueMax, 500);
    assert.equal(c.storageSync, 'commit');
    assert.equal(c.logLevel, 'warn');
    assert.deepEqual(c.membership, { probeIntervalMs: 500, probeTimeoutMs: 250, streamPingFallback: false });
    assert.deepEqual(c.kv, { writeQuorum: 3, replicationFactor: 3 });
    assert.equal(buildStartConfig({ set: ['membership.streamPingFallback=true'] }, {}).membership.streamPingFallback, true);
  });

  it('--set wins over flags, environment and file, and merges into the file sections', () => {
    const file = configFile({ leaveTimeoutMs: 100, membership: { probeIntervalMs: 400 }, kv: { readQuorum: 1 } });
    const c = buildStartConfig({ config: file, logLevel: 'info', set: ['leaveTimeoutMs=200', 'membership.probeTimeoutMs=100', 'kv.writeQuorum=1', 'logLevel=error'] }, { RINGKV_LOG_LEVEL: 'warn' });
    assert.equal(c.leaveTimeoutMs, 200);
    assert.equal(c.logLevel, 'error');
    assert.deepEqual(c.membership, { probeIntervalMs: 400, probeTimeoutMs: 100 });
    assert.deepEqual(c.kv, { readQuorum: 1, writeQuorum: 1 });
    // The later of two --set for one field wins.
    assert.equal(buildStartConfig({ set: ['leaveTimeoutMs=10', 'leaveTimeoutMs=20'] }, {}).leaveTimeoutMs, 20);
  });

  it('--set keeps digit-only values of text fields as text', () => {
    const c = buildStartConfig({ set: ['clusterLabel=2024', 'authToken=12345678', 'name=42'] }, {});
    assert.equal(c.clusterLabel, '2024');
    assert.equal(c.authToken, '12345678');
    assert.equal(c.name, '42');
  });

  it('refuses malformed --set assignments, naming them', () => {
    usageError(() => buildStartConfig({ set: ['leaveTimeoutMs'] }, {}), /--set leaveTimeoutMs/, /field=value/);
    usageError(() => buildStartConfig({ set: ['=1'] }, {}), /field=value/);
    usageError(() => buildStartConfig({ set: ['a.b.c=1'] }, {}), /field=value/);
    usageError(() => buildStartConfig({ set: ['nope=1'] }, {}), /--set nope=1/, /unknown field "nope"/);
    usageError(() => buildStartConfig({ set: ['membership=1'] }, {}), /unknown field "membership"/);
    usageError(() => buildStartConfig({ set: ['kv=1'] }, {}), /unknown field "kv"/);
    usageError(() => buildStartConfig({ set: ['storage.x=1'] }, {}), /--set storage\.x=1/, /sections are membership and kv/);
    // Syntactically fine, refused by validation with the section-prefixed field.
    usageError(() => buildStartConfig({ set: ['membership.nope=1'] }, {}), /invalid configuration/, /membership\.nope/, /unknown field/);
    usageError(() => buildStartConfig({ set: ['kv.replicas=3'] }, {}), /kv\.replicas/);
    usageError(() => buildStartConfig({ set: ['membership.probeTimeoutMs=5000'] }, {}), /membership\.probeTimeoutMs/);
    usageError(() => buildStartConfig({ set: ['kv.readQuorum=4'] }, {}), /kv\.readQuorum/);
  });

  it("'off' (or false in the file) disables the HTTP or RESP port", () => {
    assert.equal(buildStartConfig({ httpPort: 'off' }, {}).httpPort, null);
    assert.equal(buildStartConfig({ respPort: 'off' }, {}).respPort, null);
    assert.equal(buildStartConfig({}, { RINGKV_HTTP_PORT: 'off', RINGKV_RESP_PORT: 'off' }).respPort, null);
    assert.equal(buildStartConfig({ config: configFile({ httpPort: 'off', respPort: false }) }, {}).httpPort, null);
    assert.equal(buildStartConfig({ config: configFile({ respPort: false }) }, {}).respPort, null);
    assert.equal(buildStartConfig({ set: ['httpPort=off'] }, {}).httpPort, null);
    // A flag turns a port back on over the environment's 'off'.
    assert.equal(buildStartConfig({ httpPort: '9090' }, { RINGKV_HTTP_PORT: 'off' }).httpPort, 9090);
  });

  it('refuses malformed values with the field name', () => {
    usageError(() => buildStartConfig({ httpPort: 'abc' }, {}), /httpPort must be a number/);
    usageError(() => buildStartConfig({}, { RINGKV_RESP_PORT: '12x' }), /respPort must be a number/);
    usageError(() => buildStartConfig({ httpPort: '70000' }, {}), /invalid configuration: httpPort/);
    usageError(() => buildStartConfig({ httpPort: '7000', respPort: '7000' }, {}), /respPort: must differ/);
    usageError(() => buildStartConfig({}, { RINGKV_BIND: 'localhost:7946' }), /invalid configuration: bind/);
    usageError(() => buildStartConfig({ join: ['seed.example:7946'] }, {}), /join/, /seed\.example/);
    usageError(() => buildStartConfig({ logLevel: 'loud' }, {}), /logLevel/);
    usageError(() => buildStartConfig({ encryptKey: ['abc'] }, {}), /encryptKeys/);
    usageError(() => buildStartConfig({ authToken: 'short' }, {}), /authToken/);
    usageError(() => buildStartConfig({ bind: '0.0.0.0:7946' }, {}), /advertise/);
  });

  it('refuses file values of the wrong type, naming the field', () => {
    usageError(() => buildStartConfig({ config: configFile({ name: 5 }) }, {}), /name must be a string/);
    usageError(() => buildStartConfig({ config: configFile({ bind: ['127.0.0.1:1'] }) }, {}), /bind must be a string/);
    usageError(() => buildStartConfig({ config: configFile({ leaveTimeoutMs: 'soon' }) }, {}), /leaveTimeoutMs must be a number/);
    usageError(() => buildStartConfig({ config: configFile({ storageBytesMax: true }) }, {}), /storageBytesMax must be a number/);
    usageError(() => buildStartConfig({ config: configFile({ join: [1, 2] }) }, {}), /join must be a list of strings/);
    usageError(() => buildStartConfig({ config: configFile({ encryptKeys: { a: 1 } }) }, {}), /encryptKeys must be a list of strings/);
    usageError(() => buildStartConfig({ config: configFile({ membership: [] }) }, {}), /membership must be an object/);
    usageError(() => buildStartConfig({ config: configFile({ kv: 'x' }) }, {}), /kv must be an object/);
    usageError(() => buildStartConfig({ config: configFile({ membership: { nope: 1 } }) }, {}), /membership\.nope/);
    // JSON null counts as absent.
    assert.equal(buildStartConfig({ config: configFile({ name: null, bind: '127.0.0.1:7200' }) }, {}).name, `${hostname()}-7200`);
  });

  it('refuses unknown file fields, naming the field and the file', () => {
    const file = configFile({ name: 'a', httpport: 80 });
    usageError(() => buildStartConfig({ config: file }, {}), /--config/, /unknown field "httpport"/, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    usageError(() => buildStartConfig({ config: configFile('{"__proto__":{"name":"x"}}') }, {}), /unknown field "__proto__"/);
  });

  it('refuses a file that is not a JSON object', () => {
    for (const text of ['[]', '42', 'null', '"name"', 'true']) {
      usageError(() => buildStartConfig({ config: configFile(text) }, {}), /--config/, /must hold a JSON object/);
    }
  });

  it('refuses invalid JSON, naming the file', () => {
    for (const text of ['', '{', '{"name": "a",}', "{'name': 'a'}", '# comment']) {
      usageError(() => buildStartConfig({ config: configFile(text) }, {}), /--config/, /is not valid JSON/);
    }
  });

  it('refuses an unreadable or oversized file', () => {
    const missing = join(root, 'missing.json');
    usageError(() => buildStartConfig({ config: missing }, {}), /--config: cannot read/, /missing\.json/);
    usageError(() => buildStartConfig({ config: root }, {}), /--config: cannot read/);
    const huge = configFile(`{}${' '.repeat(1024 * 1024)}`);
    usageError(() => buildStartConfig({ config: huge }, {}), /--config/, /larger than/);
  });
});
