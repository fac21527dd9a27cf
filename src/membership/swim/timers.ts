/**
 * The timers SWIM asks its driver for. Each carries what makes it stale (a sequence number, a
 * token, or the member and incarnation it was armed for), so a timer that fires after the
 * situation changed is recognised and ignored instead of acting on old state. `member` fields are
 * NameRegistry indices (valid only within the process that armed them, like every timer).
 */
import type { TimerBase } from '../types.js';

/** Every SWIM timer. */
export type SwimTimer =
  /** Start the next protocol period (finishing the previous probe). Stale if `token` is old. */
  | { readonly type: 'probe-tick'; readonly token: number }
  /** The direct ping of probe `seq` timed out: go indirect. Stale unless `seq` is still probing. */
  | { readonly type: 'probe-timeout'; readonly seq: number }
  /** An indirect ping we relay (our own `seq`) timed out: nack the requester. */
  | { readonly type: 'relay-timeout'; readonly seq: number }
  /** A suspicion ran out: declare the member dead. Stale unless `token` matches the live suspicion. */
  | { readonly type: 'suspicion'; readonly member: number; readonly incarnation: number; readonly token: number }
  /**
   * Re-probe a member we accuse, with the suspicion attached (buddy system), while the suspicion
   * lasts. Stale once that suspicion (member at `incarnation`) is over.
   */
  | { readonly type: 'reprobe'; readonly member: number; readonly incarnation: number }
  /** A dead or left member may be reaped. Stale unless it is still dead/left at `incarnation`. */
  | { readonly type: 'reap'; readonly member: number; readonly incarnation: number }
  /** Gossip tick; armed only while broadcasts are queued. */
  | { readonly type: 'gossip'; readonly token: number }
  /** Periodic push-pull anti-entropy. */
  | { readonly type: 'push-pull'; readonly token: number }
  /** One push-pull with a random member shortly after joining (see SwimConfig.joinSyncDelayMs). */
  | { readonly type: 'join-sync'; readonly token: number }
  /** Retry a join that got no answer yet. Stale once a seed answered or a newer join started. */
  | { readonly type: 'join-retry'; readonly attempt: number; readonly token: number }
  /** The leave broadcast had its time: go quiet. */
  | { readonly type: 'leave-quiet' };

// Compile-time check that SwimTimer satisfies the interface's timer shape.
const _timerShape: TimerBase = { type: 'leave-quiet' } satisfies SwimTimer;
void _timerShape;
