/**
 * A k-node local cluster for the KV benchmark: `ringkv start` processes (src/cli/local-node.ts),
 * as a user runs them, with every port 0 and the data directories under a temp dir; the
 * default storage sync policy (one durable fsynced commit per event-loop batch, docs/storage.md).
 * Stop: SIGTERM (graceful leave), SIGKILL when a node does not exit in time; the temp dir is
 * removed in every case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalNode } from '../../src/cli/local-node.js';
import type { ReadyInfo } from '../../src/cli/local-node.js';
import { waitUntil } from '../lib/wait.js';

/** How long one node may take to log `ready`, in ms. */
const nodeReadyTimeoutMs = 30_000;
/** How long the nodes may take to see each other alive, in ms. */
const convergeTimeoutMs = 60_000;
/** Poll period of the convergence check, in ms. */
const convergePollMs = 250;
/** SIGTERM → SIGKILL escalation at the end, in ms. */
const stopTimeoutMs = 10_000;

export class KvCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'ringkv-bench-kv-'));
  readonly nodes: LocalNode[] = [];
  readonly ready: ReadyInfo[] = [];

  /**
   * Starts `count` nodes (node 1 starts the cluster, the others join through it) and waits until all
   * see all alive. `extraArgs` go to every `ringkv start` (e.g. `--set storageSync=commit`).
   */
  async start(count: number, extraArgs: readonly string[] = []): Promise<void> {
    for (let i = 1; i <= count; i++) {
      const name = `node-${i}`;
      const args = ['--bind', '127.0.0.1:0', '--data-dir', join(this.root, name), '--http-port', '0', '--resp-port', '0', ...(i === 1 ? [] : ['--join', this.ready[0]!.gossip]), ...extraArgs];
      // Own process group: a Ctrl-C on the bench reaches only the bench, whose `exit` hook kills the nodes.
      const node = new LocalNode({ name, args, logFile: join(this.root, `${name}.log`), detached: true });
      this.nodes.push(node);
      this.ready.push(await node.ready(nodeReadyTimeoutMs));
    }
    let alive: number[] = [];
    const converged = await waitUntil(() => alive.length === count && alive.every((a) => a === count), convergeTimeoutMs, convergePollMs, async () => {
      alive = await Promise.all(this.ready.map((r) => aliveMembers(r.http!)));
    });
    if (!converged) throw new Error(`${count} nodes did not converge within ${convergeTimeoutMs} ms (alive counts ${alive.join(', ')})`);
  }

  /** SIGTERM every node (SIGKILL after the bound), then remove the data. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop('SIGTERM', stopTimeoutMs)));
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Last resort on process exit: never leave node processes behind. */
  killNow(): void {
    for (const n of this.nodes) if (n.running) n.process.kill('SIGKILL');
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Alive members in the node's /health view, 0 when it does not answer. */
async function aliveMembers(http: string): Promise<number> {
  try {
    const res = await fetch(`http://${http}/health`);
    const body = (await res.json()) as { members?: { alive?: number } };
    return body.members?.alive ?? 0;
  } catch {
    return 0;
  }
}
