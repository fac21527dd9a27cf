import { assert } from '../lib/assert.js';
import { hashSpaceSize } from '../lib/hash.js';
import type { KvRange } from '../wire/kv-types.js';

/**
 * Ranges of ring positions, the unit of ownership (Dynamo §4.3: a node is responsible for the range
 * between a token and its predecessor). A range is (start, end]: start exclusive, end inclusive,
 * wrapping past 2^53 - 1 to 0, matching `Ring`, where a position belongs to the first token at or
 * clockwise of it. `start === end` is the whole ring (a ring with one token owns everything).
 */

/** A half-open ring range (start, end]. Same shape as on the wire. */
export type RingRange = KvRange;

/** Builds a range, asserting both bounds are ring positions. */
export function ringRange(start: number, end: number): RingRange {
  assert(isPosition(start) && isPosition(end), 'range bounds must be integers in [0, 2^53)');
  return { start, end };
}

/** True when `p` is an integer ring position in [0, 2^53). */
export function isPosition(p: number): boolean {
  return Number.isSafeInteger(p) && p >= 0 && p < hashSpaceSize;
}

/** True when the range wraps (or is the whole ring): positions above `start`, then from 0 up to `end`. */
export function rangeWraps(range: RingRange): boolean {
  return range.start >= range.end;
}

/** True when `position` lies in (start, end], with wrap-around. */
export function rangeContains(range: RingRange, position: number): boolean {
  const { start, end } = range;
  if (start < end) return position > start && position <= end;
  return position > start || position <= end;
}

/** Number of positions in the range, in [1, 2^53] (the whole ring has 2^53). */
export function rangeWidth(range: RingRange): number {
  if (range.start === range.end) return hashSpaceSize;
  const d = range.end - range.start;
  return d > 0 ? d : d + hashSpaceSize;
}

/**
 * Offset of `position` within the range, in [0, width): 0 is the first position after `start`.
 * Exact: every intermediate value is an integer of magnitude at most 2^53.
 */
export function rangeOffset(range: RingRange, position: number): number {
  const d = position - range.start - 1;
  return d >= 0 ? d : d + hashSpaceSize;
}

/** The position at `offset` within the range (inverse of `rangeOffset`). */
export function rangePositionAt(range: RingRange, offset: number): number {
  // Positions after start before the wrap; comparing first keeps every sum below 2^53 (exact).
  const room = hashSpaceSize - 1 - range.start;
  return offset < room ? range.start + 1 + offset : offset - room;
}

/** Orders (position, key) pairs as a range scan returns them: by offset within `range`, then key. */
export function compareInRange(range: RingRange, pa: number, ka: string, pb: number, kb: string): number {
  const oa = rangeOffset(range, pa);
  const ob = rangeOffset(range, pb);
  if (oa !== ob) return oa < ob ? -1 : 1;
  if (ka === kb) return 0;
  return ka < kb ? -1 : 1;
}
