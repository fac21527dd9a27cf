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
 * removed or moved entries stay behind as stale slots (detected by `transmits !== bucket` or
 * `!live`) until the bucket is compacted, so no operation searches the queue.
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
}

/** Stale slots tolerated per bucket beyond its live entries before it is compacted. */
const staleSlotsSlack = 32;

/** Most slots one fill looks at, so a packet with little room left never scans a huge queue. */
const fillScanSlotsMax = 2048;

/** The queue. */
export class BroadcastQueue {
  private readonly buckets: Broadcast[][] = [];
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
    const b: Broadcast = { member, msg, bytes, id: this.nextId++, transmits: 0, live: true };
    this.bucket(0).push(b);
    this.liveIn[0]! += 1;
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
      for (let i = arr.length - 1; i >= this.heads[t]!; i--) {
        if (++scanned > fillScanSlotsMax) break;
        const b = arr[i]!;
        if (!b.live || b.transmits !== t) continue;
        if (b.member === recipient && b.msg.type === 'alive') continue;
        if (b.bytes <= free) {
          into.push(b.msg);
          free -= b.bytes;
          taken.push(b);
          if (--room === 0 || free < this.minBytes) break;
        }
      }
    }
    for (const b of taken) {
      const from = b.transmits;
      this.liveIn[from]! -= 1;
      b.transmits = from + 1;
      if (b.transmits >= limit) {
        this.kill(b, false);
      } else {
        this.bucket(b.transmits).push(b);
        this.liveIn[b.transmits]! += 1;
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
      for (let i = this.heads[t]!; i < arr.length; i++) {
        const b = arr[i]!;
        if (b.live && b.transmits === t) {
          inBucket++;
          if (this.byMember.get(b.member) !== b) assert(false, `live broadcast about ${b.member} not indexed`);
        }
      }
      assert(inBucket === this.liveIn[t], `bucket ${t} counts ${this.liveIn[t]} live but holds ${inBucket}`);
      live += inBucket;
    }
    assert(live === this.byMember.size, `queue indexes ${this.byMember.size} broadcasts but holds ${live}`);
  }

  private bucket(t: number): Broadcast[] {
    while (this.buckets.length <= t) {
      this.buckets.push([]);
      this.heads.push(0);
      this.liveIn.push(0);
    }
    return this.buckets[t]!;
  }

  /** Removes a live broadcast; `counted` false when the caller already moved it out of its bucket count. */
  private kill(b: Broadcast, counted = true): void {
    if (!b.live) return;
    b.live = false;
    if (counted) this.liveIn[b.transmits]! -= 1;
    if (this.byMember.get(b.member) === b) this.byMember.delete(b.member);
  }

  /** Drops the oldest entry of the most-transmitted non-empty bucket. */
  private dropWorst(): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      if (this.liveIn[t] === 0) continue;
      const arr = this.buckets[t]!;
      let h = this.heads[t]!;
      while (h < arr.length) {
        const b = arr[h++]!;
        if (b.live && b.transmits === t) {
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
    for (let i = this.heads[t]!; i < arr.length; i++) {
      const b = arr[i]!;
      if (b.live && b.transmits === t) this.kill(b);
    }
    arr.length = 0;
    this.heads[t] = 0;
  }

  /**
   * Pops stale slots off the end of bucket t. Fill takes from the end, so the entries it just
   * moved on sit there; without this every later fill would scan over them again until the next
   * compaction (the queue's hottest loop in a 10,000-node crash storm).
   */
  private trimTail(t: number): void {
    const arr = this.buckets[t]!;
    const head = this.heads[t]!;
    while (arr.length > head) {
      const b = arr[arr.length - 1]!;
      if (b.live && b.transmits === t) break;
      arr.pop();
    }
  }

  private maybeCompact(t: number): void {
    const arr = this.buckets[t]!;
    const slots = arr.length - this.heads[t]!;
    if (slots <= 2 * this.liveIn[t]! + staleSlotsSlack) return;
    let w = 0;
    for (let i = this.heads[t]!; i < arr.length; i++) {
      const b = arr[i]!;
      if (b.live && b.transmits === t) arr[w++] = b;
    }
    arr.length = w;
    this.heads[t] = 0;
  }
}
