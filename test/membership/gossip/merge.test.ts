/**
 * The merge rule and the bookkeeping around it, on single instances (course MP1: "a higher
 * heartbeat updates the entry and its local timestamp").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionError } from '../../../src/lib/assert.js';
import { Rng } from '../../../src/lib/rng.js';
import type { GossipConfig, GossipTimer } from '../../../src/membership/gossip/index.js';
import { GossipProtocol, defaultGossipConfig, heartbeatIncarnationStride, heartbeatStart, incarnationOf } from '../../../src/membership/gossip/index.js';
import type { MembershipEvent, MembershipOutput } from '../../../src/membership/types.js';
import type { HeartbeatMsg, Msg } from '../../../src/wire/types.js';

type Out = MembershipOutput<GossipTimer>[];

function addr(name: string): string {
  return `10.1.0.${name.charCodeAt(0) - 96}:7000`;
}

function gossipOf(entries: [string, number][]): HeartbeatMsg {
  const [first] = entries;
  assert.ok(first !== undefined);
  return { type: 'heartbeat', source: { name: first[0], addr: addr(first[0]) }, entries: entries.map(([n, hb]) => ({ node: { name: n, addr: addr(n) }, heartbeat: hb })) };
}

class One {
  readonly p: GossipProtocol;
  constructor(config: Partial<GossipConfig> = {}, initialIncarnation = 0) {
    this.p = new GossipProtocol({ self: { name: 'a', addr: addr('a') }, rng: new Rng(9), config, initialIncarnation, meta: new Uint8Array([1]) });
    this.p.handle({ kind: 'start', seeds: [] }, 0, []);
  }
  recv(atMs: number, ...msgs: Msg[]): MembershipEvent[] {
    const out: Out = [];
    this.p.handle({ kind: 'packet', from: addr('z'), channel: 'packet', msgs }, atMs, out);
    this.p.checkInvariants();
    return out.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
  }
  round(atMs: number): Out {
    const out: Out = [];
    this.p.handle({ kind: 'timer', timer: { type: 'gossip-round', epoch: 0 } }, atMs, out);
    this.p.checkInvariants();
    return out;
  }
}

function types(evs: MembershipEvent[]): string[] {
  return evs.map((e) => e.type);
}

describe('gossip merge rule', () => {
  it('a higher heartbeat refreshes the local timestamp; equal or lower ones do not', () => {
    const { failTimeoutMs } = defaultGossipConfig;
    const one = new One();
    assert.deepEqual(types(one.recv(0, gossipOf([['b', 10]]))), ['join']);
    assert.deepEqual(types(one.recv(3_000, gossipOf([['b', 10]]), gossipOf([['b', 9]]))), []);
    assert.equal(one.p.gossipStats.entriesStale, 2);
    assert.deepEqual(types(one.recv(3_500, gossipOf([['b', 11]]))), []);
    // TFAIL counts from 3 500 (when we saw 11), not from 0, and never from a remote timestamp.
    one.round(3_500 + failTimeoutMs - 1);
    assert.equal(one.p.member('b')?.state, 'alive');
    const out = one.round(3_500 + failTimeoutMs);
    assert.deepEqual(out.flatMap((o) => (o.kind === 'event' ? [o.event.type] : [])), ['suspect']);
    assert.equal(one.p.member('b')?.state, 'suspect');
    assert.equal(one.p.liveCount(), 2, 'suspect members still count as live');
  });

  it('a failed member that shows progress is revived with an alive event, not re-joined', () => {
    const one = new One();
    one.recv(0, gossipOf([['b', 1]]));
    one.round(defaultGossipConfig.failTimeoutMs);
    assert.equal(one.p.member('b')?.state, 'suspect');
    // A failed member is no longer gossiped.
    const sends = one.round(defaultGossipConfig.failTimeoutMs + 200).filter((o) => o.kind === 'send');
    assert.equal(sends.length, 0, 'no alive peer to gossip to');
    assert.deepEqual(types(one.recv(5_000, gossipOf([['b', 2]]))), ['alive']);
    assert.equal(one.p.member('b')?.state, 'alive');
    assert.equal(one.p.gossipStats.revivals, 1);
  });

  it('a higher incarnation in the heartbeat is reported as an update', () => {
    const one = new One();
    one.recv(0, gossipOf([['b', 50]]));
    const evs = one.recv(10, gossipOf([['b', heartbeatStart(2)]]));
    assert.deepEqual(types(evs), ['update']);
    assert.equal(evs[0]?.type === 'update' && evs[0].incarnation, 2);
  });

  it('a heartbeat about self above our own is refuted by outranking it; never a self join', () => {
    const one = new One({}, 3);
    assert.equal(one.p.incarnation(), 3);
    assert.equal(one.p.heartbeatOf('a'), 3 * heartbeatIncarnationStride);
    assert.deepEqual(types(one.recv(0, gossipOf([['a', 1]]))), []);
    const evs = one.recv(1, gossipOf([['a', 3 * heartbeatIncarnationStride + 500]]));
    assert.deepEqual(types(evs), ['refute']);
    assert.equal(one.p.heartbeatOf('a'), 3 * heartbeatIncarnationStride + 501);
    assert.equal(one.p.incarnation(), 3);
  });

  it('heartbeats carry the incarnation in their upper bits', () => {
    assert.equal(heartbeatStart(0), 0);
    assert.equal(incarnationOf(heartbeatStart(7) + 12345), 7);
    assert.equal(heartbeatStart(1e9), 4095 * heartbeatIncarnationStride, 'clamped to the u32 range');
  });

  it('membersMax bounds the table: tombstones are evicted first, then new members are refused', () => {
    const one = new One({ membersMax: 3 });
    one.recv(0, gossipOf([['b', 1], ['c', 1]]));
    assert.deepEqual(types(one.recv(1, gossipOf([['d', 1]]))), []);
    assert.equal(one.p.gossipStats.tableFull, 1);
    assert.equal(one.p.member('d'), undefined);
    // c leaves: its tombstone makes way for d.
    one.recv(2, { type: 'dead', node: 'c', incarnation: 0, from: 'c' });
    assert.deepEqual(types(one.recv(3, gossipOf([['d', 1]]))), ['join']);
    assert.equal(one.p.members().length, 3);
    assert.equal(one.p.member('c'), undefined);
  });

  it('ignores SWIM messages and packets before start; update-meta stays local', () => {
    const p = new GossipProtocol({ self: { name: 'a', addr: addr('a') }, rng: new Rng(1) });
    p.handle({ kind: 'packet', from: addr('b'), channel: 'packet', msgs: [gossipOf([['b', 1]])] }, 0, []);
    assert.equal(p.member('b'), undefined);
    assert.equal(p.stats.messagesIgnored, 1);
    p.handle({ kind: 'start', seeds: [] }, 0, []);
    const out: Out = [];
    p.handle({ kind: 'packet', from: addr('b'), channel: 'packet', msgs: [{ type: 'ack', seq: 1 }, { type: 'ping', seq: 2, target: 'a', source: { name: 'b', addr: addr('b') } }] }, 1, out);
    p.handle({ kind: 'update-meta', meta: new Uint8Array([4, 2]) }, 2, out);
    assert.equal(out.length, 0);
    assert.equal(p.stats.messagesIgnored, 3);
    assert.deepEqual([...p.member('a')!.meta], [4, 2]);
    assert.equal(p.protocol, 'gossip');
    assert.equal(p.healthScore(), 0);
    assert.throws(() => p.handle({ kind: 'timer', timer: { type: 'gossip-round', epoch: 0 } }, 1, []), AssertionError, 'time must not go backwards');
    assert.throws(() => p.handle({ kind: 'start', seeds: [] }, 3, []), AssertionError, 'start twice');
  });

  it('knownMembers pre-loads a converged view without events or join traffic', () => {
    const p = new GossipProtocol({ self: { name: 'a', addr: addr('a') }, rng: new Rng(1) });
    const out: Out = [];
    p.handle({ kind: 'start', seeds: [addr('b')], knownMembers: ['a', 'b', 'c'].map((n) => ({ name: n, addr: addr(n) })) }, 0, out);
    assert.deepEqual(out.map((o) => o.kind), ['schedule', 'schedule']);
    assert.equal(p.liveCount(), 3);
    assert.equal(p.joined(), true);
    p.checkInvariants();
  });
});
