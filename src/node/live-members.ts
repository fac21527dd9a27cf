/**
 * The set of members the ring is built from, and the address book KV traffic is attributed with,
 * both maintained from membership events.
 *
 * The ring holds the *live* members: alive and suspect (Dynamo §4.8.3: a member is not moved off
 * the ring just because someone could not reach it; a suspect may be a false positive, and the
 * strict quorum plus hints cover a short absence). Dead and left members leave the ring, which
 * is what starts re-replication of their ranges (the rebalancer).
 */
import type { MemberInfo, MembershipEvent } from '../membership/types.js';
import type { Address, NodeName } from '../wire/types.js';

/** Live member names and an address → name map, fed by membership events. */
export class LiveMembers {
  private readonly live = new Set<NodeName>();
  /**
   * Address → member name, for every member ever learnt (bounded like the membership registry,
   * which also keeps every name). Dead members stay, so a late answer from a replica just
   * declared dead is still attributed; an address that moves to another name is remapped.
   */
  private readonly byAddr = new Map<Address, NodeName>();
  private readonly addrOf = new Map<NodeName, Address>();

  /** Live members (alive + suspect), self included once started. */
  get size(): number {
    return this.live.size;
  }

  /** The live names (do not mutate). */
  names(): ReadonlySet<NodeName> {
    return this.live;
  }

  /** True when `name` is live. */
  has(name: NodeName): boolean {
    return this.live.has(name);
  }

  /** The member listening at `addr`, if known. */
  nameAt(addr: Address): NodeName | undefined {
    return this.byAddr.get(addr);
  }

  /** Where `name` listens, if known. */
  addressOf(name: NodeName): Address | undefined {
    return this.addrOf.get(name);
  }

  /** Learns (or moves) `name`'s address. */
  learn(name: NodeName, addr: Address): void {
    const old = this.addrOf.get(name);
    if (old === addr) return;
    if (old !== undefined && this.byAddr.get(old) === name) this.byAddr.delete(old);
    this.addrOf.set(name, addr);
    this.byAddr.set(addr, name);
  }

  /**
   * Rebuilds from a full member list (at start, where a pre-loaded view comes without events).
   * Returns true when the live set changed.
   */
  resetFrom(members: readonly MemberInfo[]): boolean {
    const next = new Set<NodeName>();
    for (const m of members) {
      this.learn(m.name, m.addr);
      if (m.state === 'alive' || m.state === 'suspect') next.add(m.name);
    }
    let changed = next.size !== this.live.size;
    if (!changed) for (const n of next) if (!this.live.has(n)) changed = true;
    if (changed) {
      this.live.clear();
      for (const n of next) this.live.add(n);
    }
    return changed;
  }

  /**
   * Applies one membership event; returns true when the live set changed. Suspect and alive
   * (a refuted suspicion) keep a member live, so only join, dead and leave change the set.
   */
  onEvent(event: MembershipEvent): boolean {
    switch (event.type) {
      case 'join':
        this.learn(event.member, event.addr);
        if (this.live.has(event.member)) return false;
        this.live.add(event.member);
        return true;
      case 'update':
        this.learn(event.member, event.addr);
        return false;
      case 'dead':
      case 'leave':
        return this.live.delete(event.member);
      default:
        return false;
    }
  }
}
