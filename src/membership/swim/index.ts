/**
 * SWIM + Lifeguard membership (architecture §3): the public surface of src/membership/swim.
 */
export { SwimProtocol, invariantsDeepCheckMembersMax } from './swim-protocol.js';
export type { SwimOptions } from './swim-protocol.js';
export { defaultSwimConfig, resolveSwimConfig, udpPacketBytesMin, validateSwimConfig } from './config.js';
export type { ConfigError, SwimConfig } from './config.js';
export type { SwimTimer } from './timers.js';
export {
  pushPullIntervalScaledMs,
  pushPullScaleThresholdMembers,
  remainingSuspicionMs,
  retransmitLimit,
  suspicionConfirmationsWanted,
  suspicionMinMs,
} from './timing.js';
