/**
 * Ring balance: how evenly 1,000,000 keys spread over N nodes at a given number of tokens per node.
 * Prints the most and least loaded node's share relative to the mean, for primary ownership and for
 * replica ownership (each key counted on its N = 3 preference-list nodes).
 *
 *   node dist/scripts/ring-balance.js [--nodes 100] [--tokens 256] [--keys 1000000]
 */
import { parseArgs } from 'node:util';
import { Ring, keyPosition, tokensPerNodeDefault } from '../src/ring/ring.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    tokens: { type: 'string', default: String(tokensPerNodeDefault) },
    keys: { type: 'string', default: '1000000' },
  },
});
const nodes = Number(values.nodes);
const tokens = Number(values.tokens);
const keys = Number(values.keys);
const names = Array.from({ length: nodes }, (_, i) => `node-${i}`);
const ring = Ring.build(names, tokens);
const primary = new Map<string, number>();
const replicas = new Map<string, number>();
for (let k = 0; k < keys; k++) {
  const position = keyPosition(`key-${k}`);
  const list = ring.preferenceListAt(position, 3);
  primary.set(list[0]!, (primary.get(list[0]!) ?? 0) + 1);
  for (const n of list) replicas.set(n, (replicas.get(n) ?? 0) + 1);
}
const spread = (counts: Map<string, number>, total: number): string => {
  const mean = total / nodes;
  const values = names.map((n) => counts.get(n) ?? 0);
  return `max/mean ${(Math.max(...values) / mean).toFixed(3)}, min/mean ${(Math.min(...values) / mean).toFixed(3)}`;
};
console.log(`ring balance: ${nodes} nodes, ${tokens} tokens per node, ${keys} keys`);
console.log(`  primary owner:  ${spread(primary, keys)}`);
console.log(`  any of 3 replicas: ${spread(replicas, keys * 3)}`);
