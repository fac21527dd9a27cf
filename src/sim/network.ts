/**
 * The simulated network's state: one default link model, per-link overrides, partition groups and
 * one-way blocks. Pure data plus lookups; the engine draws the randomness and records changes on
 * the fault timeline.
 *
 * Links are keyed by (from index, to index) as one number, so the hot path never builds strings.
 * Partitions are group numbers per node (a 10,000-node split is one Int32Array, not 50 million
 * link entries); one-way blocks model asymmetric failures.
 */
import { assert } from '../lib/assert.js';
import { latencyModelDefault, validateLatency, type LatencyModel } from './latency.js';

/** Most nodes one simulation may hold: node indices fit 20 bits, so a link key fits 40. */
export const simNodesMax = 1 << 20;

/** How one direction of a link behaves. */
export interface LinkModel {
  /** One-way latency. */
  readonly latency: LatencyModel;
  /** Probability a datagram is lost (stream frames are retransmitted instead: extra latency). */
  readonly lossProbability: number;
  /** Probability a datagram is delivered twice (each copy with its own latency). */
  readonly duplicateProbability: number;
  /** Probability a datagram gets an extra delay in [0, reorderDelayMsMax], overtaking later ones. */
  readonly reorderProbability: number;
  /** Largest extra delay of a reordered datagram, in ms. */
  readonly reorderDelayMsMax: number;
}

/** A clean LAN: 1..5 ms, no loss, no duplication, no reordering. */
export const linkModelDefault: LinkModel = {
  latency: latencyModelDefault,
  lossProbability: 0,
  duplicateProbability: 0,
  reorderProbability: 0,
  reorderDelayMsMax: 0,
};

/** Asserts a link model is well formed. */
export function validateLink(link: LinkModel): void {
  validateLatency(link.latency);
  for (const [name, p] of [
    ['lossProbability', link.lossProbability],
    ['duplicateProbability', link.duplicateProbability],
    ['reorderProbability', link.reorderProbability],
  ] as const) {
    assert(Number.isFinite(p) && p >= 0 && p <= 1, `${name} must be in [0, 1], got ${p}`);
  }
  assert(Number.isInteger(link.reorderDelayMsMax) && link.reorderDelayMsMax >= 0, `reorderDelayMsMax must be an integer >= 0, got ${link.reorderDelayMsMax}`);
}

/** The number that names the directed link from → to. */
export function linkKey(from: number, to: number): number {
  return from * simNodesMax + to;
}

/** Default link, overrides, partitions and blocks. */
export class NetworkModel {
  private defaultLink: LinkModel = linkModelDefault;
  private readonly overrides = new Map<number, LinkModel>();
  /** Partition group per node index, or null when no partition is active. */
  private groups: Int32Array | null = null;
  private readonly blocked = new Set<number>();

  /** The link model used for from → to. */
  linkFor(from: number, to: number): LinkModel {
    if (this.overrides.size === 0) return this.defaultLink;
    return this.overrides.get(linkKey(from, to)) ?? this.defaultLink;
  }

  /** The default link model. */
  get defaults(): LinkModel {
    return this.defaultLink;
  }

  /** Changes the default link (fields not given keep their value). */
  setDefault(change: Partial<LinkModel>): void {
    const next = { ...this.defaultLink, ...change };
    validateLink(next);
    this.defaultLink = next;
  }

  /** Overrides from → to (fields not given come from the current default); `null` removes the override. */
  setLink(from: number, to: number, change: Partial<LinkModel> | null): void {
    const key = linkKey(from, to);
    if (change === null) {
      this.overrides.delete(key);
      return;
    }
    const next = { ...(this.overrides.get(key) ?? this.defaultLink), ...change };
    validateLink(next);
    this.overrides.set(key, next);
  }

  /** True when nothing can pass from → to (different partition groups, or a one-way block). */
  isCut(from: number, to: number): boolean {
    const groups = this.groups;
    if (groups !== null && groupOf(groups, from) !== groupOf(groups, to)) return true;
    return this.blocked.size !== 0 && this.blocked.has(linkKey(from, to));
  }

  /** Splits the nodes: `groups[i]` is node i's side (nodes beyond the array are on side 0). */
  partition(groups: Int32Array): void {
    this.groups = groups;
  }

  /** Ends the partition (one-way blocks stay). */
  heal(): void {
    this.groups = null;
  }

  /** The current partition groups (do not mutate), or null. */
  get partitionGroups(): Int32Array | null {
    return this.groups;
  }

  /** Blocks from → to only. */
  block(from: number, to: number): void {
    this.blocked.add(linkKey(from, to));
  }

  /** Lifts a block from → to. */
  unblock(from: number, to: number): void {
    this.blocked.delete(linkKey(from, to));
  }
}

/** Node `i`'s partition group. */
export function groupOf(groups: Int32Array, i: number): number {
  return i < groups.length ? groups[i]! : 0;
}
