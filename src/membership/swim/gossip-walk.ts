import { assert } from '../../lib/assert.js';
import type { Rng } from '../../lib/rng.js';

/**
 * The order in which gossip picks its targets: every member index exactly once per cycle, in a
 * fresh pseudo-random order each cycle.
 *
 * Why not random targets (memberlist): an update is sent only ~retransmitMult·log10(N+1) times,
 * and with independent random targets a given member misses all of one sender's sends with
 * probability about e^-(sends); over all members and all updates of a join wave that leaves some
 * member unaware of some join in a few percent of 10-node runs until push-pull repairs it, which
 * failed the course's MP1 join check. Walking a permutation makes one sender's consecutive sends go
 * to distinct members, like SWIM's round-robin probing (SWIM §4.3).
 *
 * The permutation is affine, i → (stride·i + offset) mod size with gcd(stride, size) = 1, so it
 * needs O(1) memory: 10,000 simulated nodes do not each keep another N-entry array.
 */
export class GossipWalk {
  private size = 0;
  private stride = 1;
  private offset = 0;
  private step = 0;

  /** The next member index in [0, size); starts a new cycle (new order) when the last one ended or the size changed. */
  next(size: number, rng: Rng): number {
    assert(Number.isInteger(size) && size > 0, 'gossip walk needs at least one member index');
    if (this.step >= this.size || size !== this.size) this.newCycle(size, rng);
    const index = (this.stride * this.step + this.offset) % this.size;
    this.step++;
    return index;
  }

  private newCycle(size: number, rng: Rng): void {
    this.size = size;
    this.step = 0;
    this.offset = rng.intBelow(size);
    // A random stride coprime with size; the loop ends quickly (coprimes are dense: φ(n)/n > 0.2 in practice).
    let stride = 1 + rng.intBelow(size);
    while (gcd(stride, size) !== 1) stride = stride + 1 > size ? 1 : stride + 1;
    this.stride = stride;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}
