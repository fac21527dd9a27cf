import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/rng.js';
import { NameRegistry } from '../../../src/membership/registry.js';
import { SwimProtocol } from '../../../src/membership/swim/index.js';
import { Pump, refOf, refs } from './helpers.js';

/** Heap plus typed-array backing stores, in MiB. */
function usedMiB(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / (1024 * 1024);
}

describe('scale smoke test (architecture §6: 10,000 nodes in one process)', () => {
  it('2,000 instances share one registry with converged views and run 5 simulated seconds (seed 61)', (t) => {
    const count = 2000;
    const before = usedMiB();
    const started = process.hrtime.bigint();
    const registry = new NameRegistry();
    const all = refs(count);
    for (const r of all) registry.intern(r.name, r.addr);
    // Packets still go through the real codec; invariant checks are O(N) at this size, so off.
    const pump = new Pump(1, '', false);
    const nodes: SwimProtocol[] = [];
    for (let i = 0; i < count; i++) nodes.push(pump.add(new SwimProtocol({ self: refOf(i), rng: Rng.child(61, i), registry })));
    for (const n of nodes) pump.input(n.self.addr, { kind: 'start', seeds: [], knownMembers: all });
    const afterStart = usedMiB();
    const builtMs = Number(process.hrtime.bigint() - started) / 1e6;
    pump.runUntil(5_000);
    const ranMs = Number(process.hrtime.bigint() - started) / 1e6 - builtMs;
    t.diagnostic(`instances=${count} heapDelta=${(afterStart - before).toFixed(1)}MiB (${(((afterStart - before) * 1024) / count).toFixed(1)} KiB/node) build=${builtMs.toFixed(0)}ms run5s=${ranMs.toFixed(0)}ms packets=${pump.packetsSent}`);
    for (const i of [0, 1, 999, 1999]) {
      const n = nodes[i]!;
      assert.equal(n.liveCount(), count, `seed 61: node ${i} sees ${n.liveCount()} live`);
      n.checkInvariantsDeep();
    }
    assert.equal(pump.eventsOf('suspect').length, 0, 'seed 61: no false suspicion in a healthy cluster');
    // About one probe (ping + ack) per node per second, nothing else while the cluster is idle.
    assert.ok(pump.packetsSent <= count * 2 * 6, `seed 61: ${pump.packetsSent} packets in 5 s`);
    // Generous bound: the tables need ~9 bytes per member per node (36 MB here) plus overheads.
    assert.ok(afterStart - before < 400, `seed 61: ${(afterStart - before).toFixed(0)} MiB for ${count} nodes`);
  });
});
