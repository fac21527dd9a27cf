/**
 * SWIM §4.3 round-robin probe target selection: every member is probed once per round, in a
 * fresh random permutation each round. The permutation is drawn lazily (an incremental
 * Fisher–Yates: each step swaps a random not-yet-probed entry into the cursor), so a round costs
 * one random draw per probe instead of an O(N) reshuffle, and 10,000 nodes preloading 10,000
 * members do no shuffling at all. A member added mid-round lands in the not-yet-probed part and is
 * probed at a uniformly random point of the rest of the round, which keeps memberlist's "insert at
 * a random offset" property and strengthens it (it is never skipped until the next round). The
 * same array doubles as the population for random sampling (indirect-probe helpers, gossip
 * targets, push-pull peers) without scanning N.
 *
 * Members that leave the view (reaped) are removed lazily: they stay in the array, marked stale by
 * the caller's predicate, until the next wrap-around or until they outnumber the live entries.
 */
import { assert } from '../../lib/assert.js';
import type { Rng } from '../../lib/rng.js';

/** Attempts of rejection sampling per wanted sample before falling back to a scan. */
const sampleTriesPerPick = 16;

/** Extra attempts of rejection sampling, so small k still gets a fair number of tries. */
const sampleTriesBase = 32;

/** A shuffled array of member indices (self excluded) with a round-robin cursor. */
export class ProbeOrder {
  private order: Int32Array;
  /** 1 when the member is physically in `order` (possibly stale), so it is never added twice. */
  private present: Uint8Array;
  private countValue = 0;
  private cursor = 0;
  /**
   * Entries the owner knows to be stale (reaped members not yet removed). The owner keeps it up to
   * date; any compaction drops every stale entry and resets it.
   */
  staleCount = 0;

  constructor(initialCapacity: number) {
    const cap = Math.max(16, initialCapacity);
    this.order = new Int32Array(cap);
    this.present = new Uint8Array(cap);
  }

  /** Entries in the array, stale ones included. */
  get count(): number {
    return this.countValue;
  }

  has(member: number): boolean {
    return member < this.present.length && this.present[member] === 1;
  }

  /** Adds a member to the not-yet-probed part of this round, unless it is already present. */
  insert(member: number): void {
    if (this.has(member)) return;
    this.ensure(member, this.countValue + 1);
    this.order[this.countValue++] = member;
    this.present[member] = 1;
  }

  /** Adds members in bulk (a preloaded view). No shuffle needed: rounds are drawn lazily. */
  insertAll(members: readonly number[]): void {
    // Size both arrays once for the whole batch rather than doubling up to it.
    let top = -1;
    for (const m of members) if (m > top) top = m;
    if (this.countValue + members.length > this.order.length) this.order = grown(this.order, new Int32Array(this.countValue + members.length));
    if (top >= this.present.length) this.present = grown(this.present, new Uint8Array(top + 1));
    for (const m of members) this.insert(m);
  }

  /**
   * The next member to probe: draws a random not-yet-probed entry, skipping those `probeable`
   * rejects; when the round is over it drops entries `keep` rejects (O(N) once per round) and
   * starts a new round. Returns -1 when a full round finds nobody.
   */
  next(probeable: (m: number) => boolean, keep: (m: number) => boolean, rng: Rng): number {
    let wrapped = false;
    const order = this.order;
    for (;;) {
      if (this.cursor >= this.countValue) {
        if (wrapped) return -1;
        wrapped = true;
        this.compact(keep);
        this.cursor = 0;
        if (this.countValue === 0) return -1;
      }
      const c = this.cursor;
      const j = c + rng.intBelow(this.countValue - c);
      const m = order[j]!;
      order[j] = order[c]!;
      order[c] = m;
      this.cursor = c + 1;
      if (probeable(m)) return m;
    }
  }

  /**
   * Drops entries `keep` rejects, preserving order and the cursor's place, so the round goes on.
   * O(N); callers use it when stale entries outnumber live ones.
   */
  compact(keep: (m: number) => boolean): void {
    let w = 0;
    let newCursor = 0;
    for (let r = 0; r < this.countValue; r++) {
      const m = this.order[r]!;
      if (r === this.cursor) newCursor = w;
      if (keep(m)) this.order[w++] = m;
      else this.present[m] = 0;
    }
    if (this.cursor >= this.countValue) newCursor = w;
    this.countValue = w;
    this.cursor = newCursor;
    this.staleCount = 0;
  }

  /**
   * Up to `k` distinct members accepted by `accept`, appended to `into`: rejection sampling over
   * the array (no O(N) scan while most entries qualify), then a scan from a random offset only if
   * sampling came up short.
   */
  sample(k: number, accept: (m: number) => boolean, rng: Rng, into: number[]): void {
    const start = into.length;
    const n = this.countValue;
    if (k <= 0 || n === 0) return;
    const tries = Math.min(3 * n, sampleTriesBase + sampleTriesPerPick * k);
    for (let t = 0; t < tries && into.length - start < k; t++) {
      const m = this.order[rng.intBelow(n)]!;
      if (accept(m) && !includesFrom(into, start, m)) into.push(m);
    }
    if (into.length - start >= k) return;
    const offset = rng.intBelow(n);
    for (let i = 0; i < n && into.length - start < k; i++) {
      const m = this.order[(offset + i) % n]!;
      if (accept(m) && !includesFrom(into, start, m)) into.push(m);
    }
  }

  /** Entries in order (for invariant checks and tests). */
  entries(): Int32Array {
    return this.order.subarray(0, this.countValue);
  }

  /** Checks that every present flag matches exactly one entry. O(N). */
  check(): void {
    assert(this.cursor >= 0 && this.cursor <= this.countValue, 'probe cursor out of range');
    let flagged = 0;
    for (let i = 0; i < this.present.length; i++) flagged += this.present[i]!;
    assert(flagged === this.countValue, `probe order has ${this.countValue} entries but ${flagged} present flags`);
    for (let i = 0; i < this.countValue; i++) {
      const m = this.order[i]!;
      if (this.present[m] !== 1) assert(false, `probe order entry ${m} not flagged present`);
    }
  }

  private ensure(member: number, count: number): void {
    if (count > this.order.length) {
      const o = new Int32Array(Math.max(count, this.order.length * 2));
      o.set(this.order);
      this.order = o;
    }
    if (member >= this.present.length) {
      const p = new Uint8Array(Math.max(member + 1, this.present.length * 2));
      p.set(this.present);
      this.present = p;
    }
  }
}

/** `into` with `from` copied to its start. */
function grown<T extends Int32Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

function includesFrom(items: readonly number[], start: number, m: number): boolean {
  for (let i = start; i < items.length; i++) if (items[i] === m) return true;
  return false;
}
