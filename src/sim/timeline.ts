/**
 * What really happened to nodes and links, as the simulator did it: crashes, restarts, pauses,
 * leaves, partitions and one-way blocks, with their virtual times. The checkers judge a protocol's
 * events against this ground truth ("was that node really dead when it was declared dead?").
 *
 * Nodes are referred to by their simulation index. Intervals are half-open [startMs, endMs); an
 * interval still in force has endMs = Infinity.
 */
import { assert } from '../lib/assert.js';
import { groupOf } from './network.js';

/** A half-open span of virtual time. */
export interface Interval {
  readonly startMs: number;
  endMs: number;
}

interface PartitionEpoch extends Interval {
  readonly groups: Int32Array;
}

interface BlockSpan extends Interval {
  readonly from: number;
  readonly to: number;
}

/** Why a `dead` verdict about a node was justified, or null when it was not. */
export type Excuse = 'subject-down' | 'subject-left' | 'subject-paused' | 'subject-not-started' | 'partitioned' | 'blocked';

/** Ground truth about faults, appended in time order by the simulator (or by hand in tests). */
export class FaultTimeline {
  private readonly startedAtMs = new Map<number, number>();
  private readonly down = new Map<number, Interval[]>();
  private readonly paused = new Map<number, Interval[]>();
  private readonly leftAtMs = new Map<number, number>();
  private readonly partitions: PartitionEpoch[] = [];
  private readonly blocks: BlockSpan[] = [];
  /** Time of the latest recorded fault change (for "quiescent for how long" reports). */
  lastChangeMs = 0;

  /** Node first started at `atMs`. */
  recordStart(node: number, atMs: number): void {
    if (!this.startedAtMs.has(node)) this.startedAtMs.set(node, atMs);
  }

  /** Node crashed at `atMs` (down until a restart). */
  recordCrash(node: number, atMs: number): void {
    const list = listFor(this.down, node);
    const last = list[list.length - 1];
    assert(last === undefined || last.endMs <= atMs, `node ${node} crashed twice without a restart`);
    list.push({ startMs: atMs, endMs: Infinity });
    this.touch(atMs);
  }

  /** Node restarted at `atMs`; it is no longer down, and a previous leave is forgotten. */
  recordRestart(node: number, atMs: number): void {
    const last = this.down.get(node)?.at(-1);
    assert(last !== undefined && last.endMs === Infinity, `node ${node} restarted without being down`);
    last.endMs = atMs;
    this.leftAtMs.delete(node);
    this.touch(atMs);
  }

  /** Node stalls from `atMs` until `untilMs`. */
  recordPause(node: number, atMs: number, untilMs: number): void {
    assert(untilMs >= atMs, 'a pause must not end before it starts');
    listFor(this.paused, node).push({ startMs: atMs, endMs: untilMs });
    this.touch(untilMs);
  }

  /** Node left the cluster gracefully at `atMs`. */
  recordLeave(node: number, atMs: number): void {
    this.leftAtMs.set(node, atMs);
    this.touch(atMs);
  }

  /** A partition (groups per node index) starts at `atMs`, replacing any current one. */
  recordPartition(groups: Int32Array, atMs: number): void {
    this.closePartition(atMs);
    this.partitions.push({ startMs: atMs, endMs: Infinity, groups });
    this.touch(atMs);
  }

  /** The current partition ends at `atMs`. */
  recordHeal(atMs: number): void {
    this.closePartition(atMs);
    this.touch(atMs);
  }

  /** from → to is blocked from `atMs`. */
  recordBlock(from: number, to: number, atMs: number): void {
    this.blocks.push({ from, to, startMs: atMs, endMs: Infinity });
    this.touch(atMs);
  }

  /** from → to is unblocked at `atMs`. */
  recordUnblock(from: number, to: number, atMs: number): void {
    for (const b of this.blocks) if (b.from === from && b.to === to && b.endMs === Infinity) b.endMs = atMs;
    this.touch(atMs);
  }

  /** True when `node` was crashed (and not yet restarted) at `atMs`. */
  isDown(node: number, atMs: number): boolean {
    return anyContains(this.down.get(node), atMs);
  }

  /** True when `node` had left by `atMs`. */
  hasLeft(node: number, atMs: number): boolean {
    const left = this.leftAtMs.get(node);
    return left !== undefined && left <= atMs;
  }

  /** Crash times of `node`, oldest first. */
  crashTimesMs(node: number): number[] {
    return (this.down.get(node) ?? []).map((i) => i.startMs);
  }

  /**
   * Whether declaring `subject` dead at `atMs` (on `accuser`'s word; -1 when unknown) is justified
   * by a fault within the last `graceMs`: the subject was down, had left, was paused, or the
   * accuser and subject were cut off from each other. Null means nothing excuses it: a false positive.
   */
  excuse(subject: number, accuser: number, atMs: number, graceMs: number): Excuse | null {
    const fromMs = atMs - graceMs;
    const started = this.startedAtMs.get(subject);
    if (started === undefined || started > atMs) return 'subject-not-started';
    if (anyOverlaps(this.down.get(subject), fromMs, atMs)) return 'subject-down';
    if (this.hasLeft(subject, atMs)) return 'subject-left';
    if (anyOverlaps(this.paused.get(subject), fromMs, atMs)) return 'subject-paused';
    if (accuser < 0 || accuser === subject) return null;
    for (const p of this.partitions) {
      if (overlaps(p, fromMs, atMs) && groupOf(p.groups, subject) !== groupOf(p.groups, accuser)) return 'partitioned';
    }
    for (const b of this.blocks) {
      const pair = (b.from === subject && b.to === accuser) || (b.from === accuser && b.to === subject);
      if (pair && overlaps(b, fromMs, atMs)) return 'blocked';
    }
    return null;
  }

  private closePartition(atMs: number): void {
    const last = this.partitions[this.partitions.length - 1];
    if (last !== undefined && last.endMs === Infinity) last.endMs = atMs;
  }

  private touch(atMs: number): void {
    if (atMs > this.lastChangeMs) this.lastChangeMs = atMs;
  }
}

function listFor(map: Map<number, Interval[]>, node: number): Interval[] {
  let list = map.get(node);
  if (list === undefined) {
    list = [];
    map.set(node, list);
  }
  return list;
}

function overlaps(i: Interval, fromMs: number, toMs: number): boolean {
  // [startMs, endMs) meets the closed window [fromMs, toMs].
  return i.startMs <= toMs && i.endMs > fromMs;
}

function anyOverlaps(list: readonly Interval[] | undefined, fromMs: number, toMs: number): boolean {
  if (list === undefined) return false;
  for (const i of list) if (overlaps(i, fromMs, toMs)) return true;
  return false;
}

function anyContains(list: readonly Interval[] | undefined, atMs: number): boolean {
  if (list === undefined) return false;
  for (const i of list) if (i.startMs <= atMs && atMs < i.endMs) return true;
  return false;
}
