import { assert } from '../lib/assert.js';
import { hashSpaceSize, murmur3 } from '../lib/hash.js';
import { kvMerkleDepthMax } from '../wire/kv-limits.js';
import type { KvVersion } from '../wire/kv-types.js';
import { rangeContains, rangeOffset, rangeWidth } from './ring-range.js';
import type { RingRange } from './ring-range.js';
import type { Storage } from './storage.js';

/**
 * Merkle trees per ring range, for anti-entropy between replicas (Dynamo §4.7; Cassandra repair).
 * A tree covers one range with 2^depth leaves; leaf i holds the keys whose offset in the range lies
 * in [b_i, b_{i+1}), b_i = floor(i · width / 2^depth), so leaves split the range evenly by position
 * and two replicas of the same range always agree on which key goes to which leaf.
 *
 * Leaf digest: the sums (mod 2^32) of two independent murmur3 hashes of each key's
 * (key, version, tombstone flag), plus the key count. Sums make the digest independent of scan
 * order and let one key be added or removed in O(depth) (`update`). Inner nodes hash their two
 * children. murmur3 is NOT cryptographic: the tree detects accidental divergence (missed writes,
 * lost replicas), not tampering; with 64 bits per node an accidental collision hiding a difference
 * has probability about 2^-64 per compared node. Values are not hashed: a version identifies a
 * write (hlc.ts), so equal (key, version, tombstone) means equal data.
 */

/** Default tree depth: 2^10 = 1,024 leaves (Cassandra uses depth 15 for whole-node ranges; ours are per-token ranges, far smaller). */
export const merkleDepthDefault = 10;

/** Keys read from storage per batch while building a tree. */
export const merkleBuildBatchKeys = 1024;

const seedA = 0x4d4b4c31;
const seedB = 0x9e3779b1;
const utf8 = new TextEncoder();
/** Scratch for one key digest: key (at most 4 UTF-8 bytes per UTF-16 unit pair; keys are ≤ 1 KiB) + version + flag. */
let scratch = new Uint8Array(4096 + 13);

/** One key's contribution to its leaf: two 32-bit hashes. */
export interface KeyDigest {
  readonly a: number;
  readonly b: number;
}

/** Digest of (key, version, tombstone): what two replicas must agree on. */
export function keyDigest(key: string, version: KvVersion, tombstone: boolean): KeyDigest {
  if (scratch.length < 3 * key.length + 13) scratch = new Uint8Array(3 * key.length + 13);
  const { written } = utf8.encodeInto(key, scratch);
  let p = written;
  const high = Math.floor(version.physicalMs / 4294967296);
  const low = version.physicalMs - high * 4294967296;
  scratch[p++] = high >>> 8;
  scratch[p++] = high & 0xff;
  p = putU32(scratch, p, low);
  scratch[p++] = version.logical >>> 8;
  scratch[p++] = version.logical & 0xff;
  p = putU32(scratch, p, version.nodeId);
  scratch[p++] = tombstone ? 1 : 0;
  const bytes = scratch.subarray(0, p);
  return { a: murmur3(bytes, seedA), b: murmur3(bytes, seedB) };
}

function putU32(out: Uint8Array, at: number, v: number): number {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
  return at + 4;
}

/** A differing leaf and the sub-range of positions it covers (fetch its keys with a range scan). */
export interface MerkleLeafRange {
  readonly leaf: number;
  readonly range: RingRange;
}

/** Something that can go into a tree: a key, its position and its version. */
export interface MerkleItem {
  readonly key: string;
  readonly position: number;
  readonly record: { readonly value: Uint8Array | null; readonly version: KvVersion };
}

const hashInput = new Uint8Array(16);

/** A fixed-depth Merkle tree over one ring range. */
export class MerkleTree {
  readonly range: RingRange;
  readonly depth: number;
  /** Leaf boundaries as offsets in the range: leaf i is [bounds[i], bounds[i+1]). */
  private readonly bounds: Float64Array;
  private readonly leafSumA: Uint32Array;
  private readonly leafSumB: Uint32Array;
  private readonly leafCount: Uint32Array;
  /** Node hashes, two words per node, heap layout: level L node i is node 2^L - 1 + i. */
  private readonly words: Uint32Array;

