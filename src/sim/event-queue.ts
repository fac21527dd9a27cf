/**
 * The simulator's discrete-event queue, ordered by (timeMs, insertion seq), so that events at the
 * same virtual time run in the order they were scheduled and every run with the same seed replays
 * bit for bit.
 *
 * Two tiers, merged on every pop by comparing (time, seq):
 *  - a ring of FIFO buckets, one per whole millisecond of the next `bucketHorizonMs`: packet
 *    deliveries and short timers (the bulk of all events) go in and out in O(1). Within a bucket
 *    FIFO order is seq order, because seq only grows;
 *  - a binary min-heap for everything else (fractional times, timers further out).
 * A pure heap would sift every delivery almost to the root, because deliveries are the earliest
 * events: with millions of pending timers that is ~20 cache misses per push and per pop.
 *
 * Compact by construction, because a 10,000-node run schedules tens of millions of events (and
 * holds millions pending at its peak): keys live in typed arrays, and each event's fields live in
 * a pooled "slot" (parallel typed arrays plus one object reference). No event allocates an object
 * of its own and no closure is created per event. Slots are recycled through a free list.
 *
 * Bound: at most `eventsMax` events may be pending. `push` returns false at the bound and leaves
 * the decision to the caller (the engine drops packets and counts them, and asserts for timers).
 */
import { assert } from '../lib/assert.js';

/** Default bound on pending events: far above any sane run, low enough to stop a runaway one. */
export const eventQueueEventsMaxDefault = 32_000_000;

/** Width of the bucket ring, in ms (a power of two; covers SWIM's probe interval and timeouts). */
export const bucketHorizonMs = 2048;
const bucketMask = bucketHorizonMs - 1;

const initialCapacity = 1024;

/** A bounded, pooled queue of simulator events. */
export class EventQueue {
  /** Event kind of each slot (the engine's own small-integer codes). */
  kind: Uint8Array;
  /** Node the event is for (destination of a packet, owner of a timer). */
  node: Int32Array;
  /** First integer argument (sender index of a packet). */
  argA: Int32Array;
  /** Second integer argument (destination generation). */
  argB: Uint32Array;
  /** Third integer argument (sender generation). */
  argC: Uint32Array;
  /** The event's payload object (packet bytes, timer, input, action), or undefined. */
  readonly ref: unknown[] = [];

  // Heap tier: keys beside the slot so sifting touches only these three arrays. (Measured: an
  // interleaved array and a 4-ary heap were no faster.)
  private heapTimeMs: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  private heapCount = 0;

  // Bucket tier: buckets[t & bucketMask] holds the slots due at whole ms t, for t in
  // [cursorMs, cursorMs + bucketHorizonMs). Each bucket is consumed from bucketHeads[i].
  private readonly buckets: number[][] = [];
  private readonly bucketHeads = new Int32Array(bucketHorizonMs);
  private bucketCount = 0;
  private cursorMs = 0;
  /** Insertion seq of each bucketed slot (to break ties with the heap at equal times). */
  private slotSeq: Float64Array;

  // Slot pool.
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  private capacity: number;
  private nextSeq = 0;

  /** Largest number of pending events seen, for reports. */
  peakSize = 0;

  constructor(readonly eventsMax: number = eventQueueEventsMaxDefault) {
    assert(Number.isInteger(eventsMax) && eventsMax > 0, `eventsMax must be a positive integer, got ${eventsMax}`);
    const cap = Math.min(initialCapacity, eventsMax);
    this.capacity = cap;
    this.kind = new Uint8Array(cap);
    this.node = new Int32Array(cap);
    this.argA = new Int32Array(cap);
    this.argB = new Uint32Array(cap);
    this.argC = new Uint32Array(cap);
    this.heapTimeMs = new Float64Array(cap);
    this.heapSeq = new Float64Array(cap);
    this.heapSlot = new Int32Array(cap);
    this.slotSeq = new Float64Array(cap);
    this.freeSlots = new Int32Array(cap);
    for (let i = 0; i < bucketHorizonMs; i++) this.buckets.push([]);
  }

  /** Pending events. */
  get size(): number {
    return this.heapCount + this.bucketCount;
  }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTimeMs(): number {
    const bt = this.bucketMinTimeMs();
    const ht = this.heapCount === 0 ? Infinity : this.heapTimeMs[0]!;
    return bt < ht ? bt : ht;
  }

