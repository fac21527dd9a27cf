/**
 * When a call tries again, and how long it waits. Three kinds of call:
 * - read (GET of a key or a view) and idempotent writes (put, delete) retry on any connection
 *   failure, timeout, KV_ERR_NOT_READY, KV_ERR_OVERLOADED and KV_ERR_QUORUM_UNAVAILABLE;
 * - create and update, whose repetition is not harmless (a retried create that had been applied
 *   answers KV_ERR_EXISTS), retry only when the request provably was not applied: the connection
 *   was refused (nothing sent), or the node answered KV_ERR_NOT_READY or KV_ERR_OVERLOADED (both
 *   refuse before contacting any replica).
 */
import type { FailureKind } from './attempt.js';
import type { RingkvErrorCode } from './errors.js';

export type CallKind = 'read' | 'idempotent' | 'unsafe';

export function retriesFailure(kind: CallKind, failure: FailureKind): boolean {
  if (failure === 'closed') return false;
  return kind !== 'unsafe' || failure === 'refused';
}

export function retriesAnswer(kind: CallKind, code: RingkvErrorCode): boolean {
  if (code === 'KV_ERR_NOT_READY' || code === 'KV_ERR_OVERLOADED') return true;
  return code === 'KV_ERR_QUORUM_UNAVAILABLE' && kind !== 'unsafe';
}

/** Backoff before round `round` (1 = after every node was tried once): 50 ms doubling to 1 s, with jitter in [50%, 100%]. */
export function backoffMs(round: number, random: () => number = Math.random): number {
  const base = Math.min(1000, 50 * 2 ** Math.min(round - 1, 10));
  return base * (0.5 + random() / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
