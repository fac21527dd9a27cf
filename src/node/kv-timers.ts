/**
 * NodeCore's KV timers: what travels inside `{ type: 'kv', timer }` (src/node/types.ts). Each
 * component's timers keep their own shape; the rebalancer's are wrapped so that its timer type
 * names can never collide with the coordinator's or hint replay's.
 */
import type { CoordinatorTimer } from '../kv/coordinator-types.js';
import type { TimerBase } from '../membership/types.js';

/** Replay hints to targets that are alive again; armed only while hints are held. */
export interface HintReplayTimer {
  readonly type: 'hint-replay';
}

/** A timer the rebalancer asked for, handed back to it unchanged. */
export interface RebalancerTimer {
  readonly type: 'rebalancer';
  readonly timer: TimerBase;
}

/** Every KV timer of a node. */
export type KvTimer = CoordinatorTimer | HintReplayTimer | RebalancerTimer;