  /**
   * Allocates a slot and fills its fields; returns the slot, or -1 at the bound. The event is not
   * queued until `schedule(slot, timeMs)` is called, so the caller can fill `ref` first.
   */
  allocate(kind: number, node: number, argA: number, argB: number, argC: number, ref: unknown): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
    } else {
      if (this.slotsUsed === this.capacity && !this.grow()) return -1;
      slot = this.slotsUsed++;
    }
    this.kind[slot] = kind;
    this.node[slot] = node;
    this.argA[slot] = argA;
    this.argB[slot] = argB;
    this.argC[slot] = argC;
    this.ref[slot] = ref;
    return slot;
  }

  /** Queues an allocated slot at `timeMs` (after every event already queued for that time). */
  schedule(slot: number, timeMs: number): void {
    const seq = this.nextSeq++;
    const ahead = timeMs - this.cursorMs;
    if (ahead >= 0 && ahead < bucketHorizonMs && Number.isInteger(timeMs)) {
      this.slotSeq[slot] = seq;
      this.buckets[timeMs & bucketMask]!.push(slot);
      this.bucketCount++;
    } else {
      this.heapInsert(slot, timeMs, seq);
    }
    const size = this.heapCount + this.bucketCount;
    if (size > this.peakSize) this.peakSize = size;
  }

  /** Allocates and queues in one call; returns false at the bound. */
  push(timeMs: number, kind: number, node: number, argA: number, argB: number, argC: number, ref: unknown): boolean {
    const slot = this.allocate(kind, node, argA, argB, argC, ref);
    if (slot < 0) return false;
    this.schedule(slot, timeMs);
    return true;
  }

  /**
   * Removes the earliest event and returns its slot (the slot stays allocated: read its fields,
   * then `release` it, or `schedule` it again to postpone it). The queue must not be empty.
   */
  pop(): number {
    const bt = this.bucketMinTimeMs();
    if (this.heapCount === 0) {
      assert(bt !== Infinity, 'pop from an empty event queue');
      return this.bucketTake();
    }
    const ht = this.heapTimeMs[0]!;
    if (bt < ht) return this.bucketTake();
    if (bt === ht) {
      const bucket = this.buckets[this.cursorMs & bucketMask]!;
      const head = bucket[this.bucketHeads[this.cursorMs & bucketMask]!]!;
      if (this.slotSeq[head]! < this.heapSeq[0]!) return this.bucketTake();
    }
    return this.heapTake();
  }

  /** Returns a popped slot to the pool and drops its payload reference. */
  release(slot: number): void {
    this.ref[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Time of the earliest bucketed event, or Infinity. Moves the cursor over empty buckets: no
   * bucketed event is earlier, and later schedules before the cursor go to the heap.
   */
  private bucketMinTimeMs(): number {
    if (this.bucketCount === 0) return Infinity;
    const heads = this.bucketHeads;
    for (;;) {
      const i = this.cursorMs & bucketMask;
      if (heads[i]! < this.buckets[i]!.length) return this.cursorMs;
      this.cursorMs++;
    }
  }

  /** Takes the head of the cursor's bucket (which bucketMinTimeMs found non-empty). */
  private bucketTake(): number {
    const i = this.cursorMs & bucketMask;
    const bucket = this.buckets[i]!;
    const head = this.bucketHeads[i]!;
    const slot = bucket[head]!;
    if (head + 1 === bucket.length) {
      bucket.length = 0;
      this.bucketHeads[i] = 0;
    } else {
      this.bucketHeads[i] = head + 1;
    }
    this.bucketCount--;
    return slot;
  }

  private heapInsert(slot: number, timeMs: number, seq: number): void {
    assert(this.heapCount < this.capacity, 'event heap overflow: more queued events than slots');
    let i = this.heapCount++;
    const times = this.heapTimeMs;
    const seqs = this.heapSeq;
    const slots = this.heapSlot;
    // Sift up: move parents down until the new key's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeMs || (pt === timeMs && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      slots[i] = slots[parent]!;
      i = parent;
    }
    times[i] = timeMs;
    seqs[i] = seq;
    slots[i] = slot;
  }

  private heapTake(): number {
    const times = this.heapTimeMs;
    const seqs = this.heapSeq;
    const slots = this.heapSlot;
    const top = slots[0]!;
    const n = --this.heapCount;
    if (n > 0) {
      const t = times[n]!;
      const s = seqs[n]!;
      const sl = slots[n]!;
      // Sift down the last entry from the root.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n) {
          const lt = times[l]!;
          const rt = times[r]!;
          if (rt < lt || (rt === lt && seqs[r]! < seqs[l]!)) c = r;
        }
        const ct = times[c]!;
        if (t < ct || (t === ct && s < seqs[c]!)) break;
        times[i] = ct;
        seqs[i] = seqs[c]!;
        slots[i] = slots[c]!;
        i = c;
      }
      times[i] = t;
      seqs[i] = s;
      slots[i] = sl;
    }
    return top;
  }

  /** Doubles every array, up to `eventsMax`; false when already at the bound. */
  private grow(): boolean {
    if (this.capacity >= this.eventsMax) return false;
    const cap = Math.min(this.capacity * 2, this.eventsMax);
    this.kind = growU8(this.kind, cap);
    this.node = growI32(this.node, cap);
    this.argA = growI32(this.argA, cap);
    this.argB = growU32(this.argB, cap);
    this.argC = growU32(this.argC, cap);
    this.heapTimeMs = growF64(this.heapTimeMs, cap);
    this.heapSeq = growF64(this.heapSeq, cap);
    this.heapSlot = growI32(this.heapSlot, cap);
    this.slotSeq = growF64(this.slotSeq, cap);
    this.freeSlots = growI32(this.freeSlots, cap);
    this.capacity = cap;
    return true;
  }
}

function growU8(a: Uint8Array, cap: number): Uint8Array {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}

function growF64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
