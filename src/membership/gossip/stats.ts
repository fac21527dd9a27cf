/**
 * Counters specific to gossip heartbeating, kept next to the shared MembershipStats.
 *
 * How the shared counters are used in gossip mode (they are named after SWIM):
 * - probesSent: heartbeat messages sent (one per target per round);
 * - suspicionsRaised: members failed after TFAIL (`suspect` events);
 * - suspicionsConfirmed: members removed after TREMOVE (`dead` events);
 * - refutations: times this node raised its own heartbeat above a higher one gossiped about it
 *   (it restarted without a higher incarnation);
 * - broadcastsQueued: leave notices queued for piggybacking;
 * - broadcastsDropped: alive entries left out of a heartbeat because the packet was full, and
 *   leave notices dropped early because too many were queued;
 * - messagesIgnored: messages this protocol does not act on (SWIM messages, stale or foreign
 *   leaves, anything after leaving or before starting);
 * - the remaining SWIM counters stay 0.
 */
export interface GossipStats {
  /** join-req messages sent (each seed, each attempt). */
  joinRequestsSent: number;
  /** join-rep messages sent as an introducer. */
  joinRepliesSent: number;
  /** Entries that carried a higher heartbeat and were merged. */
  entriesMerged: number;
  /** Entries at or below the heartbeat already known (including tombstones). */
  entriesStale: number;
  /** Failed members whose heartbeat increased again before removal (`alive` events). */
  revivals: number;
  /** Removed or left members re-added with a heartbeat above their tombstone. */
  readmissions: number;
  /** Graceful leaves learned (`leave` events). */
  leavesReceived: number;
  /** Leave notices piggybacked on gossip packets (one per notice per packet). */
  leavesRelayed: number;
  /** New members ignored because the table was full of live members. */
  tableFull: number;
  /** Tombstones forgotten after tombstoneMs or evicted to make room. */
  tombstonesReaped: number;
}

export function emptyGossipStats(): GossipStats {
  return {
    joinRequestsSent: 0,
    joinRepliesSent: 0,
    entriesMerged: 0,
    entriesStale: 0,
    revivals: 0,
    readmissions: 0,
    leavesReceived: 0,
    leavesRelayed: 0,
    tableFull: 0,
    tombstonesReaped: 0,
  };
}
