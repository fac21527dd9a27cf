/**
 * Timers of the gossip protocol. Each carries what makes it stale: periodic timers carry the run
 * epoch (bumped when the node leaves, so a late timer of a quiet node does nothing) and the join
 * retry carries the join attempt it belongs to.
 */

/** This node's heartbeat counter is due to increment. */
export interface GossipHeartbeatTimer {
  readonly type: 'gossip-heartbeat';
  readonly epoch: number;
}

/** A gossip round is due: sweep the table for timeouts, then gossip to `gossipFanout` members. */
export interface GossipRoundTimer {
  readonly type: 'gossip-round';
  readonly epoch: number;
}

/** Re-send the join request of attempt `attempt` if no seed has answered yet. */
export interface GossipJoinRetryTimer {
  readonly type: 'gossip-join-retry';
  readonly attempt: number;
}

/** Every timer the gossip protocol schedules. */
export type GossipTimer = GossipHeartbeatTimer | GossipRoundTimer | GossipJoinRetryTimer;
