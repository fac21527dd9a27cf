/**
 * The member table: one slot per registry index, stored in typed arrays so that 10,000 nodes can
 * each hold a full view of 10,000 members in one process (about 9 bytes per member here, no
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

/** Largest value a Uint32 change-time offset can hold before the epoch must move. */
const offsetMsMax = 0xffff_ffff;

const emptyMeta = new Uint8Array(0);

/** Per-member state, incarnation and last change time, indexed by registry index. */
export class MemberTable {
  private states: Uint8Array;
  private incs: Uint32Array;
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
    this.states = new Uint8Array(cap);
    this.incs = new Uint32Array(cap);
    this.changed = new Uint32Array(cap);
  }

  /** Slots allocated (>= every index this table has written). */
  get capacity(): number {
    return this.states.length;
  }

  /** Alive + suspect members, self included when alive. */
  get liveCount(): number {
    return this.live;
  }

  /** Makes room for `index`, doubling so growth is amortised O(1). */
  ensure(index: number): void {
    if (index < this.states.length) return;
    const cap = Math.max(index + 1, this.states.length * 2);
    const s = new Uint8Array(cap);
    s.set(this.states);
    const i = new Uint32Array(cap);
    i.set(this.incs);
    const c = new Uint32Array(cap);
    c.set(this.changed);
    this.states = s;
    this.incs = i;
    this.changed = c;
  }

  state(index: number): number {
    return index < this.states.length ? this.states[index]! : stUnknown;
  }

  incarnation(index: number): number {
    return index < this.incs.length ? this.incs[index]! : 0;
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
    const old = this.states[index]!;
    // Hot path (10^8 calls when 10,000 nodes preload): build messages only on failure.
    if (incarnation < this.incs[index]! && old !== stUnknown) assert(false, `incarnation of member ${index} would decrease`);
    if (!(incarnation >= 0 && incarnation <= 0xffff_ffff && Number.isInteger(incarnation))) assert(false, 'incarnation must be a uint32');
    if (isLive(old) !== isLive(st)) this.live += isLive(st) ? 1 : -1;
    this.states[index] = st;
    this.incs[index] = incarnation;
    this.changed[index] = this.offset(nowMs);
    if (st === stReaped) this.metas.delete(index);
  }

  /** Writes a slot without a change time (construction, before the clock is known). */
  init(index: number, st: number, incarnation: number): void {
    this.ensure(index);
    assert(this.states[index] === stUnknown, `member ${index} initialised twice`);
    if (isLive(st)) this.live++;
    this.states[index] = st;
    this.incs[index] = incarnation;
  }

  /** Stamps the change time of a slot without changing its state. */
  touch(index: number, nowMs: number): void {
    this.ensure(index);
    this.changed[index] = this.offset(nowMs);
  }

  /** Equal-state update of the incarnation only (a suspect confirmed at a newer incarnation). */
  setIncarnation(index: number, incarnation: number): void {
    if (!(index < this.incs.length && incarnation >= this.incs[index]!)) assert(false, `incarnation of member ${index} would decrease`);
    this.incs[index] = incarnation;
  }

  /** Recounts live members: O(N), for invariant checks only. */
  countLiveSlow(): number {
    let n = 0;
    for (let i = 0; i < this.states.length; i++) if (isLive(this.states[i]!)) n++;
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
