/**
 * The heartbeat table: one row per known member, stored column-wise in typed arrays indexed by the
 * member's NameRegistry index, plus a dense list of the indices present. Compact (about 33 bytes
 * per registry name) so many simulated nodes fit in one process, and O(1) add/remove.
 */
import { AssertionError, assert } from '../../lib/assert.js';
import type { MemberState } from '../../wire/types.js';
import type { NameRegistry } from '../registry.js';

/** Row states. 0 means "no row". */
export const rowAbsent = 0;
/** Heartbeat increased within failTimeoutMs: gossiped. */
export const rowAlive = 1;
/** TFAIL passed without an increase: not gossiped, reported as `suspect`. */
export const rowFailed = 2;
/** TREMOVE passed: removed, kept as a tombstone of its last heartbeat, reported as `dead`. */
export const rowRemoved = 3;
/** Left gracefully: kept as a tombstone, reported as `left`. */
export const rowLeft = 4;

/** The MemberState a row state is reported as. */
export function memberStateOf(rowState: number): MemberState {
  switch (rowState) {
    case rowAlive:
      return 'alive';
    case rowFailed:
      return 'suspect';
    case rowRemoved:
      return 'dead';
    case rowLeft:
      return 'left';
    default:
      throw new AssertionError(`no member state for row state ${rowState}`);
  }
}

/** Rows in use to start with; the arrays double when a larger registry index arrives. */
const initialCapacity = 16;

/** See the file comment. Rows are addressed by registry index. */
export class MemberTable {
  private state = new Uint8Array(initialCapacity);
  /** Highest heartbeat seen (for tombstones: the heartbeat a re-add must exceed). */
  private hb = new Float64Array(initialCapacity);
  /** Local time the heartbeat last increased (never a remote timestamp). */
  private seenMs = new Float64Array(initialCapacity);
  /** Local time the row's state last changed. */
  private changedMs = new Float64Array(initialCapacity);
  /** Position of the row in `list`, or -1. */
  private pos = new Int32Array(initialCapacity).fill(-1);
  private readonly list: number[] = [];
  private live = 0;

  constructor(readonly registry: NameRegistry) {}

  /** Rows present (any state). */
  get size(): number {
    return this.list.length;
  }

  /** Rows alive or failed (not yet removed). */
  get liveCount(): number {
    return this.live;
  }

  /** The registry index of the k-th row (0 <= k < size), in no particular order. */
  indexAt(k: number): number {
    const i = this.list[k];
    assert(i !== undefined, `table position ${k} out of range ${this.list.length}`);
    return i;
  }

  stateOf(i: number): number {
    return i < this.state.length ? this.state[i]! : rowAbsent;
  }

  heartbeatOf(i: number): number {
    return this.hb[i]!;
  }

  seenMsOf(i: number): number {
    return this.seenMs[i]!;
  }

  changedMsOf(i: number): number {
    return this.changedMs[i]!;
  }

  /** Adds a row for registry index `i`, which must not be present. */
  add(i: number, rowState: number, heartbeat: number, nowMs: number): void {
    assert(rowState !== rowAbsent, 'cannot add an absent row');
    this.ensureCapacity(i);
    assert(this.state[i] === rowAbsent, `row ${i} already present`);
    this.state[i] = rowState;
    this.hb[i] = heartbeat;
    this.seenMs[i] = nowMs;
    this.changedMs[i] = nowMs;
    this.pos[i] = this.list.length;
    this.list.push(i);
    if (isLive(rowState)) this.live++;
  }

  /** Records a higher heartbeat and when we saw it. */
  bump(i: number, heartbeat: number, nowMs: number): void {
    assert(this.stateOf(i) !== rowAbsent, `row ${i} absent`);
    assert(heartbeat >= this.hb[i]!, `heartbeat of row ${i} must not decrease`);
    this.hb[i] = heartbeat;
    this.seenMs[i] = nowMs;
  }

  /** Raises a tombstone's heartbeat floor without touching its timestamps. */
  raiseFloor(i: number, heartbeat: number): void {
    assert(this.stateOf(i) !== rowAbsent, `row ${i} absent`);
    if (heartbeat > this.hb[i]!) this.hb[i] = heartbeat;
  }

  setState(i: number, rowState: number, nowMs: number): void {
    const old = this.stateOf(i);
    assert(old !== rowAbsent && rowState !== rowAbsent, `row ${i}: bad state change ${old} -> ${rowState}`);
    if (isLive(old)) this.live--;
    if (isLive(rowState)) this.live++;
    this.state[i] = rowState;
    this.changedMs[i] = nowMs;
  }

  /** Deletes row `i` (swap-remove: the last row takes its list position). */
  remove(i: number): void {
    const p = this.pos[i]!;
    assert(this.stateOf(i) !== rowAbsent && p >= 0, `row ${i} absent`);
    if (isLive(this.state[i]!)) this.live--;
    const last = this.list.pop()!;
    if (last !== i) {
      this.list[p] = last;
      this.pos[last] = p;
    }
    this.state[i] = rowAbsent;
    this.pos[i] = -1;
  }

  /** Throws if the columns and the list disagree. */
  check(nowMs: number): void {
    let live = 0;
    for (let k = 0; k < this.list.length; k++) {
      const i = this.list[k]!;
      const s = this.state[i]!;
      assert(s >= rowAlive && s <= rowLeft, `row ${i} in list with state ${s}`);
      assert(this.pos[i] === k, `row ${i} position ${this.pos[i]} but listed at ${k}`);
      assert(i < this.registry.size, `row ${i} beyond the registry (${this.registry.size})`);
      const hb = this.hb[i]!;
      assert(Number.isInteger(hb) && hb >= 0, `row ${i} heartbeat ${hb}`);
      assert(this.seenMs[i]! <= nowMs && this.changedMs[i]! <= nowMs, `row ${i} timestamps in the future`);
      if (isLive(s)) live++;
    }
    assert(live === this.live, `live count ${this.live}, rows say ${live}`);
    let present = 0;
    for (let i = 0; i < this.state.length; i++) if (this.state[i] !== rowAbsent) present++;
    assert(present === this.list.length, `${present} rows present, list has ${this.list.length}`);
  }

  private ensureCapacity(i: number): void {
    assert(Number.isInteger(i) && i >= 0, `bad registry index ${i}`);
    if (i < this.state.length) return;
    let cap = this.state.length;
    while (cap <= i) cap *= 2;
    this.state = grow(this.state, new Uint8Array(cap));
    this.hb = grow(this.hb, new Float64Array(cap));
    this.seenMs = grow(this.seenMs, new Float64Array(cap));
    this.changedMs = grow(this.changedMs, new Float64Array(cap));
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.pos);
    this.pos = pos;
  }
}

function isLive(rowState: number): boolean {
  return rowState === rowAlive || rowState === rowFailed;
}

function grow<T extends Uint8Array | Float64Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}
