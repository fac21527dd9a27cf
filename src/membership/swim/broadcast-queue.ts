/**
 * Transmit-limited broadcast queue (memberlist queue.go; SWIM §4.1 infection-style dissemination).
 * Updates wait here to be piggybacked on outgoing packets; each is sent at most `limit` times
 * (retransmitMult × ceil(log10(N+1))), least-transmitted first, so fresh news spreads before old
 * news is repeated. Among equals the most recently queued (or sent) goes first: exact "newest
 * first" like memberlist's btree would need a sorted insert per transmission, and the tie-break
 * does not change the guarantee that every broadcast gets its `limit` sends. A newer update about a member replaces the
 * queued one (only the latest state matters). The queue is bounded: on overflow the most
 * transmitted, oldest broadcast goes (push-pull repairs whatever is lost).
 *
 * Layout: one array ("bucket") per transmit count. Entries move to the next bucket when sent;
 * removed or moved entries stay behind as stale slots until the bucket is compacted, so no
 * operation searches the queue. Each bucket has a parallel array of slot sizes in which a stale
 * slot holds `staleSlot` (larger than any packet): fill's scan then reads one small number per
 * slot instead of dereferencing every broadcast object (a cache miss each in a 10,000-node run,
 * where the scan of a nearly full packet was the simulator's hottest loop).
 */
import { assert } from '../../lib/assert.js';
import type { Msg } from '../../wire/types.js';

/** A queued update: one per member at most. */
export interface Broadcast {
  /** The member the message is about (registry index): the key for invalidation. */
  readonly member: number;
  readonly msg: Msg;
  /** Cached `messageBytes(msg)`, so filling a packet never re-measures. */
  readonly bytes: number;
  /** Insertion order: larger is newer. */
  readonly id: number;
  transmits: number;
  live: boolean;
  /** Position in bucket `transmits` while live (kept up to date by pushes and compactions). */
  slot: number;
}

/** Stale slots tolerated per bucket beyond its live entries before it is compacted. */
const staleSlotsSlack = 32;

/** Most slots one fill looks at, so a packet with little room left never scans a huge queue. */
const fillScanSlotsMax = 2048;

/** Size recorded for a stale slot: more than any packet's free room, so it is never taken. */
const staleSlot = 0x3fff_ffff;

/** The queue. */
export class BroadcastQueue {
  private readonly buckets: Broadcast[][] = [];
  /** sizes[t][i]: bytes of buckets[t][i] if that slot is live, else staleSlot. */
  private readonly sizes: number[][] = [];
  private readonly heads: number[] = [];
  private readonly liveIn: number[] = [];
  private readonly byMember = new Map<number, Broadcast>();
  private readonly taken: Broadcast[] = [];
  private nextId = 0;
  private minBytes = Number.MAX_SAFE_INTEGER;

  /** `max` is broadcastQueueMax. */
  constructor(private readonly max: number) {
    assert(Number.isInteger(max) && max >= 1, 'broadcast queue bound must be a positive integer');
  }

  /** Live broadcasts queued. */
  get size(): number {
    return this.byMember.size;
  }

  /** The queued broadcast about `member`, if any (for tests and invariants). */
  about(member: number): Broadcast | undefined {
    return this.byMember.get(member);
  }

  /**
   * Queues `msg` about `member`, replacing any older broadcast about it. Returns how many
   * broadcasts were dropped to stay within the bound (0 or 1).
   */
  enqueue(member: number, msg: Msg, bytes: number): number {
    const old = this.byMember.get(member);
    if (old !== undefined) this.kill(old);
    const b: Broadcast = { member, msg, bytes, id: this.nextId++, transmits: 0, live: true, slot: 0 };
    this.place(b);
    this.byMember.set(member, b);
    if (bytes < this.minBytes) this.minBytes = bytes;
    let dropped = 0;
    while (this.byMember.size > this.max) {
      this.dropWorst();
      dropped++;
    }
    this.maybeCompact(0);
    return dropped;
  }

  /**
   * Appends broadcasts to `into` while they fit in `freeBytes` and `freeCount` messages, counting
   * one transmission each; broadcasts that reach `limit` transmissions leave the queue. Returns
   * the bytes used. An alive about `recipient` itself is skipped (it tells the recipient nothing,
   * and would waste one of the update's few transmissions); suspect and dead about the recipient
   * are kept, it needs them to refute.
   */
  fill(into: Msg[], freeBytes: number, freeCount: number, limit: number, recipient = -1): number {
    let free = freeBytes;
    let room = freeCount;
    let scanned = 0;
    const taken = this.taken;
    taken.length = 0;
    for (let t = 0; t < this.buckets.length && room > 0 && free >= this.minBytes && scanned < fillScanSlotsMax; t++) {
      if (this.liveIn[t] === 0) continue;
      if (t >= limit) {
        this.expireBucket(t);
        continue;
      }
      const arr = this.buckets[t]!;
      const size = this.sizes[t]!;
      const head = this.heads[t]!;
      for (let i = arr.length - 1; i >= head; i--) {
        if (++scanned > fillScanSlotsMax) break;
        const bytes = size[i]!;
        if (bytes > free) continue; // too big, or a stale slot
        const b = arr[i]!;
        if (b.member === recipient && b.msg.type === 'alive') continue;
        into.push(b.msg);
        free -= bytes;
        taken.push(b);
        if (--room === 0 || free < this.minBytes) break;
      }
    }
    for (const b of taken) {
      const from = b.transmits;
      this.unslot(b);
      b.transmits = from + 1;
      if (b.transmits >= limit) {
        this.kill(b, false);
      } else {
        this.place(b);
      }
      this.trimTail(from);
      this.maybeCompact(from);
    }
    taken.length = 0;
    return freeBytes - free;
  }

