/**
 * `ringkv cluster --nodes 5`: a local cluster for trying ringkv: N `ringkv start` processes on
 * 127.0.0.1, node i with gossip port base+i-1, HTTP port httpBase+i-1, RESP port respBase+i-1 and
 * its own data directory (kept between runs, so data survives a restart of the cluster). Node 1
 * starts a new cluster; the others join through it. Prints every endpoint and how to use them,
 * then waits; Ctrl-C (or SIGTERM) stops every node gracefully.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LocalNode } from '../local-node.js';
import type { ReadyInfo } from '../local-node.js';
import { UsageError, parseIntegerOption } from './options.js';

/** Most nodes a local cluster starts (each is a process of ~60-100 MB). */
export const clusterNodesMax = 64;
/** How long each node may take to log `ready`. */
const nodeReadyTimeoutMs = 30_000;

interface ClusterFlags {
  readonly nodes: string;
  readonly gossipPort: string;
  readonly httpPort: string;
  readonly respPort: string;
  readonly dataDir: string;
  readonly encryptKey?: string;
  readonly set?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerClusterCommand(program: Command): void {
  program
    .command('cluster')
    .description('Start a local cluster of N node processes on 127.0.0.1 (Ctrl-C stops them all)')
    .option('--nodes <n>', 'how many nodes', '5')
    .option('--gossip-port <port>', 'gossip port of node 1 (node i uses port+i-1)', '7946')
    .option('--http-port <port>', 'HTTP API port of node 1', '8081')
    .option('--resp-port <port>', 'RESP (Redis protocol) port of node 1', '6381')
    .option('--data-dir <dir>', 'parent of the nodes\' data directories', '.ringkv/cluster')
    .option('--encrypt-key <base64>', 'encrypt gossip and peer traffic with this key (see `ringkv keygen`)')
    .option('--set <field=value>', 'passed to every node (see `ringkv start --help`)', collect)
    .action(async (flags: ClusterFlags) => {
      const n = parseIntegerOption('--nodes', flags.nodes, 1, clusterNodesMax);
      const gossipBase = parseIntegerOption('--gossip-port', flags.gossipPort, 1, 65_535 - n);
      const httpBase = parseIntegerOption('--http-port', flags.httpPort, 1, 65_535 - n);
      const respBase = parseIntegerOption('--resp-port', flags.respPort, 1, 65_535 - n);
      const ranges = [gossipBase, httpBase, respBase].map((b) => [b, b + n - 1] as const);
      for (let i = 0; i < ranges.length; i++) {
        for (let j = i + 1; j < ranges.length; j++) {
          if (ranges[i]![0] <= ranges[j]![1] && ranges[j]![0] <= ranges[i]![1]) throw new UsageError('--gossip-port, --http-port and --resp-port ranges overlap');
        }
      }
      const dataDir = resolve(flags.dataDir);
      mkdirSync(dataDir, { recursive: true });
      const nodes: LocalNode[] = [];
      let stopping = false;
      const stopAll = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        process.stdout.write('\nstopping all nodes (graceful leave)...\n');
        const statuses = await Promise.all(nodes.map((node) => node.stop('SIGTERM')));
        process.stdout.write(`stopped ${nodes.length} nodes (exit ${statuses.join(', ')})\n`);
      };
      // Nodes run in their own process groups: never leave one behind if we exit some other way.
      process.on('exit', () => {
        for (const node of nodes) if (node.running) node.process.kill('SIGKILL');
      });
      process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
      process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));

      const seed = `127.0.0.1:${gossipBase}`;
      const ready: ReadyInfo[] = [];
      process.stdout.write(`starting ${n} nodes (logs and data under ${dataDir})\n`);
      for (let i = 1; i <= n; i++) {
        const name = `node-${i}`;
        const args = [
          '--bind', `127.0.0.1:${gossipBase + i - 1}`,
          '--data-dir', join(dataDir, name),
          '--http-port', String(httpBase + i - 1),
          '--resp-port', String(respBase + i - 1),
          ...(i === 1 ? [] : ['--join', seed]),
          ...(flags.encryptKey === undefined ? [] : ['--encrypt-key', flags.encryptKey]),
          ...(flags.set ?? []).flatMap((s) => ['--set', s]),
        ];
        const node = new LocalNode({ name, args, logFile: join(dataDir, `${name}.log`), detached: true });
        nodes.push(node);
        try {
          ready.push(await node.ready(nodeReadyTimeoutMs));
        } catch (error) {
          process.stderr.write(`ringkv cluster: ${(error as Error).message}\n`);
          await stopAll();
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`  ${name} ready\n`);
        // A node that dies later is reported, the others keep running.
        void node.exited.then((status) => {
          if (!stopping) process.stdout.write(`${name} exited (${status}); see ${join(dataDir, `${name}.log`)}\n`);
        });
      }
      process.stdout.write(`\n${formatEndpoints(ready)}\n${usage(ready[0]!, ready[1] ?? ready[0]!)}\n`);
    });
}

function formatEndpoints(ready: readonly ReadyInfo[]): string {
  const rows = [['node', 'gossip (udp+tcp)', 'http', 'resp (redis)', 'pid'], ...ready.map((r) => [r.name, r.gossip, r.http ?? '-', r.resp ?? '-', String(r.pid)])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

function usage(first: ReadyInfo, second: ReadyInfo): string {
  const respPort = (r: ReadyInfo) => r.resp?.slice(r.resp.lastIndexOf(':') + 1) ?? '';
  return [
    'try it:',
    `  redis-cli -p ${respPort(first)} SET greeting hello`,
    `  redis-cli -p ${respPort(second)} GET greeting`,
    `  curl -X PUT --data-binary 'world' http://${first.http}/v1/kv/greeting`,
    `  curl http://${second.http}/v1/kv/greeting`,
    `  curl http://${first.http}/v1/members`,
    `  npx ringkv get greeting --node ${second.http}`,
    `  open http://${first.http}/ for the dashboard; metrics at http://${first.http}/metrics`,
    'press Ctrl-C to stop all nodes',
  ].join('\n');
}