  /** An empty tree of `range` (add keys with `update`, or use `build`). */
  constructor(range: RingRange, depth: number = merkleDepthDefault) {
    assert(Number.isInteger(depth) && depth >= 0 && depth <= kvMerkleDepthMax, 'merkle depth out of range');
    this.range = range;
    this.depth = depth;
    const leaves = 2 ** depth;
    const width = rangeWidth(range);
    // width = q · 2^depth + r; b_i = q·i + floor(r·i / 2^depth), exact in doubles (r·i < 2^32).
    const q = Math.floor(width / leaves);
    const r = width - q * leaves;
    this.bounds = new Float64Array(leaves + 1);
    for (let i = 0; i <= leaves; i++) this.bounds[i] = q * i + Math.floor((r * i) / leaves);
    this.leafSumA = new Uint32Array(leaves);
    this.leafSumB = new Uint32Array(leaves);
    this.leafCount = new Uint32Array(leaves);
    this.words = new Uint32Array(2 * (2 * leaves - 1));
    this.recomputeAll();
  }

  /** Builds the tree of `items` (every item must lie in `range`). */
  static build(range: RingRange, items: Iterable<MerkleItem>, depth: number = merkleDepthDefault): MerkleTree {
    const tree = new MerkleTree(range, depth);
    for (const item of items) tree.addToLeaf(item, 1);
    tree.recomputeAll();
    return tree;
  }

  /** Builds the tree of `range` from a store, scanning it in bounded batches. */
  static fromStorage(storage: Storage, range: RingRange, depth: number = merkleDepthDefault): MerkleTree {
    const tree = new MerkleTree(range, depth);
    let batch = storage.scanRange(range, null, merkleBuildBatchKeys);
    for (;;) {
      for (const e of batch) tree.addToLeaf(e, 1);
      if (batch.length < merkleBuildBatchKeys) break;
      const last = batch[batch.length - 1]!;
      batch = storage.scanRange(range, { position: last.position, key: last.key }, merkleBuildBatchKeys);
    }
    tree.recomputeAll();
    return tree;
  }

  /** Number of leaves, 2^depth. */
  get leaves(): number {
    return this.leafCount.length;
  }

  /** Keys counted in the tree. */
  get keyCount(): number {
    let n = 0;
    for (const c of this.leafCount) n += c;
    return n;
  }

  /**
   * Keeps the tree current as a key changes: removes `before` (the key's old record, if any) and
   * adds `after` (its new one, if any). O(depth).
   */
  update(key: string, position: number, before: MerkleItem['record'] | undefined, after: MerkleItem['record'] | undefined): void {
    if (before !== undefined) this.addToLeaf({ key, position, record: before }, -1);
    if (after !== undefined) this.addToLeaf({ key, position, record: after }, 1);
    this.recomputePath(this.leafOf(position));
  }

