/**
 * `npm run bench -- kv`: for each cluster size, start a local cluster of `ringkv start` processes,
 * then `--runs` rounds of: redis-benchmark SET/GET (unpipelined and pipelined) and HTTP PUT/GET
 * (wrk by default, or the node:http client of http-load.ts with `--http-client node`),
 * and, with `--latency-clients`, unpipelined SET/GET at each further client count (rate and
 * latency against load), all against node 1. One cluster per size for all its rounds (start-up
 * is not what is measured).
 */
import type { Command } from 'commander';
import { runtimeDefaults } from '../../src/runtime/config.js';
import { machineHeader } from '../lib/machine.js';
import { markdownHeader, markdownRow } from '../lib/table.js';
import { parseIntOption, parseNumberList } from '../lib/stats.js';
import { KvCluster } from './cluster.js';
import { runHttpLoad } from './http-load.js';
import { nodeCommitSeconds } from './metrics.js';
import { runRedisBenchmark } from './redis-benchmark.js';
import { runWrk } from './wrk.js';
import { kvHeaders, kvRows, kvTable, unpipelinedClient } from './report.js';
import type { KvRow } from './report.js';

/** Largest cluster the benchmark starts (each node is a process of ~60-100 MB). */
const kvClusterNodesMax = 16;
/** Largest request count per test. */
const requestsMax = 10_000_000;
/** Value size of the HTTP PUTs, in bytes (redis-benchmark's default -d is 3 bytes). */
const httpValueBytes = 3;
/** Longest wrk test, in s. */
const httpDurationSMax = 3_600;

interface Flags {
  readonly nodes: string;
  readonly runs: string;
  readonly requests: string;
  readonly clients: string;
  readonly pipeline: string;
  readonly keyspace: string;
  readonly httpRequests: string;
  readonly httpConnections: string;
  readonly httpClient: string;
  readonly httpDuration: string;
  readonly warmup: string;
  readonly latencyClients?: string;
  readonly latencyRequests: string;
  readonly storageSync: string;
  readonly set: readonly string[];
}

/** Most `--set` options one bench run passes on. */
const nodeSettingsMax = 32;

function collectSetting(value: string, previous: readonly string[]): string[] {
  if (!/^[A-Za-z][\w.]*=/.test(value)) throw new Error(`--set needs field=value, not ${JSON.stringify(value)}`);
  if (previous.length >= nodeSettingsMax) throw new Error(`at most ${nodeSettingsMax} --set options`);
  return [...previous, value];
}

