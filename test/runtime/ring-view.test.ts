/**
 * The ring as the APIs show it (src/runtime/ring-view.ts): one range per token, chained around
 * the ring, each with its preference list, and per node the share of the ring it is primary for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ring } from '../../src/ring/ring.js';
import { ringView } from '../../src/runtime/ring-view.js';
import type { RingView } from '../../src/runtime/service.js';

const ringSize = 2 ** 53;

function view(names: string[], tokens: number, n: number): { ring: Ring; v: RingView } {
  const ring = Ring.build(names, tokens);
  return { ring, v: ringView(ring, tokens, n) };
}

function checkInvariants(ring: Ring, v: RingView, names: string[], tokens: number, n: number): void {
  assert.equal(v.tokensPerNode, tokens);
  assert.equal(v.replicationFactor, n);
  assert.equal(v.ranges.length, names.length * tokens);
  assert.deepEqual(v.nodes.map((x) => x.name), [...names].sort());
  for (const node of v.nodes) {
    assert.equal(node.tokens, tokens);
    assert.ok(node.primaryShare > 0 && node.primaryShare <= 1, `${node.name}: ${node.primaryShare}`);
  }
  const total = v.nodes.reduce((sum, x) => sum + x.primaryShare, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `shares sum to ${total}`);
  const positions = ring.tokens().map((t) => t.position);
  for (let i = 0; i < v.ranges.length; i++) {
    const r = v.ranges[i]!;
    const prev = v.ranges[i === 0 ? v.ranges.length - 1 : i - 1]!;
    assert.equal(r.start, prev.end, `range ${i} starts where range ${i - 1} ends`);
    assert.equal(r.end, positions[i]);
    assert.deepEqual(r.replicas, ring.preferenceListAt(r.end, n));
    assert.equal(r.replicas.length, Math.min(n, names.length));
    assert.equal(new Set(r.replicas).size, r.replicas.length);
    // The primary of a range is the owner of its end token.
    assert.equal(r.replicas[0], ring.ownerAt(r.end));
  }
  // Ranges are listed in ring order.
  for (let i = 1; i < v.ranges.length; i++) assert.ok(v.ranges[i]!.end >= v.ranges[i - 1]!.end);
}

describe('ringView', () => {
  it('three nodes, 16 tokens, N = 3', () => {
    const names = ['node-c', 'node-a', 'node-b'];
    const { ring, v } = view(names, 16, 3);
    checkInvariants(ring, v, names, 16, 3);
  });

  it('five nodes, 64 tokens, N = 2; shares match the summed range widths', () => {
    const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const { ring, v } = view(names, 64, 2);
    checkInvariants(ring, v, names, 64, 2);
    const widths = new Map<string, number>();
    for (const r of v.ranges) {
      const owner = r.replicas[0]!;
      widths.set(owner, (widths.get(owner) ?? 0) + ((r.end - r.start + ringSize) % ringSize));
    }
    for (const node of v.nodes) assert.ok(Math.abs(node.primaryShare - widths.get(node.name)! / ringSize) < 1e-12);
  });

  it('replication factor above the node count gives every node in each list', () => {
    const names = ['a', 'b'];
    const { ring, v } = view(names, 8, 5);
    checkInvariants(ring, v, names, 8, 5);
    for (const r of v.ranges) assert.deepEqual([...r.replicas].sort(), ['a', 'b']);
  });

  it('a one-node ring covers the whole ring', () => {
    for (const tokens of [1, 4]) {
      const { ring, v } = view(['solo'], tokens, 3);
      checkInvariants(ring, v, ['solo'], tokens, 3);
      assert.equal(v.nodes.length, 1);
      assert.equal(v.nodes[0]!.name, 'solo');
      // Within float precision: (end - start + 2^53) can exceed 2^53 and round.
      assert.ok(Math.abs(v.nodes[0]!.primaryShare - 1) < 1e-9);
      for (const r of v.ranges) assert.deepEqual(r.replicas, ['solo']);
    }
    // With a single token the one range starts and ends at that token: the full circle.
    const { v } = view(['solo'], 1, 1);
    assert.equal(v.ranges.length, 1);
    assert.equal(v.ranges[0]!.start, v.ranges[0]!.end);
  });

  it('an empty ring has no nodes and no ranges', () => {
    const v = ringView(Ring.build([], 8), 8, 3);
    assert.deepEqual(v, { tokensPerNode: 8, replicationFactor: 3, nodes: [], ranges: [] });
  });
});
