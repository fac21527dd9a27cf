/**
 * The detection / bandwidth / accuracy trade-off of SWIM's suspicion timeout, in the simulator:
 * for each suspicionMult (and optional other overrides), N and datagram loss, runs seeded
 * membership scenarios (one crash) and prints medians of the time until the LAST survivor marks
 * the crashed node dead, UDP bytes and datagrams per node per second, and false positives.
 * Probe interval and timeout stay at memberlist's LAN values (1 s / 500 ms).
 *
 *   node dist/scripts/swim-tuning.js --mult 1,2,3,4 --nodes 20,50,100 --loss 0,0.1,0.2 --seeds 1..5
 */
import { Command } from 'commander';
import { SwimProtocol } from '../src/membership/swim/index.js';
import type { SwimConfig } from '../src/membership/swim/index.js';
import { runMembershipSim } from '../src/sim/membership-run.js';
import type { MembershipFactory, MembershipProtocolName } from '../src/sim/membership-run.js';
import { gossipFactory } from '../src/sim/protocols.js';

const program = new Command()
  .option('--mult <list>', 'suspicionMult values', '1,2,3,4')
  .option('--nodes <list>', 'cluster sizes', '20,50,100')
  .option('--loss <list>', 'datagram loss probabilities', '0,0.1,0.2')
  .option('--seeds <a..b>', 'seed range', '1..5')
  .option('--duration-ms <ms>', 'virtual run length', '60000')
  .option('--set <field=value>', 'extra SWIM overrides (repeatable)', (v: string, p: string[] = []) => [...p, v])
  .parse();
const o = program.opts<{ mult: string; nodes: string; loss: string; seeds: string; durationMs: string; set?: string[] }>();
const list = (s: string) => s.split(',').map(Number);
const [from, to] = o.seeds.split('..').map(Number) as [number, number];
const extra: Partial<Record<keyof SwimConfig, number | boolean>> = {};
for (const s of o.set ?? []) {
  const [k, v] = s.split('=') as [keyof SwimConfig, string];
  extra[k] = v === 'true' ? true : v === 'false' ? false : Number(v);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
};

console.log('| suspicionMult | N | loss | last survivor marks dead (s) | first (s) | UDP datagrams / node / s | UDP bytes / node / s | false positives (sum) | runs |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const mult of list(o.mult)) {
  const config = { suspicionMult: mult, ...extra } as Partial<SwimConfig>;
  const swim: MembershipFactory = (ctx) => new SwimProtocol({ self: { name: ctx.name, addr: ctx.addr }, rng: ctx.rng, registry: ctx.registry, initialIncarnation: ctx.incarnation, config });
  const protocols: Record<MembershipProtocolName, MembershipFactory> = { swim, gossip: gossipFactory };
  for (const nodes of list(o.nodes)) {
    for (const loss of list(o.loss)) {
      const last: number[] = [];
      const first: number[] = [];
      const dgrams: number[] = [];
      const bytes: number[] = [];
      let fp = 0;
      for (let seed = from; seed <= to; seed++) {
        const r = runMembershipSim({ nodes, seed, protocol: 'swim', protocols, durationMs: Number(o.durationMs), loss, fail: { count: 1 } });
        if (r.detection.lastMs !== null) last.push(r.detection.lastMs);
        if (r.detection.firstMs !== null) first.push(r.detection.firstMs);
        dgrams.push(r.traffic.datagramsPerNodePerSec);
        bytes.push(r.traffic.datagramBytesPerNodePerSec);
        fp += r.accuracy.falsePositives;
      }
      console.log(`| ${mult} | ${nodes} | ${loss * 100} % | ${(median(last) / 1000).toFixed(1)} | ${(median(first) / 1000).toFixed(1)} | ${median(dgrams).toFixed(2)} | ${median(bytes).toFixed(0)} | ${fp} | ${to - from + 1} |`);
    }
  }
}
