/**
 * Gossip-style heartbeating: the course's classic membership protocol behind the same
 * MembershipProtocol interface as SWIM (architecture §3, last bullet).
 */
export { GossipProtocol, joinSeedsMax } from './protocol.js';
export { leaveNoticesMax } from './leave-notices.js';
export type { GossipOptions } from './protocol.js';
export { defaultGossipConfig, gossipDurationMsMax, gossipFanoutMax, gossipMembersMax, resolveGossipConfig, validateGossipConfig } from './config.js';
export type { ConfigError, GossipConfig } from './config.js';
export type { GossipHeartbeatTimer, GossipJoinRetryTimer, GossipRoundTimer, GossipTimer } from './timers.js';
export type { GossipStats } from './stats.js';
export { heartbeatIncarnationStride, heartbeatStart, incarnationOf } from './heartbeat.js';
