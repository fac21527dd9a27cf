import { assert } from '../lib/assert.js';
import { kvMerkleNodesPerMsgMax } from '../wire/kv-limits.js';
import type { KvDigestEntry } from '../wire/kv-types.js';
import type { MerkleLeafRange, MerkleTree } from './merkle.js';
import { compareVersions } from './version.js';

/**
 * The repairer's side of a Merkle exchange (Dynamo §4.7), as a pure plan of small queries:
 *   1. ask the peer for its root (level 0);
 *   2. for the nodes that differ, ask for their descendants `levelsPerRound` levels down (at most
 *      2^levelsPerRound hashes per differing node, chunked to `nodesPerMsgMax` per message);
 *   3. repeat until the leaf level; the differing leaves' sub-ranges are then compared key by key
 *      (kv-keys-req → `diffDigests` → kv-fetch-req for newer remote records, kv-range-batch for
 *      newer local ones).
 * With depth 10 and 5 levels per round, a range that matches costs one 8-byte hash; one that
 * differs in a few keys costs three round trips of a few hundred bytes. The peer answers each
 * query statelessly with `MerkleTree.hashesAt`.
 */

/** Default levels descended per round trip: 2^5 = 32 hashes per differing node. */
export const merkleLevelsPerRoundDefault = 5;

/** One query to send as a kv-merkle-req (the caller adds reqId, range and depth). */
export interface MerkleQuery {
  readonly level: number;
  readonly nodes: readonly number[];
}

/** Exchange tuning. */
export interface MerkleExchangeOptions {
  readonly levelsPerRound: number;
  readonly nodesPerMsgMax: number;
}

/** Default tuning. */
export const merkleExchangeDefaults: MerkleExchangeOptions = {
  levelsPerRound: merkleLevelsPerRoundDefault,
  nodesPerMsgMax: kvMerkleNodesPerMsgMax,
};

/** Drives one exchange against one peer; the caller sends queries and feeds back replies. */
export class MerkleExchange {
  private readonly local: MerkleTree;
  private readonly options: MerkleExchangeOptions;
  private readonly queued: MerkleQuery[] = [];
  private outstanding = 0;
  private readonly leaves: number[] = [];

  constructor(local: MerkleTree, options: MerkleExchangeOptions = merkleExchangeDefaults) {
    assert(Number.isInteger(options.levelsPerRound) && options.levelsPerRound >= 1, 'levelsPerRound must be >= 1');
    assert(Number.isInteger(options.nodesPerMsgMax) && options.nodesPerMsgMax >= 1, 'nodesPerMsgMax must be >= 1');
    this.local = local;
    this.options = options;
    this.queued.push({ level: 0, nodes: [0] });
  }

  /** The next query to send, or undefined when none is ready (wait for replies, or `done`). */
  nextQuery(): MerkleQuery | undefined {
    const q = this.queued.shift();
    if (q !== undefined) this.outstanding++;
    return q;
  }

  /**
   * Feeds the peer's hashes for `query` (two u32 words per node, in query order). Returns false,
   * changing nothing, when the reply does not fit the query (a confused or malicious peer: the
   * caller abandons the exchange).
   */
  onReply(query: MerkleQuery, hashes: readonly number[]): boolean {
    if (hashes.length !== 2 * query.nodes.length || this.outstanding === 0) return false;
    this.outstanding--;
    const differing: number[] = [];
    for (let k = 0; k < query.nodes.length; k++) {
      const i = query.nodes[k]!;
      if (!this.local.nodeMatches(query.level, i, hashes[2 * k]!, hashes[2 * k + 1]!)) differing.push(i);
    }
    if (query.level === this.local.depth) {
      this.leaves.push(...differing);
      return true;
    }
    const next = Math.min(query.level + this.options.levelsPerRound, this.local.depth);
    const fan = 2 ** (next - query.level);
    let chunk: number[] = [];
    for (const i of differing) {
      for (let c = 0; c < fan; c++) {
        chunk.push(i * fan + c);
        if (chunk.length === this.options.nodesPerMsgMax) {
          this.queued.push({ level: next, nodes: chunk });
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) this.queued.push({ level: next, nodes: chunk });
    return true;
  }

  /** True when every query was answered and nothing is left to ask. */
  get done(): boolean {
    return this.queued.length === 0 && this.outstanding === 0;
  }

  /** The differing leaves found so far, sorted, with their sub-ranges (complete once `done`). */
  differingLeaves(): MerkleLeafRange[] {
    return [...this.leaves].sort((a, b) => a - b).map((leaf) => ({ leaf, range: this.local.leafRange(leaf) }));
  }
}

/** What to move after comparing digests of one sub-range. */
export interface DigestDiff {
  /** Keys the peer holds newer (or only the peer holds): fetch them (kv-fetch-req). */
  readonly pull: string[];
  /** Keys held newer here (or only here): push them (kv-range-batch, kind 'repair'). */
  readonly push: string[];
}

/**
 * Compares local and remote digests of the same sub-range by LWW on (version, tombstone): on equal
 * versions a tombstone wins, as in version.ts. Equal digests move nothing.
 */
export function diffDigests(local: readonly KvDigestEntry[], remote: readonly KvDigestEntry[]): DigestDiff {
  const mine = new Map<string, KvDigestEntry>();
  for (const e of local) mine.set(e.key, e);
  const pull: string[] = [];
  const push: string[] = [];
  const seen = new Set<string>();
  for (const r of remote) {
    seen.add(r.key);
    const l = mine.get(r.key);
    if (l === undefined) {
      pull.push(r.key);
      continue;
    }
    const c = compareVersions(l.version, r.version) || Number(l.tombstone) - Number(r.tombstone);
    if (c < 0) pull.push(r.key);
    else if (c > 0) push.push(r.key);
  }
  for (const e of local) if (!seen.has(e.key)) push.push(e.key);
  return { pull, push };
}
