/**
 * Lifeguard LHA-Probe local health ("awareness", memberlist awareness.go). A node that misses
 * acks and nacks, or has to refute accusations, is probably the slow one; it stretches its own
 * probe period instead of accusing healthy peers.
 */
import { assert } from '../../lib/assert.js';

/** A health score in 0..max−1 (0 = healthy). */
export class Awareness {
  private scoreValue = 0;

  /** `maxMultiplier` is awarenessMaxMultiplier: the score saturates at maxMultiplier − 1. */
  constructor(private readonly maxMultiplier: number) {
    assert(Number.isInteger(maxMultiplier) && maxMultiplier >= 1, 'awarenessMaxMultiplier must be a positive integer');
  }

  /** The current score. */
  get score(): number {
    return this.scoreValue;
  }

  /** Adds `delta` (negative = healthier), clamped to 0..max−1. */
  applyDelta(delta: number): void {
    const next = this.scoreValue + delta;
    this.scoreValue = next < 0 ? 0 : next > this.maxMultiplier - 1 ? this.maxMultiplier - 1 : next;
  }

  /** `ms` × (score + 1): how long a probe period lasts at the current health. */
  scaleMs(ms: number): number {
    return ms * (this.scoreValue + 1);
  }
}
