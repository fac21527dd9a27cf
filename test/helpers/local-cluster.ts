/**
 * Real ringkv processes on 127.0.0.1 for integration tests: every node binds port 0 (gossip,
 * HTTP, RESP) and reports its ports in its `ready` log line; later nodes join through the first.
 * Waiting is always on a condition with a bound (`waitFor`), never a fixed sleep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalNode } from '../../src/cli/local-node.js';
import type { ReadyInfo } from '../../src/cli/local-node.js';

/** Fast membership timing for tests on loopback (detection in a few seconds). */
export const fastMembershipArgs = ['--set', 'membership.probeIntervalMs=300', '--set', 'membership.probeTimeoutMs=150', '--set', 'membership.gossipIntervalMs=100', '--set', 'leaveTimeoutMs=2000'];

export interface ClusterNode {
  readonly name: string;
  readonly dataDir: string;
  process: LocalNode;
  info: ReadyInfo;
}

export class LocalCluster {
  readonly root: string;
  readonly nodes: ClusterNode[] = [];

  constructor(
    readonly label: string,
    private readonly extraArgs: readonly string[] = fastMembershipArgs,
  ) {
    this.root = mkdtempSync(join(tmpdir(), `ringkv-${label}-`));
  }

  /** Starts a node joining through `join` (default: the first node, if any) and waits for `ready`. */
  async add(name: string, options: { join?: string | null; args?: readonly string[]; gossipPort?: number } = {}): Promise<ClusterNode> {
    const dataDir = join(this.root, name);
    const join_ = options.join === undefined ? this.nodes[0]?.info.gossip : options.join ?? undefined;
    const node = new LocalNode({ name, args: this.args(dataDir, join_, options.gossipPort ?? 0, options.args ?? []), logFile: join(this.root, `${name}.log`) });
    const info = await node.ready(20_000);
    const entry: ClusterNode = { name, dataDir, process: node, info };
    this.nodes.push(entry);
    return entry;
  }

  /** Restarts a stopped node with the same name, data directory and gossip port. */
  async restart(node: ClusterNode, options: { join?: string; args?: readonly string[] } = {}): Promise<void> {
    if (node.process.running) throw new Error(`${node.name} is still running`);
    const port = Number(node.info.gossip.slice(node.info.gossip.lastIndexOf(':') + 1));
    const seed = options.join ?? this.nodes.find((n) => n !== node && n.process.running)?.info.gossip;
    node.process = new LocalNode({ name: node.name, args: this.args(node.dataDir, seed, port, options.args ?? []), logFile: join(this.root, `${node.name}.log`) });
    node.info = await node.process.ready(20_000);
  }

  node(name: string): ClusterNode {
    const n = this.nodes.find((x) => x.name === name);
    if (n === undefined) throw new Error(`no node ${name}`);
    return n;
  }

  running(): ClusterNode[] {
    return this.nodes.filter((n) => n.process.running);
  }

  /** SIGKILLs every node still running and removes the data unless KEEP_TEST_DATA is set. */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.process.stop('SIGKILL', 5_000)));
    if (process.env['KEEP_TEST_DATA'] === undefined) rmSync(this.root, { recursive: true, force: true });
    else console.log(`test data kept in ${this.root}`);
  }

  /** Log tails of every node, for failure messages. */
  logs(): string {
    return this.nodes.map((n) => `--- ${n.name}\n${n.process.lastLines()}`).join('\n');
  }

  private args(dataDir: string, join_: string | undefined, gossipPort: number, extra: readonly string[]): string[] {
    return [
      '--bind', `127.0.0.1:${gossipPort}`,
      '--data-dir', dataDir,
      '--http-port', '0',
      '--resp-port', '0',
      '--log-level', 'info',
      ...(join_ === undefined ? [] : ['--join', join_]),
      ...this.extraArgs,
      ...extra,
    ];
  }
}

/** Polls `condition` (sync or async) until it returns true; rejects with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, pollMs = 50): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** GET a JSON document from a node's HTTP API. */
export async function getJson<T>(http: string, path: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`http://${http}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${path} on ${http}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface MemberJson {
  readonly name: string;
  readonly state: string;
  readonly incarnation: number;
}

/** The state of every member as `http` sees it, by name. */
export async function memberStates(http: string): Promise<Map<string, string>> {
  const body = await getJson<{ members: MemberJson[] }>(http, '/v1/members');
  return new Map(body.members.map((m) => [m.name, m.state]));
}
