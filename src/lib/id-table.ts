import { assert } from './assert.js';

/**
 * A map from integer ids to values, for tables of work in flight (requests, waiters) whose entries
 * come and go thousands of times a second.
 *
 * Why not a `Map`: V8 replaces a Map's hash table as entries are added and deleted, and a replaced
 * table that had lived long enough to reach the old generation still points at the entries it held
 * until the next full collection. Until then every young-generation collection counts those
 * entries as live (the old generation is a root for it), copies them and promotes them, with all
 * they reference. On a node coordinating 12,000 writes a second that was most of the promoted
 * memory and a large part of each collection pause (docs/benchmarks.md, "Tables of work in
 * flight"). Here the slots are two arrays that are replaced only when the table grows or shrinks,
 * and a slot is cleared the moment its entry is deleted.
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones). Ids are
 * non-negative safe integers. Iteration order is unspecified.
 */

/** Slots of a new table (a power of two). */
export const idTableSlotsMin = 16;
/**
 * A table never shrinks below this many slots (16 KiB of arrays): a table that empties between
 * bursts of requests would otherwise shrink and grow again every burst, replacing its arrays each
 * time (measured: table resizes showed in a busy node's profile).
 */
export const idTableSlotsKept = 1024;

const empty = -1;

export class IdTable<T> {
  private ids: Float64Array;
  private values: Array<T | undefined>;
  private mask: number;
  /** 32 minus log2 of the slot count: Fibonacci hashing keeps the top bits of the product. */
  private shift: number;
  private count = 0;

  constructor() {
    this.ids = new Float64Array(idTableSlotsMin).fill(empty);
    this.values = new Array<T | undefined>(idTableSlotsMin).fill(undefined);
    this.mask = idTableSlotsMin - 1;
    this.shift = 32 - Math.log2(idTableSlotsMin);
  }

  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    const i = this.find(id);
    return i < 0 ? undefined : this.values[i];
  }

  has(id: number): boolean {
    return this.find(id) >= 0;
  }

  /** Adds or replaces the entry of `id`. */
  set(id: number, value: T): void {
    assert(Number.isSafeInteger(id) && id >= 0, 'IdTable ids are non-negative safe integers');
    const found = this.find(id);
    if (found >= 0) {
      this.values[found] = value;
      return;
    }
    // At most half full: probe sequences stay short.
    if (2 * (this.count + 1) > this.ids.length) this.resize(2 * this.ids.length);
    this.insert(id, value);
    this.count++;
  }

  /** Removes the entry of `id`; false if there was none. */
  delete(id: number): boolean {
    let hole = this.find(id);
    if (hole < 0) return false;
    const { ids, values, mask } = this;
    // Backward shift: move later entries of the probe run into the hole, so lookups never stop at it.
    for (let j = (hole + 1) & mask; ids[j] !== empty; j = (j + 1) & mask) {
      const home = this.slotOf(ids[j]!);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        ids[hole] = ids[j]!;
        values[hole] = values[j];
        hole = j;
      }
    }
    ids[hole] = empty;
    values[hole] = undefined;
    this.count--;
    // Shrinks only a table a spike left large, and only once it is nearly empty.
    if (this.ids.length > idTableSlotsKept && 16 * this.count < this.ids.length) this.resize(this.ids.length / 2);
    return true;
  }

  /** The values, in no particular order (a copy: the table may change while the caller walks it). */
  valuesSnapshot(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] !== empty) out.push(this.values[i]!);
    return out;
  }

  clear(): void {
    this.ids = new Float64Array(idTableSlotsMin).fill(empty);
    this.values = new Array<T | undefined>(idTableSlotsMin).fill(undefined);
    this.mask = idTableSlotsMin - 1;
    this.shift = 32 - Math.log2(idTableSlotsMin);
    this.count = 0;
  }

  private slotOf(id: number): number {
    // Fold ids beyond 32 bits, then Fibonacci hashing: sequential ids spread over the whole table.
    const folded = (id | 0) ^ ((id / 4294967296) | 0);
    return Math.imul(folded, 0x9e3779b1) >>> this.shift;
  }

  private find(id: number): number {
    // Never a stored id, and -1 would match an empty slot.
    if (!(id >= 0)) return -1;
    const { ids, mask } = this;
    for (let i = this.slotOf(id); ; i = (i + 1) & mask) {
      const at = ids[i]!;
      if (at === id) return i;
      if (at === empty) return -1;
    }
  }

  private insert(id: number, value: T): void {
    const { ids, mask } = this;
    let i = this.slotOf(id);
    while (ids[i] !== empty) i = (i + 1) & mask;
    ids[i] = id;
    this.values[i] = value;
  }

  private resize(slots: number): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    this.ids = new Float64Array(slots).fill(empty);
    this.values = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let i = 0; i < oldIds.length; i++) if (oldIds[i] !== empty) this.insert(oldIds[i]!, oldValues[i] as T);
  }
}

/**
 * An IdTable that also iterates in insertion order (the coordinator's deadline sweep walks its
 * requests in start order). The order is kept as ids in a `Set`: its replaced tables hold only
 * numbers (small integers, or from 2^31 on V8's boxed numbers, which point at nothing), never
 * the values, so a replaced table keeps no request alive.
 */
export class OrderedIdTable<T> {
  private readonly byId = new IdTable<T>();
  private readonly order = new Set<number>();

  get size(): number {
    return this.byId.size;
  }

  get(id: number): T | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Adds the entry of a new id, last in order. */
  add(id: number, value: T): void {
    assert(!this.byId.has(id), 'OrderedIdTable.add of an id already present');
    this.byId.set(id, value);
    this.order.add(id);
  }

  delete(id: number): boolean {
    this.order.delete(id);
    return this.byId.delete(id);
  }

  /** Entries oldest first; deleting entries while walking is allowed (as with a Map). */
  *entries(): Generator<[number, T]> {
    for (const id of this.order) {
      const value = this.byId.get(id);
      if (value !== undefined) yield [id, value];
    }
  }
}