  /** The leaf holding `position` (which must lie in the range). */
  leafOf(position: number): number {
    assert(rangeContains(this.range, position), 'position outside the tree range');
    const offset = rangeOffset(this.range, position);
    // Last leaf whose lower bound is <= offset (empty leaves share a bound with their successor).
    let lo = 0;
    let hi = this.leaves - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.bounds[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** True when no position maps to `leaf` (the range is narrower than 2^depth there). */
  leafIsEmpty(leaf: number): boolean {
    return this.bounds[leaf] === this.bounds[leaf + 1];
  }

  /** The positions leaf `leaf` covers, as a ring range. Asserts the leaf is not empty. */
  leafRange(leaf: number): RingRange {
    assert(Number.isInteger(leaf) && leaf >= 0 && leaf < this.leaves, 'leaf index out of range');
    assert(!this.leafIsEmpty(leaf), 'an empty leaf has no range (it would read as the whole ring)');
    return { start: this.positionBefore(this.bounds[leaf]!), end: this.positionBefore(this.bounds[leaf + 1]!) };
  }

  /** Keys counted in leaf `leaf`. */
  keysInLeaf(leaf: number): number {
    return this.leafCount[leaf]!;
  }

  /** The root hash as two u32 words. */
  root(): [number, number] {
    return [this.words[0]!, this.words[1]!];
  }

  /** Hashes of `nodes` (indices within `level`), two u32 words each, in order: a kv-merkle-rep body. */
  hashesAt(level: number, nodes: readonly number[]): number[] {
    assert(Number.isInteger(level) && level >= 0 && level <= this.depth, 'merkle level out of range');
    const out: number[] = [];
    const base = 2 ** level - 1;
    for (const i of nodes) {
      assert(Number.isInteger(i) && i >= 0 && i <= base, 'merkle node outside its level');
      out.push(this.words[2 * (base + i)]!, this.words[2 * (base + i) + 1]!);
    }
    return out;
  }

  /** True when node `i` of `level` has the given hash words. */
  nodeMatches(level: number, i: number, a: number, b: number): boolean {
    const n = 2 ** level - 1 + i;
    return this.words[2 * n] === a && this.words[2 * n + 1] === b;
  }

  /** True when both trees cover the same range at the same depth (only then can they be compared). */
  comparableWith(other: MerkleTree): boolean {
    return this.depth === other.depth && this.range.start === other.range.start && this.range.end === other.range.end;
  }

  // --- internals ----------------------------------------------------------------------------------

  /** The ring position just before offset `o` of the range: the exclusive start of a sub-range beginning at `o`. */
  private positionBefore(o: number): number {
    // Compare before adding: start + o can exceed 2^53, where doubles stop being exact.
    const room = hashSpaceSize - this.range.start;
    return o < room ? this.range.start + o : o - room;
  }

  private addToLeaf(item: MerkleItem, sign: 1 | -1): void {
    const leaf = this.leafOf(item.position);
    const d = keyDigest(item.key, item.record.version, item.record.value === null);
    if (sign === 1) {
      this.leafSumA[leaf] = (this.leafSumA[leaf]! + d.a) >>> 0;
      this.leafSumB[leaf] = (this.leafSumB[leaf]! + d.b) >>> 0;
      this.leafCount[leaf] = this.leafCount[leaf]! + 1;
    } else {
      assert(this.leafCount[leaf]! > 0, 'removing a key from an empty merkle leaf');
      this.leafSumA[leaf] = (this.leafSumA[leaf]! - d.a) >>> 0;
      this.leafSumB[leaf] = (this.leafSumB[leaf]! - d.b) >>> 0;
      this.leafCount[leaf] = this.leafCount[leaf]! - 1;
    }
  }

  private hashLeaf(leaf: number): void {
    const n = this.leaves - 1 + leaf;
    putU32(hashInput, 0, this.leafSumA[leaf]!);
    putU32(hashInput, 4, this.leafSumB[leaf]!);
    putU32(hashInput, 8, this.leafCount[leaf]!);
    putU32(hashInput, 12, 0x4c454146);
    this.words[2 * n] = murmur3(hashInput, seedA);
    this.words[2 * n + 1] = murmur3(hashInput, seedB);
  }

  private hashInner(n: number): void {
    const l = 2 * n + 1;
    const w = this.words;
    putU32(hashInput, 0, w[2 * l]!);
    putU32(hashInput, 4, w[2 * l + 1]!);
    putU32(hashInput, 8, w[2 * l + 2]!);
    putU32(hashInput, 12, w[2 * l + 3]!);
    w[2 * n] = murmur3(hashInput, seedA);
    w[2 * n + 1] = murmur3(hashInput, seedB);
  }

  private recomputeAll(): void {
    for (let leaf = 0; leaf < this.leaves; leaf++) this.hashLeaf(leaf);
    for (let n = this.leaves - 2; n >= 0; n--) this.hashInner(n);
  }

  private recomputePath(leaf: number): void {
    this.hashLeaf(leaf);
    let n = this.leaves - 1 + leaf;
    while (n > 0) {
      n = (n - 1) >> 1;
      this.hashInner(n);
    }
  }
}

/**
 * The leaves where two trees of the same range differ, found top-down: only subtrees whose roots
 * differ are descended into (Dynamo §4.7). Sorted by leaf index.
 */
export function diffTrees(a: MerkleTree, b: MerkleTree): MerkleLeafRange[] {
  assert(a.comparableWith(b), 'diffTrees needs trees of the same range and depth');
  let frontier = [0];
  for (let level = 0; level <= a.depth; level++) {
    const differing = frontier.filter((i) => {
      const [x, y] = b.hashesAt(level, [i]) as [number, number];
      return !a.nodeMatches(level, i, x, y);
    });
    if (level === a.depth) return differing.map((leaf) => ({ leaf, range: a.leafRange(leaf) }));
    frontier = differing.flatMap((i) => [2 * i, 2 * i + 1]);
  }
  return [];
}
