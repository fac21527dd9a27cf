import { assert } from '../lib/assert.js';
import { hashString53 } from '../lib/hash.js';
import type { NodeName } from '../wire/types.js';

/**
 * Consistent hashing with virtual nodes (Dynamo §4.2): every node owns `tokensPerNode` positions
 * ("tokens") on a 53-bit ring, derived from its name, so every node computes the same ring from the
 * same member set without coordination. A key lives on the first N distinct nodes clockwise from
 * its hash (the preference list, Dynamo §4.3).
 *
 * A Ring is immutable: membership changes build a new one (sorting N × tokensPerNode numbers).
 */

/** Default virtual nodes per node: chosen for load balance (see docs/benchmarks.md, ring balance). */
export const tokensPerNodeDefault = 256;

/** Upper bound on tokens per node, to bound ring size and build time. */
export const tokensPerNodeMax = 4096;

/** The ring position of a token: hash of "<name>#<i>". */
export function tokenPosition(node: NodeName, tokenIndex: number): number {
  return hashString53(`${node}#${tokenIndex}`);
}

/** The ring position of a key. */
export function keyPosition(key: string): number {
  return hashString53(key);
}

export class Ring {
  /** Token positions, ascending. */
  private readonly positions: Float64Array;
  /** Owner of each token (index into `nodeNames`), parallel to `positions`. */
  private readonly owners: Uint32Array;
  private readonly nodeNames: readonly NodeName[];

  private constructor(positions: Float64Array, owners: Uint32Array, nodeNames: readonly NodeName[]) {
    this.positions = positions;
    this.owners = owners;
    this.nodeNames = nodeNames;
  }

  /** Builds the ring of `nodes` (duplicates ignored) with `tokensPerNode` tokens each. */
  static build(nodes: Iterable<NodeName>, tokensPerNode: number = tokensPerNodeDefault): Ring {
    assert(Number.isInteger(tokensPerNode) && tokensPerNode >= 1 && tokensPerNode <= tokensPerNodeMax, 'tokensPerNode out of range');
    // Sorted names make the ring independent of the order members were learnt in.
    const names = [...new Set(nodes)].sort();
    const count = names.length * tokensPerNode;
    const entries = new Array<{ position: number; owner: number }>(count);
    let e = 0;
    for (let n = 0; n < names.length; n++) {
      for (let t = 0; t < tokensPerNode; t++) entries[e++] = { position: tokenPosition(names[n]!, t), owner: n };
    }
    // Ties (a 53-bit collision) break by owner so every node builds the identical ring.
    entries.sort((a, b) => a.position - b.position || a.owner - b.owner);
    const positions = new Float64Array(count);
    const owners = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      positions[i] = entries[i]!.position;
      owners[i] = entries[i]!.owner;
    }
    return new Ring(positions, owners, names);
  }

  /** Member names on the ring, sorted. */
  get nodes(): readonly NodeName[] {
    return this.nodeNames;
  }

  get size(): number {
    return this.nodeNames.length;
  }

  get tokenCount(): number {
    return this.positions.length;
  }

  /** Index of the first token at or clockwise of `position` (wrapping to 0). */
  private firstTokenAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.positions.length ? 0 : lo;
  }

  /** The first `n` distinct nodes clockwise from `position` (fewer if the ring has fewer nodes). */
  preferenceListAt(position: number, n: number): NodeName[] {
    assert(Number.isInteger(n) && n >= 0, 'preference list length must be a non-negative integer');
    const want = Math.min(n, this.nodeNames.length);
    const result: NodeName[] = [];
    if (want === 0) return result;
    const tokens = this.positions.length;
    let i = this.firstTokenAtOrAfter(position);
    for (let walked = 0; walked < tokens && result.length < want; walked++) {
      // A scan of the few names taken so far (names are distinct per owner) instead of a Set:
      // every client operation computes a preference list of about N = 3.
      const name = this.nodeNames[this.owners[i]!]!;
      if (!result.includes(name)) result.push(name);
      i = i + 1 === tokens ? 0 : i + 1;
    }
    assert(result.length === want, 'a full walk of the ring visits every node');
    return result;
  }

  /** The preference list of `key`: its first `n` distinct nodes clockwise. */
  preferenceList(key: string, n: number): NodeName[] {
    return this.preferenceListAt(keyPosition(key), n);
  }

  /** The node that owns `position` (first token at or clockwise of it); undefined on an empty ring. */
  ownerAt(position: number): NodeName | undefined {
    if (this.positions.length === 0) return undefined;
    return this.nodeNames[this.owners[this.firstTokenAtOrAfter(position)]!];
  }

  /** Every token as (position, owner), ascending: for `/v1/ring` and the dashboard. */
  tokens(): Array<{ readonly position: number; readonly node: NodeName }> {
    const out: Array<{ position: number; node: NodeName }> = [];
    for (let i = 0; i < this.positions.length; i++) out.push({ position: this.positions[i]!, node: this.nodeNames[this.owners[i]!]! });
    return out;
  }
}
