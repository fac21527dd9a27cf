/**
 * The ring as `/v1/ring`, `ringkv ring` and the dashboard show it: per node its tokens and the
 * share of the ring it is primary for, and every token range with its preference list. A key at
 * position p belongs to the first token at or after p (src/ring/ring.ts), so token i covers
 * (position of token i-1, position of token i], the first one wrapping around the top.
 */
import type { Ring } from '../ring/ring.js';
import type { RangeView, RingView } from './service.js';

/** Positions live in [0, 2^53). */
const ringSize = 2 ** 53;

export function ringView(ring: Ring, tokensPerNode: number, replicationFactor: number): RingView {
  const tokens = ring.tokens();
  const share = new Map<string, { tokens: number; width: number }>();
  const ranges: RangeView[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i === 0 ? tokens.length - 1 : i - 1]!;
    const width = tokens.length === 1 ? ringSize : (t.position - prev.position + ringSize) % ringSize;
    const s = share.get(t.node) ?? { tokens: 0, width: 0 };
    s.tokens++;
    s.width += width;
    share.set(t.node, s);
    ranges.push({ start: prev.position, end: t.position, replicas: ring.preferenceListAt(t.position, replicationFactor) });
  }
  const nodes = [...share.entries()]
    .map(([name, s]) => ({ name, tokens: s.tokens, primaryShare: s.width / ringSize }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tokensPerNode, replicationFactor, nodes, ranges };
}
