import { assert } from '../lib/assert.js';
import type { Address, NodeName } from '../wire/types.js';

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

  /** The index of `name`, adding it with `addr` if it is new. */
  intern(name: NodeName, addr: Address): number {
    const known = this.indexByName.get(name);
    if (known !== undefined) return known;
    const index = this.names.length;
    this.names.push(name);
    this.addrs.push(addr);
    this.indexByName.set(name, index);
    return index;
  }

  indexOf(name: NodeName): number | undefined {
    return this.indexByName.get(name);
  }

  nameAt(index: number): NodeName {
    const name = this.names[index];
    assert(name !== undefined, `no name interned at ${index}`);
    return name;
  }

  addrAt(index: number): Address {
    const addr = this.addrs[index];
    assert(addr !== undefined, `no address interned at ${index}`);
    return addr;
  }

  setAddr(index: number, addr: Address): void {
    assert(index >= 0 && index < this.addrs.length, `no name interned at ${index}`);
    this.addrs[index] = addr;
  }

  /** How many names have been interned (the bound for per-member typed arrays). */
  get size(): number {
    return this.names.length;
  }
}
