/**
 * Per-connection, per-key ordering of pipelined operations. A connection runs its requests
 * concurrently (pipelining throughput), but Redis promises that commands of one connection take
 * effect in the order sent: `SET k v` then `GET k` in one pipeline must read `v`. Across a
 * replicated store, two concurrent operations on one key may complete in either order, so:
 * - a read of key k waits for the connection's earlier writes of k (reads of k run together);
 * - a write of k waits for every earlier operation of k (reads and writes).
 * Operations on different keys never wait for each other. With nothing pending on the key, the
 * operation starts synchronously.
 *
 * Each key with work pending has counts of its running reads and writes and a FIFO of operations
 * not started yet. An operation starts when nothing queued is ahead of it and what runs allows it
 * (a read: no write running; a write: nothing running). Counts instead of promise chains: every
 * client operation passes through here, and chaining several promises per operation was a
 * visible share of the RESP path's allocations.
 *
 * A connection with one operation at a time (most clients) never touches the map: that operation's
 * entry is kept aside (`solo`) and moves into the map only if a second operation arrives while it
 * runs. A map entry added and deleted per operation made V8 replace the map's table again and
 * again, and a replaced table that had reached the old generation kept its entries alive through
 * young-generation collections (see src/lib/id-table.ts).
 */

interface Waiting {
  readonly isWrite: boolean;
  readonly fn: () => Promise<unknown>;
  readonly resolve: (p: Promise<unknown>) => void;
}

interface KeyEntry {
  readonly key: string;
  readsRunning: number;
  writesRunning: number;
  /** Operations of the key not started yet, in arrival order. */
  readonly waiting: Waiting[];
}

export class KeyOrder {
  private readonly keys = new Map<string, KeyEntry>();
  /** The entry of the connection's only operation, while the map is empty. */
  private solo: KeyEntry | undefined;

  /** Keys with at least one queued or running operation. */
  get pendingKeys(): number {
    return this.keys.size + (this.solo === undefined ? 0 : 1);
  }

  /** Runs `fn` once the operations of `key` it must follow have finished. `fn` must not reject. */
  run<T>(key: string, isWrite: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.solo === undefined && this.keys.size === 0) {
      const entry: KeyEntry = { key, readsRunning: 0, writesRunning: 0, waiting: [] };
      this.solo = entry;
      return this.start(key, entry, isWrite, fn);
    }
    if (this.solo !== undefined) {
      // A second operation while the first runs: from now on both are tracked in the map.
      this.keys.set(this.solo.key, this.solo);
      this.solo = undefined;
    }
    let entry = this.keys.get(key);
    if (entry === undefined) {
      entry = { key, readsRunning: 0, writesRunning: 0, waiting: [] };
      this.keys.set(key, entry);
    }
    if (entry.waiting.length === 0 && canStart(entry, isWrite)) return this.start(key, entry, isWrite, fn);
    const queued = entry;
    // Resolved with the started operation's promise, so it settles as that operation does.
    return new Promise<T>((resolve) => queued.waiting.push({ isWrite, fn, resolve: resolve as (p: Promise<unknown>) => void }));
  }

  private start<T>(key: string, entry: KeyEntry, isWrite: boolean, fn: () => Promise<T>): Promise<T> {
    if (isWrite) entry.writesRunning++;
    else entry.readsRunning++;
    const result = fn();
    const finished = (): void => this.finish(key, entry, isWrite);
    result.then(finished, finished);
    return result;
  }

  private finish(key: string, entry: KeyEntry, isWrite: boolean): void {
    if (isWrite) entry.writesRunning--;
    else entry.readsRunning--;
    // Start what may start now, in order: reads behind a finished write start together.
    while (entry.waiting.length > 0 && canStart(entry, entry.waiting[0]!.isWrite)) {
      const next = entry.waiting.shift()!;
      next.resolve(this.start(key, entry, next.isWrite, next.fn));
    }
    // An entry stays in the map (or aside) while it has work, so this is the key's entry: drop it when idle.
    if (entry.readsRunning === 0 && entry.writesRunning === 0 && entry.waiting.length === 0) {
      if (this.solo === entry) this.solo = undefined;
      else this.keys.delete(key);
    }
  }
}

function canStart(entry: KeyEntry, isWrite: boolean): boolean {
  return isWrite ? entry.readsRunning === 0 && entry.writesRunning === 0 : entry.writesRunning === 0;
}
