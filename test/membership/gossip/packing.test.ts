/**
 * Packet-size bounds: heartbeat and join-rep messages never exceed one udpPacketBytesMax packet,
 * whatever the table size, and a table larger than a packet is covered by rotation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/rng.js';
import type { GossipTimer } from '../../../src/membership/gossip/index.js';
import { GossipProtocol } from '../../../src/membership/gossip/index.js';
import { packEntries } from '../../../src/membership/gossip/packing.js';
import type { MembershipOutput } from '../../../src/membership/types.js';
import { encodePacket, envelopeBytes, messageBytes } from '../../../src/wire/codec.js';
import { udpPacketBytesMax } from '../../../src/wire/limits.js';
import type { HeartbeatEntry, HeartbeatMsg, JoinReplyMsg, Msg, NodeRef } from '../../../src/wire/types.js';

type Out = MembershipOutput<GossipTimer>[];

/** Long names and IPv6 addresses make entries large (about 100 bytes each). */
function bigRef(i: number): NodeRef {
  return { name: `member-with-a-rather-long-name-for-packing-tests-${String(i).padStart(5, '0')}`, addr: `[fd00::${i.toString(16)}]:7946` };
}

const label = 'production-cluster';

function gossipPackets(p: GossipProtocol, atMs: number): Msg[][] {
  const out: Out = [];
  p.handle({ kind: 'timer', timer: { type: 'gossip-round', epoch: 0 } }, atMs, out);
  return out.flatMap((o) => (o.kind === 'send' ? [o.msgs as Msg[]] : []));
}

describe('gossip packet bounds', () => {
  it('heartbeats from a 300-member table fit one packet and rotate through every member', () => {
    const seed = 61;
    const self = bigRef(0);
    const known = Array.from({ length: 300 }, (_, i) => bigRef(i));
    const p = new GossipProtocol({ self, rng: new Rng(seed), label });
    p.handle({ kind: 'start', seeds: [], knownMembers: known }, 0, []);
    assert.equal(p.liveCount(), 300);
    const covered = new Set<string>();
    for (let round = 1; round <= 40; round++) {
      const packets = gossipPackets(p, round * 50);
      assert.equal(packets.length, 3, `seed ${seed}: fanout`);
      for (const msgs of packets) {
        const bytes = encodePacket(msgs, { channel: 'packet', label });
        assert.ok(bytes.length <= udpPacketBytesMax, `seed ${seed}: ${bytes.length} bytes`);
        const hb = msgs[0] as HeartbeatMsg;
        assert.equal(hb.type, 'heartbeat');
        assert.equal(hb.entries[0]!.node.name, self.name, 'own entry first');
        assert.ok(hb.entries.length > 5 && hb.entries.length < 300, `seed ${seed}: ${hb.entries.length} entries`);
        for (const e of hb.entries) covered.add(e.node.name);
      }
    }
    assert.equal(covered.size, 300, `seed ${seed}: rotation covered ${covered.size} of 300`);
    assert.ok(p.stats.broadcastsDropped > 0);
    p.checkInvariants();
  });

  it('a join-rep fits one packet and carries the freshest entries first', () => {
    const seed = 62;
    const p = new GossipProtocol({ self: bigRef(0), rng: new Rng(seed), label });
    const known = Array.from({ length: 200 }, (_, i) => bigRef(i));
    p.handle({ kind: 'start', seeds: [], knownMembers: known }, 0, []);
    // Members 150..159 show progress later than everyone else.
    const fresh: HeartbeatMsg = { type: 'heartbeat', source: bigRef(150), entries: known.slice(150, 160).map((node) => ({ node, heartbeat: 7 })) };
    p.handle({ kind: 'packet', from: bigRef(150).addr, channel: 'packet', msgs: [fresh] }, 1_000, []);
    const out: Out = [];
    const joiner = bigRef(999);
    p.handle({ kind: 'packet', from: joiner.addr, channel: 'packet', msgs: [{ type: 'join-req', node: joiner, heartbeat: 0 }] }, 2_000, out);
    const rep = out.flatMap((o) => (o.kind === 'send' ? o.msgs : []))[0] as JoinReplyMsg;
    assert.equal(rep.type, 'join-rep');
    assert.ok(encodePacket([rep], { channel: 'packet', label }).length <= udpPacketBytesMax);
    assert.ok(rep.entries.length > 10 && rep.entries.length < 200);
    assert.equal(rep.entries[0]!.node.name, bigRef(0).name, 'the introducer itself first');
    const next = new Set(rep.entries.slice(1, 11).map((e) => e.node.name));
    for (let i = 150; i < 160; i++) assert.ok(next.has(bigRef(i).name), `fresh member ${i} not among the first entries`);
    assert.ok(!rep.entries.some((e) => e.node.name === joiner.name), 'the joiner is not told about itself');
  });

  it('packEntries is exact at the boundary and reports where a rotation continues', () => {
    const source = bigRef(0);
    const entries: HeartbeatEntry[] = Array.from({ length: 100 }, (_, i) => ({ node: bigRef(i), heartbeat: 2 ** 32 - 1 - i }));
    for (const budget of [200, 500, 1000, udpPacketBytesMax - envelopeBytes(label)]) {
      const { msg, consumed } = packEntries('heartbeat', source, entries, budget);
      assert.ok(messageBytes(msg) <= budget, `budget ${budget}`);
      assert.equal(consumed, msg.entries.length, `budget ${budget}: in-order entries of equal size`);
      const oneMore = { ...msg, entries: entries.slice(0, msg.entries.length + 1) };
      assert.ok(messageBytes(oneMore) > budget - 2, `budget ${budget}: could have fitted another entry`);
    }
  });
});
