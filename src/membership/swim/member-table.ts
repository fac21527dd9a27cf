/**
 * The member table: one slot per registry index, stored in typed arrays so that 10,000 nodes can
 * each hold a full view of 10,000 members in one process (about 12 bytes per member here, no
 * objects for healthy members). Metadata lives in a sparse map, only for members that have some.
 */
import { assert } from '../../lib/assert.js';
import type { MemberState } from '../../wire/types.js';
import type { NameRegistry } from '../registry.js';

/** Never heard of (or only interned by another node sharing the registry). */
export const stUnknown = 0;
/** Alive. */
export const stAlive = 1;
/** Suspected (SWIM §4.2). */
export const stSuspect = 2;
/** Declared dead by someone. */
export const stDead = 3;
/** Left gracefully. */
export const stLeft = 4;
/**
 * Reaped: removed from the view, but its last incarnation stays as a tombstone so that a stale
 * alive (incarnation <= tombstone) can never resurrect it (memberlist#312).
 */
export const stReaped = 5;

/** The wire name of a visible state; undefined for unknown and reaped. */
export function stateName(st: number): MemberState | undefined {
  switch (st) {
    case stAlive:
      return 'alive';
    case stSuspect:
      return 'suspect';
    case stDead:
      return 'dead';
    case stLeft:
      return 'left';
    default:
      return undefined;
  }
}

/** The table's code for a wire state. */
export function stateCode(state: MemberState): number {
  switch (state) {
    case 'alive':
      return stAlive;
    case 'suspect':
      return stSuspect;
    case 'dead':
      return stDead;
    case 'left':
      return stLeft;
  }
}

/** Alive or suspect: counted in liveCount and in the cluster size estimate N. */
export function isLive(st: number): boolean {
  return st === stAlive || st === stSuspect;
}

/** The state code in a state cell; the bits above it are flags. */
const stateMask = 0xff;
/**
 * Flag in a suspect's state cell: its suspicion has every confirmation it wants, so further
 * accusations change nothing (View.onSuspect's no-op fast path reads this instead of the
 * suspicion object). Any state change (set) clears it.
 */
const settledFlag = 0x100;

/** Largest value a Uint32 change-time offset can hold before the epoch must move. */
const offsetMsMax = 0xffff_ffff;

const emptyMeta = new Uint8Array(0);

/**
 * Per-member state, incarnation and last change time, indexed by registry index. State and
 * incarnation sit side by side (`cells[2i]`, `cells[2i + 1]`): nearly every received message reads
 * both, and in a 10,000-node run each such read of a random node's table is a cache miss, so one
 * line instead of two is worth the extra 3 bytes per member.
 */
export class MemberTable {
  private cells: Uint32Array;
  /** Change time as ms since `epochMs` (Uint32 saves 4 bytes/member over Float64). */
  private changed: Uint32Array;
  private epochMs = 0;
  private epochSet = false;
  private readonly metas = new Map<number, Uint8Array>();
  private live = 0;

  constructor(
    readonly registry: NameRegistry,
    initialCapacity: number,
  ) {
    const cap = Math.max(16, initialCapacity);
    this.cells = new Uint32Array(2 * cap);
    this.changed = new Uint32Array(cap);
  }

  /** Slots allocated (>= every index this table has written). */
  get capacity(): number {
    return this.changed.length;
  }

  /** Alive + suspect members, self included when alive. */
  get liveCount(): number {
    return this.live;
  }

  /** Makes room for `index`, doubling so growth is amortised O(1). */
  ensure(index: number): void {
    if (index < this.changed.length) return;
    this.resize(Math.max(index + 1, this.changed.length * 2));
  }

  private resize(cap: number): void {
    const cells = new Uint32Array(2 * cap);
    cells.set(this.cells);
    const c = new Uint32Array(cap);
    c.set(this.changed);
    this.cells = cells;
    this.changed = c;
  }

  /**
   * Grows to exactly `capacity` slots if smaller. A view preloaded with N members calls this once
   * instead of doubling its way up (10,000 nodes × log2 N copies, and up to 2× the memory).
   */
  reserve(capacity: number): void {
    if (capacity > this.changed.length) this.resize(capacity);
  }

