/**
 * Per-connection, per-key ordering of pipelined operations. A connection runs its requests
 * concurrently (pipelining throughput), but Redis promises that commands of one connection take
 * effect in the order sent: `SET k v` then `GET k` in one pipeline must read `v`. Across a
 * replicated store, two concurrent operations on one key may complete in either order, so:
 * - a read of key k waits for the connection's earlier writes of k (reads of k run together);
 * - a write of k waits for every earlier operation of k (reads and writes).
 * Operations on different keys never wait for each other. With nothing pending on the key, the
 * operation starts synchronously (the common case costs one map lookup).
 */

interface KeyEntry {
  /** Settles when every operation of the key queued so far has finished. */
  all: Promise<void>;
  /** Settles when the last queued write of the key has finished. */
  write: Promise<void>;
}

export class KeyOrder {
  private readonly keys = new Map<string, KeyEntry>();

  /** Keys with at least one queued or running operation. */
  get pendingKeys(): number {
    return this.keys.size;
  }

  /** Runs `fn` once the operations of `key` it must follow have finished. `fn` must not reject. */
  run<T>(key: string, isWrite: boolean, fn: () => Promise<T>): Promise<T> {
    const entry = this.keys.get(key);
    let result: Promise<T>;
    if (entry === undefined) {
      result = fn();
    } else {
      const after = isWrite ? entry.all : entry.write;
      result = after.then(fn);
    }
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    const next: KeyEntry =
      entry === undefined
        ? { all: done, write: isWrite ? done : Promise.resolve() }
        : { all: isWrite ? done : Promise.all([entry.all, done]).then(() => undefined), write: isWrite ? done : entry.write };
    this.keys.set(key, next);
    void next.all.then(() => {
      if (this.keys.get(key) === next) this.keys.delete(key);
    });
    return result;
  }
}
