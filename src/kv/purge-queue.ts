/**
 * A min-heap of (purgeAfterMs, key) for tombstone purging, with lazy deletion: when a tombstone is
 * overwritten or removed its entry stays and is skipped when popped (the caller checks it against
 * the store). `compact` drops stale entries so the heap stays proportional to live tombstones.
 */
export interface PurgeEntry {
  readonly purgeAfterMs: number;
  readonly key: string;
}

/** Binary min-heap ordered by `purgeAfterMs`. */
export class PurgeQueue {
  private heap: PurgeEntry[] = [];

  /** Entries held, stale ones included. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds an entry. O(log n). */
  push(entry: PurgeEntry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.purgeAfterMs <= entry.purgeAfterMs) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  /** The entry with the smallest `purgeAfterMs`, without removing it. */
  peek(): PurgeEntry | undefined {
    return this.heap[0];
  }

  /** Removes and returns the smallest entry. O(log n). */
  pop(): PurgeEntry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.purgeAfterMs < h[l]!.purgeAfterMs ? r : l;
      if (h[c]!.purgeAfterMs >= last.purgeAfterMs) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  /** Keeps only the entries `live` accepts and restores the heap order. O(n log n). */
  compact(live: (entry: PurgeEntry) => boolean): void {
    const kept = this.heap.filter(live);
    kept.sort((a, b) => a.purgeAfterMs - b.purgeAfterMs);
    // A sorted array is a valid binary min-heap.
    this.heap = kept;
  }
}
