/**
 * Who owns what under one ring (Dynamo §4.3): the preference list of every position, memoised
 * per token range because every position between two consecutive tokens has the same list. The
 * Rebalancer asks this for each key it sweeps, so the cost per key is one binary search once the
 * token range's list is known.
 */
import { assert } from '../lib/assert.js';
import type { Ring } from '../ring/ring.js';
import type { NodeName } from '../wire/types.js';
import type { RingRange } from './ring-range.js';

/** Preference lists of one ring, for lists of length `n`. */
export class OwnerIndex {
  readonly ring: Ring;
  readonly n: number;
  private readonly positions: Float64Array;
  private readonly tokenOwners: readonly NodeName[];
  /** Preference list per token index (the list of the range ending at that token). */
  private readonly lists = new Map<number, readonly NodeName[]>();

  constructor(ring: Ring, n: number) {
    assert(Number.isInteger(n) && n >= 1, 'replication factor must be a positive integer');
    this.ring = ring;
    this.n = n;
    const tokens = ring.tokens();
    this.positions = new Float64Array(tokens.length);
    const owners: NodeName[] = new Array<NodeName>(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      this.positions[i] = tokens[i]!.position;
      owners[i] = tokens[i]!.node;
    }
    this.tokenOwners = owners;
  }

  /** True when the ring has no members (nobody owns anything). */
  get empty(): boolean {
    return this.positions.length === 0;
  }

  /** The first `n` distinct nodes clockwise from `position` (the key's owners). Empty on an empty ring. */
  ownersAt(position: number): readonly NodeName[] {
    if (this.positions.length === 0) return [];
    const t = this.tokenAtOrAfter(position);
    let list = this.lists.get(t);
    if (list === undefined) {
      list = this.ring.preferenceListAt(this.positions[t]!, this.n);
      this.lists.set(t, list);
    }
    return list;
  }

  /** True when `node` is one of the owners of `position`. */
  owns(node: NodeName, position: number): boolean {
    return this.ownersAt(position).includes(node);
  }

  /**
   * The ranges (previous token, token] whose token belongs to `node`: the ranges it is the primary
   * (first) owner of, in ring order. Zero-width ranges (two tokens at one position) are skipped; a
   * single-token ring yields the whole ring.
   */
  primaryRanges(node: NodeName): RingRange[] {
    const out: RingRange[] = [];
    const count = this.positions.length;
    for (let i = 0; i < count; i++) {
      if (this.tokenOwners[i] !== node) continue;
      const end = this.positions[i]!;
      const start = this.positions[i === 0 ? count - 1 : i - 1]!;
      if (start === end && count > 1) continue;
      out.push({ start, end });
    }
    return out;
  }

  /** Index of the first token at or clockwise of `position` (wrapping to 0), as Ring does. */
  private tokenAtOrAfter(position: number): number {
    const pos = this.positions;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo === pos.length ? 0 : lo;
  }
}
