/**
 * A node restarted with its disk keeps its data, and its hybrid logical clock resumes above the
 * newest version it stored (docs/consistency.md, "Versions"), so a write it coordinates after the
 * restart can never lose last-writer-wins to one from before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareHlc } from '../../src/kv/hlc.js';
import { MemoryStorage } from '../../src/kv/memory-storage.js';
import { valueRecord } from '../../src/kv/record.js';
import { compareVersions } from '../../src/kv/version.js';
import { Rng } from '../../src/lib/rng.js';
import { NodeCore } from '../../src/node/node-core.js';
import { newestStoredVersion } from '../../src/node/storage-clock.js';
import type { NodeOutput } from '../../src/node/types.js';
import { Cluster, bytes, convergedAtMs, text } from './cluster.js';

const seed = 53;

describe('restart with keepDisk', () => {
  it('keeps its data, rejoins, coordinates again, and its clock moves forward', () => {
    const c = new Cluster({ seed, nodes: 10 });
    c.sim.runUntil(convergedAtMs);
    const victim = 'n4';
    const keys: string[] = [];
    for (let i = 0; i < 30; i++) {
      const key = `r${i}`;
      keys.push(key);
      assert.equal(c.run(`n${i % 4}`, { type: 'put', key, value: bytes(`v${i}`) }).result.ok, true, `seed=${seed}`);
    }
    c.sim.runFor(200);
    const disk = c.storages.get(victim)!;
    const held = disk.size;
    assert.ok(held > 0, `seed=${seed}: ${victim} is a replica of some keys`);
    const before = newestStoredVersion(disk);
    const oldCore = c.core(victim);
    c.sim.crash(victim);
    c.sim.runFor(500);
    c.sim.restart(victim, { keepDisk: true });
    const newCore = c.core(victim);
    assert.notEqual(newCore, oldCore);
    assert.equal(newCore.storage, disk, `seed=${seed}: the same disk`);
    // The restored clock stands at the newest stored (physicalMs, logical); its next version is above it.
    assert.ok(compareHlc({ ...newCore.clock(), nodeId: 0xffff_ffff }, before) >= 0, `seed=${seed}: restored clock ${JSON.stringify(newCore.clock())} vs newest stored ${JSON.stringify(before)}`);
    c.sim.runFor(5_000);
    assert.equal(c.ringSize(victim), 10, `seed=${seed}: rejoined`);
    assert.ok(disk.size >= held, `seed=${seed}: kept its ${held} keys (now ${disk.size})`);
    const key = keys.find((k) => c.replicasOf(k).includes(victim))!;
    const r = c.run(victim, { type: 'read', key });
    assert.equal(r.result.ok, true, `seed=${seed}: ${JSON.stringify(r.result)}`);
    const w = c.run(victim, { type: 'put', key, value: bytes('after-restart') });
    assert.ok(w.result.ok && compareVersions(w.result.version!, before) > 0, `seed=${seed}: new writes are newer than anything stored`);
    const r9 = c.run('n9', { type: 'read', key });
    assert.equal(r9.result.ok && text(r9.result.value), 'after-restart', `seed=${seed}`);
  });

  it('a fresh core over a store with versions "from the future" issues versions above them', () => {
    const disk = new MemoryStorage();
    const future = { physicalMs: 9_000_000, logical: 17, nodeId: 3 };
    disk.apply('k', valueRecord(bytes('old'), future));
    const core = new NodeCore({ self: { name: 'a', addr: '10.0.0.1:7946' }, rng: new Rng(seed), storage: disk });
    assert.ok(compareHlc(core.clock(), { ...future, nodeId: 0 }) >= 0, JSON.stringify(core.clock()));
    const out: NodeOutput[] = [];
    core.handle({ kind: 'start', seeds: [] }, 0, out);
    core.handle({ kind: 'client', requestId: 1, op: { type: 'put', key: 'k', value: bytes('new'), consistency: 'one' } }, 5, out);
    const reply = out.find((o) => o.kind === 'reply');
    assert.ok(reply !== undefined && reply.kind === 'reply' && reply.result.ok && compareVersions(reply.result.version!, future) > 0, JSON.stringify(reply));
    assert.equal(text(disk.get('k')!.value), 'new', 'the write after the restart wins LWW');
  });
});
