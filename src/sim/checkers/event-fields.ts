/**
 * Reads the fields the membership checkers need from a loosely typed event (the engine's events
 * are `{type: string}`), without trusting their shape: a KV core's events pass through unharmed.
 */
import type { Tagged } from '../actor.js';

/** The subject of a membership event (`member`), or undefined when it has none. */
export function eventMember(event: Tagged): string | undefined {
  const member = (event as { readonly member?: unknown }).member;
  return typeof member === 'string' ? member : undefined;
}

/** Who raised a suspect/dead verdict (`from`), or undefined. */
export function eventAccuser(event: Tagged): string | undefined {
  const from = (event as { readonly from?: unknown }).from;
  return typeof from === 'string' ? from : undefined;
}

/** The incarnation an event is about, or -1. */
export function eventIncarnation(event: Tagged): number {
  const inc = (event as { readonly incarnation?: unknown }).incarnation;
  return typeof inc === 'number' ? inc : -1;
}

/** Lower median / percentile helpers over a sorted copy; NaN for an empty list. */
export function summarise(values: ArrayLike<number>): { readonly count: number; readonly firstMs: number; readonly medianMs: number; readonly lastMs: number } {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, firstMs: NaN, medianMs: NaN, lastMs: NaN };
  return { count: n, firstMs: sorted[0]!, medianMs: sorted[(n - 1) >> 1]!, lastMs: sorted[n - 1]! };
}