  state(index: number): number {
    return index < this.changed.length ? this.cells[2 * index]! & stateMask : stUnknown;
  }

  /** True if `index` is suspect and markSettled was called since it became suspect. */
  isSettledSuspect(index: number): boolean {
    return index < this.changed.length && this.cells[2 * index] === (stSuspect | settledFlag);
  }

  /** Marks the suspicion of suspect `index` as wanting no more confirmations (see settledFlag). */
  markSettled(index: number): void {
    if (this.state(index) !== stSuspect) assert(false, `member ${index} settled but not suspect`);
    this.cells[2 * index] = stSuspect | settledFlag;
  }

  incarnation(index: number): number {
    return index < this.changed.length ? this.cells[2 * index + 1]! : 0;
  }

  /** When the state last changed, in the protocol's ms clock. */
  changedMs(index: number): number {
    return index < this.changed.length ? this.epochMs + this.changed[index]! : 0;
  }

  meta(index: number): Uint8Array {
    return this.metas.get(index) ?? emptyMeta;
  }

  setMeta(index: number, meta: Uint8Array): void {
    if (meta.length === 0) this.metas.delete(index);
    else this.metas.set(index, meta);
  }

  /**
   * Records a state change. Incarnations never decrease (SWIM §4.2: only the member itself raises
   * its incarnation, and we accept only equal-or-newer news), so that is asserted here.
   */
  set(index: number, st: number, incarnation: number, nowMs: number): void {
    this.ensure(index);
    const old = this.cells[2 * index]! & stateMask;
    // Hot path (10^8 calls when 10,000 nodes preload): build messages only on failure.
    if (incarnation < this.cells[2 * index + 1]! && old !== stUnknown) assert(false, `incarnation of member ${index} would decrease`);
    if (!(incarnation >= 0 && incarnation <= 0xffff_ffff && Number.isInteger(incarnation))) assert(false, 'incarnation must be a uint32');
    if (isLive(old) !== isLive(st)) this.live += isLive(st) ? 1 : -1;
    this.cells[2 * index] = st;
    this.cells[2 * index + 1] = incarnation;
    this.changed[index] = this.offset(nowMs);
    if (st === stReaped) this.metas.delete(index);
  }

  /** Writes a slot without a change time (construction, before the clock is known). */
  init(index: number, st: number, incarnation: number): void {
    this.ensure(index);
    assert((this.cells[2 * index]! & stateMask) === stUnknown, `member ${index} initialised twice`);
    if (isLive(st)) this.live++;
    this.cells[2 * index] = st;
    this.cells[2 * index + 1] = incarnation;
  }

  /** Stamps the change time of a slot without changing its state. */
  touch(index: number, nowMs: number): void {
    this.ensure(index);
    this.changed[index] = this.offset(nowMs);
  }

  /** Equal-state update of the incarnation only (a suspect confirmed at a newer incarnation). */
  setIncarnation(index: number, incarnation: number): void {
    if (!(index < this.changed.length && incarnation >= this.cells[2 * index + 1]!)) assert(false, `incarnation of member ${index} would decrease`);
    this.cells[2 * index + 1] = incarnation;
  }

  /** Recounts live members: O(N), for invariant checks only. */
  countLiveSlow(): number {
    let n = 0;
    for (let i = 0; i < this.changed.length; i++) if (isLive(this.cells[2 * i]! & stateMask)) n++;
    return n;
  }

  /** Converts an absolute time to a stored offset, moving the epoch when the offset overflows. */
  private offset(nowMs: number): number {
    if (!this.epochSet) {
      this.epochMs = nowMs;
      this.epochSet = true;
    }
    let off = nowMs - this.epochMs;
    if (off > offsetMsMax) {
      // Once in ~49 days: move the epoch so recent times stay exact. Older change times clamp to
      // the new epoch (still ~24 days ago), which is all reaping and gossip-to-the-dead need.
      const newEpoch = nowMs - 2 ** 31;
      const shift = newEpoch - this.epochMs;
      for (let i = 0; i < this.changed.length; i++) this.changed[i] = Math.max(0, this.changed[i]! - shift);
      this.epochMs = newEpoch;
      off = nowMs - newEpoch;
    }
    return Math.max(0, Math.floor(off));
  }
}