export function registerKvBench(program: Command): void {
  program
    .command('kv')
    .description('local clusters of ringkv processes under redis-benchmark (RESP) and an HTTP keep-alive load, against one node')
    .option('--nodes <list>', 'cluster sizes', '3,5')
    .option('--runs <n>', 'rounds per cluster (the table shows medians)', '3')
    .option('--requests <n>', 'redis-benchmark requests per test (-n)', '100000')
    .option('--clients <n>', 'redis-benchmark connections (-c)', '50')
    .option('--pipeline <n>', 'pipeline depth of the pipelined redis-benchmark round (-P)', '16')
    .option('--keyspace <n>', 'random keys (-r for redis-benchmark, key-i mod n for HTTP); 0 = redis-benchmark\'s single key', '100000')
    .option('--http-client <client>', 'HTTP load generator: wrk (C, one thread, timed) or node (node:http in this process, counted requests)', 'wrk')
    .option('--http-duration <s>', 'seconds per HTTP test with wrk', '8')
    .option('--http-requests <n>', 'HTTP requests per test with the node client', '50000')
    .option('--http-connections <n>', 'HTTP keep-alive connections', '48')
    .option('--storage-sync <mode>', 'the nodes\' storageSync: wal (write-ahead log fsynced per group of batches, LMDB checkpoints), background (LMDB commit and fsync off the event loop) or commit (LMDB fsync on the event loop)', runtimeDefaults.storageSync)
    .option('--set <field=value>', 'passed to every node as `ringkv start --set` (repeatable; e.g. kv.readSpeculativeRetryMs=0)', collectSetting, [] as string[])
    .option('--latency-clients <list>', 'also unpipelined SET/GET at each of these client counts per round (latency against load), e.g. 1,5,10,20,100')
    .option('--latency-requests <n>', 'redis-benchmark requests per test of the latency rounds', '20000')
    .option('--warmup <n>', 'unrecorded requests per test type before the first round (JIT warm-up of the nodes); 0 = none', '10000')
    .action(async (flags: Flags) => {
      const sizes = parseNumberList('--nodes', flags.nodes).map((n) => parseIntOption('--nodes', String(n), 1, kvClusterNodesMax));
      const runs = parseIntOption('--runs', flags.runs, 1, 100);
      const requests = parseIntOption('--requests', flags.requests, 1, requestsMax);
      const clients = parseIntOption('--clients', flags.clients, 1, 10_000);
      const pipeline = parseIntOption('--pipeline', flags.pipeline, 1, 1_000);
      const keyspace = parseIntOption('--keyspace', flags.keyspace, 0, requestsMax);
      const httpRequests = parseIntOption('--http-requests', flags.httpRequests, 1, requestsMax);
      const httpConnections = parseIntOption('--http-connections', flags.httpConnections, 1, 10_000);
      const httpDurationS = parseIntOption('--http-duration', flags.httpDuration, 1, httpDurationSMax);
      if (flags.httpClient !== 'wrk' && flags.httpClient !== 'node') throw new Error(`--http-client must be wrk or node, not ${flags.httpClient}`);
      const httpKeyspace = keyspace > 0 ? keyspace : 1;
      const warmup = parseIntOption('--warmup', flags.warmup, 0, requestsMax);
      // The main client count is measured anyway; listing it again would only double its rows.
      const latencyClients = flags.latencyClients === undefined ? [] : parseNumberList('--latency-clients', flags.latencyClients).map((n) => parseIntOption('--latency-clients', String(n), 1, 10_000)).filter((c) => c !== clients);
      const latencyRequests = parseIntOption('--latency-requests', flags.latencyRequests, 1, requestsMax);
      if (!['background', 'wal', 'commit'].includes(flags.storageSync)) throw new Error(`--storage-sync must be background, wal or commit, not ${flags.storageSync}`);

      console.log(machineHeader('ringkv KV benchmark (local cluster of ringkv processes)'));
      console.log(`\nclients run on the same machine as the nodes and compete for its cores; every test targets node 1; storageSync ${flags.storageSync} (every reply and ack waits for its fsync)${flags.set.length > 0 ? `; node settings ${flags.set.join(' ')}` : ''}; targets judged on unpipelined rows\n`);
      console.log(markdownHeader(['run', ...kvHeaders.slice(0, 6), 'errors']));
      const rows: KvRow[] = [];
      const targetClient = unpipelinedClient(clients);
      const commitLines: string[] = [];
      for (const size of sizes) {
        const cluster = new KvCluster();
        const onExit = (): void => cluster.killNow();
        process.on('exit', onExit);
        try {
          await cluster.start(size, ['--set', `storageSync=${flags.storageSync}`, ...flags.set.flatMap((setting) => ['--set', setting])]);
          const node = cluster.ready[0]!;
          const respPort = Number(node.resp!.slice(node.resp!.lastIndexOf(':') + 1));
          const name = `${size} node${size === 1 ? '' : 's'}`;
          // Fresh processes run their first requests in V8's interpreter: without a warm-up the
          // first test of round 1 measures the JIT, not the node.
          if (warmup > 0) {
            await runRedisBenchmark({ port: respPort, http: node.http!, requests: warmup, clients, pipeline: 1, keyspace });
            await runHttpLoad({ http: node.http!, method: 'PUT', connections: httpConnections, requests: warmup, keyspace: keyspace > 0 ? keyspace : 1, valueBytes: httpValueBytes });
          }
          for (let run = 1; run <= runs; run++) {
            // How long each node's event loop sat in commits during the unpipelined SET/GET tests.
            const commitBefore = await Promise.all(cluster.ready.map((r) => nodeCommitSeconds(r.http!)));
            const windowStart = performance.now();
            const unpipelined = await runRedisBenchmark({ port: respPort, http: node.http!, requests, clients, pipeline: 1, keyspace });
            const windowS = (performance.now() - windowStart) / 1000;
            const commitAfter = await Promise.all(cluster.ready.map((r) => nodeCommitSeconds(r.http!)));
            const blocked = commitAfter.map((after, i) => `${cluster.ready[i]!.name} ${(((after - commitBefore[i]!) * 1000) / windowS).toFixed(1)}`);
            commitLines.push(`${name}, run ${run}: event loop in storage commits during the unpipelined SET+GET tests, ms per s: ${blocked.join(', ')}`);
            const round = [...unpipelined, ...(await runRedisBenchmark({ port: respPort, http: node.http!, requests, clients, pipeline, keyspace }))];
            // PUT first, so the GETs read keys that exist (only as many as the PUTs wrote).
            if (flags.httpClient === 'wrk') {
              const put = await runWrk({ http: node.http!, method: 'PUT', connections: httpConnections, durationS: httpDurationS, keyspace: httpKeyspace, valueBytes: httpValueBytes });
              const get = await runWrk({ http: node.http!, method: 'GET', connections: httpConnections, durationS: httpDurationS, keyspace: Math.max(1, Math.min(httpKeyspace, put.requests)), valueBytes: httpValueBytes });
              round.push(put, get);
            } else {
              round.push(await runHttpLoad({ http: node.http!, method: 'PUT', connections: httpConnections, requests: httpRequests, keyspace: httpKeyspace, valueBytes: httpValueBytes }));
              round.push(await runHttpLoad({ http: node.http!, method: 'GET', connections: httpConnections, requests: httpRequests, keyspace: Math.min(httpKeyspace, httpRequests), valueBytes: httpValueBytes }));
            }
            for (const c of latencyClients) round.push(...(await runRedisBenchmark({ port: respPort, http: node.http!, requests: latencyRequests, clients: c, pipeline: 1, keyspace })));
            const named = round.map((m) => ({ ...m, cluster: name }));
            rows.push(...named);
            for (const row of kvRows(named, targetClient)) console.log(markdownRow([String(run), ...row.slice(0, 7)]));
          }
        } finally {
          await cluster.stop();
          process.off('exit', onExit);
        }
      }
      console.log(`\nMedians over ${runs} run(s)\n`);
      console.log(kvTable(rows, targetClient));
      console.log(`\n${commitLines.join('\n')}`);
    });
}
