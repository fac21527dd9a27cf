/**
 * Timers of one core over one Node.js timer: a binary min-heap of (due time, sequence, payload) and
 * a single `setTimeout` armed for the earliest. The cores schedule many short timers (probe
 * deadlines, request deadlines, suspicion timeouts); a Node timer each would cost more and would
 * not fire in a deterministic order. Timers due at the same ms fire in scheduling order, as in
 * the simulator's event queue.
 */
import { assert } from '../lib/assert.js';

/** Most timers pending at once; the cores keep far fewer (each is tied to bounded state). */
export const timersPendingMax = 1_000_000;

interface Entry<T> {
  readonly dueMs: number;
  readonly seq: number;
  readonly payload: T;
}

export class TimerQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;
  private handle: ReturnType<typeof setTimeout> | undefined;
  private armedForMs = Infinity;
  private closed = false;

  /**
   * @param now the clock (monotonic epoch ms)
   * @param fire called with every timer due, in order, from a macrotask
   */
  constructor(
    private readonly now: () => number,
    private readonly fire: (due: T[]) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `payload` at `dueMs`. */
  add(dueMs: number, payload: T): void {
    if (this.closed) return;
    assert(this.heap.length < timersPendingMax, `more than ${timersPendingMax} timers pending`);
    this.push({ dueMs, seq: this.seq++, payload });
    if (dueMs < this.armedForMs) this.arm();
  }

  /** Cancels everything; later adds are ignored. */
  close(): void {
    this.closed = true;
    this.heap.length = 0;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private arm(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    const first = this.heap[0];
    if (first === undefined) {
      this.handle = undefined;
      this.armedForMs = Infinity;
      return;
    }
    this.armedForMs = first.dueMs;
    this.handle = setTimeout(() => this.onTimeout(), Math.max(0, first.dueMs - this.now()));
  }

  private onTimeout(): void {
    this.handle = undefined;
    this.armedForMs = Infinity;
    const now = this.now();
    const due: T[] = [];
    while (this.heap.length > 0 && this.heap[0]!.dueMs <= now) due.push(this.pop().payload);
    if (due.length > 0) this.fire(due);
    if (!this.closed) this.arm();
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Entry<T> {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
