import { assert } from '../lib/assert.js';
import type { Address, NodeName, NodeRef } from '../wire/types.js';

/**
 * Interns node names to dense small integers so that member tables can be typed arrays indexed by
 * member number. One registry per process in the runtime; the simulator shares one registry between
 * all its nodes, which is what makes 10,000 full member tables fit in one process.
 *
 * The registry also remembers the latest address seen for each name. A core updates it only when it
 * accepts an alive message with a higher incarnation and a new address. (Sharing it in the
 * simulator means an address change is seen by every node at once; simulated nodes keep their
 * address across restarts, so this never shows there.)
 */
export class NameRegistry {
  private readonly indexByName = new Map<NodeName, number>();
  private readonly names: NodeName[] = [];
  private readonly addrs: Address[] = [];
  /** refAt's cache, filled lazily; an entry is dropped when its address changes. */
  private readonly refs: (NodeRef | undefined)[] = [];

  /** The index of `name`, adding it with `addr` if it is new. */
  intern(name: NodeName, addr: Address): number {
    const known = this.indexByName.get(name);
    if (known !== undefined) return known;
    const index = this.names.length;
    this.names.push(name);
    this.addrs.push(addr);
    this.refs.push(undefined);
    this.indexByName.set(name, index);
    return index;
  }

  indexOf(name: NodeName): number | undefined {
    return this.indexByName.get(name);
  }

  nameAt(index: number): NodeName {
    const name = this.names[index];
    // Hot (every message built about a member): the message is only formatted on failure.
    if (name === undefined) assert(false, `no name interned at ${index}`);
    return name;
  }

  addrAt(index: number): Address {
    const addr = this.addrs[index];
    if (addr === undefined) assert(false, `no address interned at ${index}`);
    return addr;
  }

  /**
   * `{ name, addr }` of `index` as one shared object (NodeRef is read-only): a push-pull full state lists every
   * member, and building a fresh ref per entry was 10,000 allocations per exchange at 10,000 nodes.
   */
  refAt(index: number): NodeRef {
    const cached = this.refs[index];
    if (cached !== undefined) return cached;
    const ref: NodeRef = { name: this.nameAt(index), addr: this.addrAt(index) };
    this.refs[index] = ref;
    return ref;
  }

  setAddr(index: number, addr: Address): void {
    assert(index >= 0 && index < this.addrs.length, `no name interned at ${index}`);
    this.addrs[index] = addr;
    this.refs[index] = undefined;
  }

  /** How many names have been interned (the bound for per-member typed arrays). */
  get size(): number {
    return this.names.length;
  }
}
