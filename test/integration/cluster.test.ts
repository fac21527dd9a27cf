/**
 * Real `ringkv start` processes on 127.0.0.1 (issue 4's integration tests): a cluster forms and
 * serves HTTP, RESP (ioredis as a real client) and the client library; a graceful leave is seen
 * as "left"; a bad configuration is refused. kill -9 and restart live in kill-restart.test.ts,
 * encryption in encryption.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Client } from '../../src/client/index.js';
import { ringkvBinPath } from '../../src/cli/local-node.js';
import { LocalCluster, memberStates, waitFor } from '../helpers/local-cluster.js';
import { parsePrometheusText } from '../helpers/prom-text.js';

const execFileAsync = promisify(execFile);

describe('a 3-node cluster on 127.0.0.1', { timeout: 120_000 }, () => {
  const cluster = new LocalCluster('basic');
  const redis: Redis[] = [];

  before(async () => {
    await cluster.add('n1', { join: null });
    await cluster.add('n2');
    await cluster.add('n3');
    await waitFor('every node to see 3 alive members', async () => {
      for (const n of cluster.nodes) {
        const states = await memberStates(n.info.http!);
        if ([...states.values()].filter((s) => s === 'alive').length !== 3) return false;
      }
      return true;
    });
  });

  after(async () => {
    for (const r of redis) r.disconnect();
    await cluster.destroy();
  });

  const resp = (name: string): Redis => {
    const addr = cluster.node(name).info.resp!;
    const r = new Redis({ host: '127.0.0.1', port: Number(addr.slice(addr.lastIndexOf(':') + 1)), lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    redis.push(r);
    return r;
  };

  it('writes through HTTP on one node and reads on another', async () => {
    const put = await fetch(`http://${cluster.node('n1').info.http}/v1/kv/http-key`, { method: 'PUT', body: 'hello over http' });
    assert.equal(put.status, 200, await put.text());
    const get = await fetch(`http://${cluster.node('n2').info.http}/v1/kv/http-key?raw=1`);
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'hello over http');
    const missing = await fetch(`http://${cluster.node('n3').info.http}/v1/kv/never-written`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'KV_ERR_NOT_FOUND');
  });

  it('serves the Redis protocol to ioredis: SET on one node, GET on another, NX/XX, DEL, EXISTS', async () => {
    const a = resp('n2');
    const b = resp('n3');
    await a.connect();
    await b.connect();
    assert.equal(await a.set('resp-key', 'v1'), 'OK');
    assert.equal(await b.get('resp-key'), 'v1');
    assert.equal(await a.set('resp-key', 'v2', 'NX'), null, 'NX on an existing key = create fails');
    assert.equal(await a.set('resp-new', 'x', 'XX'), null, 'XX on a missing key = update fails');
    assert.equal(await b.set('resp-key', 'v3', 'XX'), 'OK');
    assert.equal(await a.get('resp-key'), 'v3');
    assert.equal(await b.exists('resp-key', 'resp-new'), 1);
    assert.equal(await a.del('resp-key'), 1);
    assert.equal(await b.get('resp-key'), null);
    assert.equal(await a.ping(), 'PONG');
  });

  it('serves redis-cli unchanged: SET on one node, GET on another', async () => {
    const port = (name: string) => cluster.node(name).info.resp!.split(':').pop()!;
    const cli = async (name: string, ...args: string[]) => (await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', port(name), ...args], { timeout: 10_000 })).stdout.trim();
    assert.equal(await cli('n1', 'SET', 'a', '1'), 'OK');
    assert.equal(await cli('n2', 'GET', 'a'), '1');
    assert.match(await cli('n3', 'INFO', 'server'), /redis_version:/);
  });

  it('serves the TypeScript client library, with its nodes list', async () => {
    const client = new Client({ nodes: cluster.nodes.map((n) => n.info.http!) });
    await client.put('lib-key', 'from the client');
    const entry = await client.get('lib-key');
    assert.ok(entry !== null);
    assert.equal(Buffer.from(entry.value).toString(), 'from the client');
    assert.equal(await client.get('lib-missing'), null);
    assert.equal(await client.delete('lib-key'), true);
    assert.equal(await client.get('lib-key', { consistency: 'all' }), null);
    const members = await client.members();
    assert.equal(members.length, 3);
    await client.close();
  });

  it('answers the CLI verbs and exports the client as ringkv/client', async () => {
    const http = cluster.node('n2').info.http!;
    const ringkv = async (...args: string[]) => (await execFileAsync(process.execPath, [ringkvBinPath, ...args, '--node', http], { timeout: 20_000 })).stdout;
    assert.match(await ringkv('put', 'cli-key', 'cli value'), /^OK /);
    assert.equal(await ringkv('get', 'cli-key'), 'cli value');
    assert.match(await ringkv('members'), /n1[\s\S]*alive/);
    assert.match(await ringkv('ring'), /replication factor 3/);
    assert.equal(await ringkv('delete', 'cli-key'), 'deleted\n');
    const missing = spawnSync(process.execPath, [ringkvBinPath, 'get', 'cli-key', '--node', http], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /KV_ERR_NOT_FOUND/);
    const exported = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('ringkv/client'); console.log(typeof m.Client)"], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(exported.stdout.trim(), 'function', exported.stderr);
  });

  it('exposes /health, /v1/ring and Prometheus /metrics', async () => {
    const http = cluster.node('n1').info.http!;
    const health = await fetch(`http://${http}/health`);
    assert.equal(health.status, 200);
    const ring = (await (await fetch(`http://${http}/v1/ring`)).json()) as { nodes: Array<{ name: string; primaryShare: number }> };
    assert.deepEqual(ring.nodes.map((n) => n.name).sort(), ['n1', 'n2', 'n3']);
    const share = ring.nodes.reduce((s, n) => s + n.primaryShare, 0);
    assert.ok(Math.abs(share - 1) < 1e-9, `shares sum to ${share}`);
    const metrics = await (await fetch(`http://${http}/metrics`)).text();
    assert.match(metrics, /^ringkv_members\{state="alive"\} 3$/m);
    const families = parsePrometheusText(metrics);
    const required = [
      // membership
      'ringkv_members', 'ringkv_membership_probes_total', 'ringkv_membership_probes_failed_total', 'ringkv_membership_suspicions_total',
      'ringkv_membership_refutations_total', 'ringkv_awareness_score', 'ringkv_incarnation',
      'ringkv_transport_udp_sent_total', 'ringkv_transport_udp_sent_bytes_total', 'ringkv_transport_udp_received_total', 'ringkv_transport_udp_received_bytes_total',
      'ringkv_transport_tcp_sent_total', 'ringkv_transport_tcp_received_bytes_total', 'ringkv_transport_udp_open_failures_total', 'ringkv_wire_decode_errors_total',
      // kv
      'ringkv_kv_requests_total', 'ringkv_kv_request_duration_seconds', 'ringkv_kv_hints_stored_total', 'ringkv_kv_hints_replayed_total',
      'ringkv_kv_read_repairs_total', 'ringkv_kv_speculative_retries_total', 'ringkv_kv_anti_entropy_repaired_total', 'ringkv_kv_keys', 'ringkv_kv_bytes',
      // process
      'ringkv_process_cpu_seconds_total', 'ringkv_process_resident_memory_bytes',
    ];
    for (const name of required) assert.ok(families.has(name), `metric family ${name} missing`);
    const requests = families.get('ringkv_kv_requests_total')!;
    assert.equal(requests.type, 'counter');
    assert.ok(requests.samples.some((s) => s.labels['op'] === 'put' && s.labels['outcome'] === 'ok' && 'consistency' in s.labels), 'requests by op, outcome and consistency');
    assert.equal(families.get('ringkv_kv_request_duration_seconds')!.type, 'histogram');
  });

  it('a graceful leave (SIGTERM) is seen as "left" by the others', async () => {
    const n3 = cluster.node('n3');
    const status = await n3.process.stop('SIGTERM', 15_000);
    assert.equal(status, 0, n3.process.lastLines());
    await waitFor('n1 and n2 to see n3 left', async () => {
      for (const name of ['n1', 'n2']) if ((await memberStates(cluster.node(name).info.http!)).get('n3') !== 'left') return false;
      return true;
    });
  });
});

describe('ringkv start refuses bad configuration', () => {
  it('exits 2 with a message naming the field', () => {
    const run = spawnSync(process.execPath, [ringkvBinPath, 'start', '--bind', 'not-an-address', '--data-dir', '/tmp/never-created'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /bind/);
    const bad = spawnSync(process.execPath, [ringkvBinPath, 'start', '--set', 'membership.probeTimeoutMs=5000', '--data-dir', '/tmp/never-created'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /probeTimeoutMs/);
    const unknown = spawnSync(process.execPath, [ringkvBinPath, 'start', '--set', 'kv.replicas=3', '--data-dir', '/tmp/never-created'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /kv\.replicas: unknown field/);
  });
});