  /** Checks the bookkeeping. O(queue). */
  check(): void {
    assert(this.byMember.size <= this.max, `broadcast queue holds ${this.byMember.size} > bound ${this.max}`);
    let live = 0;
    for (let t = 0; t < this.buckets.length; t++) {
      let inBucket = 0;
      const arr = this.buckets[t]!;
      const size = this.sizes[t]!;
      assert(size.length === arr.length, `bucket ${t} has ${arr.length} slots but ${size.length} sizes`);
      for (let i = this.heads[t]!; i < arr.length; i++) {
        const b = arr[i]!;
        const live = b.live && b.transmits === t;
        if (live !== (size[i] !== staleSlot)) assert(false, `bucket ${t} slot ${i} liveness and size disagree`);
        if (live) {
          inBucket++;
          if (b.slot !== i || size[i] !== b.bytes) assert(false, `broadcast about ${b.member} misplaced in bucket ${t}`);
          if (this.byMember.get(b.member) !== b) assert(false, `live broadcast about ${b.member} not indexed`);
        }
      }
      assert(inBucket === this.liveIn[t], `bucket ${t} counts ${this.liveIn[t]} live but holds ${inBucket}`);
      live += inBucket;
    }
    assert(live === this.byMember.size, `queue indexes ${this.byMember.size} broadcasts but holds ${live}`);
  }

  /** Appends live `b` to the bucket of its transmit count. */
  private place(b: Broadcast): void {
    const t = b.transmits;
    while (this.buckets.length <= t) {
      this.buckets.push([]);
      this.sizes.push([]);
      this.heads.push(0);
      this.liveIn.push(0);
    }
    const arr = this.buckets[t]!;
    b.slot = arr.length;
    arr.push(b);
    this.sizes[t]!.push(b.bytes);
    this.liveIn[t]! += 1;
  }

  /** Turns live `b`'s slot stale and uncounts it (it is about to move or die). */
  private unslot(b: Broadcast): void {
    this.sizes[b.transmits]![b.slot] = staleSlot;
    this.liveIn[b.transmits]! -= 1;
  }

  /** Removes a live broadcast; `counted` false when the caller already unslotted it. */
  private kill(b: Broadcast, counted = true): void {
    if (!b.live) return;
    b.live = false;
    if (counted) this.unslot(b);
    if (this.byMember.get(b.member) === b) this.byMember.delete(b.member);
  }

  /** Drops the oldest entry of the most-transmitted non-empty bucket. */
  private dropWorst(): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      if (this.liveIn[t] === 0) continue;
      const arr = this.buckets[t]!;
      const size = this.sizes[t]!;
      let h = this.heads[t]!;
      while (h < arr.length) {
        const b = arr[h]!;
        if (size[h++] !== staleSlot) {
          this.heads[t] = h;
          this.kill(b);
          this.maybeCompact(t);
          return;
        }
      }
      this.heads[t] = h;
    }
    assert(false, 'broadcast queue over bound but no live entry found');
  }

  /** Every broadcast in bucket t has been sent `limit` times already (N shrank): done. */
  private expireBucket(t: number): void {
    const arr = this.buckets[t]!;
    const size = this.sizes[t]!;
    for (let i = this.heads[t]!; i < arr.length; i++) {
      if (size[i] !== staleSlot) this.kill(arr[i]!);
    }
    arr.length = 0;
    size.length = 0;
    this.heads[t] = 0;
  }

  /**
   * Pops stale slots off the end of bucket t. Fill takes from the end, so the entries it just
   * moved on sit there; without this every later fill would scan over them again until the next
   * compaction (the queue's hottest loop in a 10,000-node crash storm).
   */
  private trimTail(t: number): void {
    const arr = this.buckets[t]!;
    const size = this.sizes[t]!;
    const head = this.heads[t]!;
    while (arr.length > head && size[arr.length - 1] === staleSlot) {
      arr.pop();
      size.pop();
    }
  }

  private maybeCompact(t: number): void {
    const arr = this.buckets[t]!;
    const slots = arr.length - this.heads[t]!;
    if (slots <= 2 * this.liveIn[t]! + staleSlotsSlack) return;
    const size = this.sizes[t]!;
    let w = 0;
    for (let i = this.heads[t]!; i < arr.length; i++) {
      if (size[i] === staleSlot) continue;
      const b = arr[i]!;
      b.slot = w;
      size[w] = size[i]!;
      arr[w++] = b;
    }
    arr.length = w;
    size.length = w;
    this.heads[t] = 0;
  }
}
