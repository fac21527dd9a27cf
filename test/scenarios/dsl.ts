/**
 * A small scenario language for golden-file tests (etcd raft's datadriven style). A file is a list
 * of blocks:
 *
 *     <command> [args...]
 *     ----
 *     <expected output lines>
 *     <blank line>
 *
 * Commands (times in virtual ms; nodes are named n0, n1, ...):
 *   cluster <protocol> nodes=<n> seed=<s> [latency=<min>..<max>]   new simulation, n0 founds, others join through n0
 *   run <ms>                      advance virtual time; prints the events that happened, one per line
 *   crash <node> | restart <node> | leave <node> | pause <node> <ms>
 *   loss <probability>            datagram loss on every link from now on
 *   partition <a,b,...> | <c,...> split into sides; `heal` removes it
 *   members <node>                that node's view: name state incarnation, sorted by name
 *   stats                         packets sent per node (total), to catch traffic regressions
 *
 * `UPDATE_GOLDEN=1 npm test` rewrites the expected output; only commit the change if you understand
 * what caused it.
 */
import type { MembershipProtocol } from '../../src/membership/types.js';
import { membershipProtocols } from '../../src/sim/protocols.js';
import { Simulation } from '../../src/sim/simulation.js';

export interface Block {
  readonly command: string;
  readonly expected: string;
}

export function parseScenario(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const command = line.trim();
    i++;
    if (lines[i] !== '----') throw new Error(`expected ---- after "${command}" at line ${i + 1}`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i] !== '') expected.push(lines[i++]!);
    blocks.push({ command, expected: expected.join('\n') });
  }
  return blocks;
}

export function formatScenario(blocks: readonly Block[]): string {
  return blocks.map((b) => `${b.command}\n----\n${b.expected}${b.expected === '' ? '' : '\n'}`).join('\n');
}

function describeEvent(event: { type: string } & Record<string, unknown>): string {
  const parts = [event.type];
  if (typeof event['member'] === 'string') parts.push(event['member']);
  if (typeof event['incarnation'] === 'number') parts.push(`inc=${event['incarnation']}`);
  if (typeof event['from'] === 'string') parts.push(`from=${event['from']}`);
  return parts.join(' ');
}

/** Runs one scenario file's commands and returns the actual output of each block. */
export class ScenarioRunner {
  private sim: Simulation<MembershipProtocol> | undefined;
  private pending: string[] = [];

  private get simulation(): Simulation<MembershipProtocol> {
    if (this.sim === undefined) throw new Error('no cluster yet: start with `cluster`');
    return this.sim;
  }

  execute(command: string): string {
    const [verb, ...args] = command.split(/\s+/);
    const kv = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));
    switch (verb) {
      case 'cluster':
        return this.cluster(args[0] ?? 'swim', Number(kv['nodes'] ?? 3), Number(kv['seed'] ?? 1), kv['latency']);
      case 'run': {
        const sim = this.simulation;
        sim.runUntil(sim.nowMs + Number(args[0]));
        const out = this.pending.join('\n');
        this.pending = [];
        return out;
      }
      case 'crash':
        this.simulation.crash(args[0]!);
        return '';
      case 'restart':
        this.simulation.restart(args[0]!);
        return '';
      case 'leave':
        this.simulation.leave(args[0]!);
        return '';
      case 'pause':
        this.simulation.pause(args[0]!, Number(args[1]));
        return '';
      case 'loss':
        this.simulation.setLoss(Number(args[0]));
        return '';
      case 'partition': {
        const sides = args.join(' ').split('|').map((s) => s.trim().split(',').filter((n) => n !== ''));
        this.simulation.partition(sides);
        return '';
      }
      case 'heal':
        this.simulation.heal();
        return '';
      case 'members':
        return this.simulation
          .node(args[0]!)
          .core.members()
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((m) => `${m.name} ${m.state} inc=${m.incarnation}`)
          .join('\n');
      case 'stats': {
        const sim = this.simulation;
        return sim.allNodes
          .map((n) => {
            const t = sim.traffic.of(n.index);
            return `${n.name} packets=${t.packet.packetsSent} bytes=${t.packet.bytesSent} stream-frames=${t.stream.packetsSent}`;
          })
          .join('\n');
      }
      default:
        throw new Error(`unknown command "${verb}"`);
    }
  }

  private cluster(protocol: string, nodes: number, seed: number, latency: string | undefined): string {
    const factory = membershipProtocols[protocol as 'swim' | 'gossip'];
    if (factory === undefined) throw new Error(`unknown protocol ${protocol}`);
    const [minMs, maxMs] = (latency ?? '1..5').split('..').map(Number);
    const sim = new Simulation<MembershipProtocol>({ seed, link: { latency: { kind: 'uniform', minMs: minMs!, maxMs: maxMs! } } });
    const founder = sim.addNode({ factory, name: 'n0', startAtMs: 0 });
    for (let i = 1; i < nodes; i++) sim.addNode({ factory, name: `n${i}`, startAtMs: i * 10, seeds: [founder.addr] });
    sim.onEvent((node, event, nowMs) => {
      this.pending.push(`${String(nowMs).padStart(6)} ${node}: ${describeEvent(event as { type: string } & Record<string, unknown>)}`);
    });
    this.sim = sim;
    return '';
  }
}
