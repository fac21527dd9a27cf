/**
 * Ring lookups (Dynamo §4.2/§4.3) checked against a naive linear scan: the preference list of a
 * position is the first N distinct owners met walking the sorted tokens clockwise from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ring, tokenPosition } from '../../src/ring/ring.js';
import { hashSpaceSize } from '../../src/lib/hash.js';

function naivePreferenceList(nodes: readonly string[], tokensPerNode: number, position: number, n: number): string[] {
  const tokens: Array<{ position: number; node: string; order: number }> = [];
  const names = [...new Set(nodes)].sort();
  names.forEach((node, order) => {
    for (let t = 0; t < tokensPerNode; t++) tokens.push({ position: tokenPosition(node, t), node, order });
  });
  tokens.sort((a, b) => a.position - b.position || a.order - b.order);
  const start = tokens.findIndex((t) => t.position >= position);
  const result: string[] = [];
  for (let walked = 0; walked < tokens.length && result.length < Math.min(n, names.length); walked++) {
    const token = tokens[((start === -1 ? 0 : start) + walked) % tokens.length]!;
    if (!result.includes(token.node)) result.push(token.node);
  }
  return result;
}

test('preference list equals a linear scan of the sorted tokens (property)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 0, max: hashSpaceSize - 1 }),
      fc.integer({ min: 0, max: 5 }),
      (nodes, tokensPerNode, position, n) => {
        const ring = Ring.build(nodes, tokensPerNode);
        assert.deepEqual(ring.preferenceListAt(position, n), naivePreferenceList(nodes, tokensPerNode, position, n));
      },
    ),
    { numRuns: 2000 },
  );
});

test('the ring does not depend on the order members were learnt in', () => {
  const a = Ring.build(['c', 'a', 'b'], 8);
  const b = Ring.build(['b', 'c', 'a', 'a'], 8);
  assert.deepEqual(a.tokens(), b.tokens());
});

test('preference lists hold distinct nodes and stop at the ring size', () => {
  const ring = Ring.build(['n1', 'n2'], 16);
  const list = ring.preferenceList('some-key', 3);
  assert.equal(list.length, 2);
  assert.notEqual(list[0], list[1]);
  assert.deepEqual(Ring.build([], 16).preferenceList('k', 3), []);
});
