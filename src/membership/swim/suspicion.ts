/**
 * Lifeguard LHA-Suspicion (memberlist suspicion.go): a suspicion starts at its maximum timeout and
 * shrinks with each independent confirmation (a suspect message from another accuser), down to
 * the minimum. Only suspected members have an entry, so the map is bounded by the member count and
 * is usually tiny.
 */
import type { NodeName } from '../../wire/types.js';
import { remainingSuspicionMs } from './timing.js';

/** One running suspicion. */
export interface Suspicion {
  /** The incarnation the member is suspected at. */
  readonly incarnation: number;
  readonly startMs: number;
  /** Confirmations wanted (k); 0 means the timer runs at minMs from the start. */
  readonly wanted: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** The original accuser and each confirmer; at most wanted + 1 names. */
  readonly accusers: NodeName[];
  /** Independent confirmations counted so far (accusers.length − 1). */
  confirmations: number;
  /** Identifies the timer currently armed for this suspicion; older timers are stale. */
  token: number;
  /** When the armed timer fires. */
  deadlineMs: number;
  /** Whether the last check before conviction (View.onSuspicionTimer) was already made. */
  lastChecked: boolean;
}

/** Creates a suspicion whose first timer fires after the returned suspicion's deadline. */
export function newSuspicion(incarnation: number, from: NodeName, wanted: number, minMs: number, maxMs: number, nowMs: number, token: number): Suspicion {
  const timeout = wanted < 1 ? minMs : maxMs;
  return { incarnation, startMs: nowMs, wanted, minMs, maxMs, accusers: [from], confirmations: 0, token, deadlineMs: nowMs + timeout, lastChecked: false };
}

/**
 * Counts `from` as an independent confirmation if it is new and more are wanted. Returns the time
 * left in ms (possibly <= 0: expired now), or undefined when nothing changed.
 */
export function confirmSuspicion(s: Suspicion, from: NodeName, nowMs: number): number | undefined {
  if (s.confirmations >= s.wanted) return undefined;
  if (s.accusers.includes(from)) return undefined;
  s.accusers.push(from);
  s.confirmations++;
  const remaining = remainingSuspicionMs(s.confirmations, s.wanted, nowMs - s.startMs, s.minMs, s.maxMs);
  s.deadlineMs = nowMs + remaining;
  return remaining;
}
