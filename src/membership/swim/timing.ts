/**
 * The scaling formulas of memberlist (util.go, suspicion.go) as pure functions, so they can be
 * unit-tested against the numbers in research/membership-anchors.md §1.3.
 */

/**
 * Lifeguard LHA-Suspicion minimum timeout: suspicionMult × max(1, log10 N) × probeIntervalMs
 * (memberlist util.go suspicionTimeout; the code uses log10 N floored at 1, not log(N+1)).
 */
export function suspicionMinMs(suspicionMult: number, members: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, members)));
  return Math.floor(suspicionMult * nodeScale * probeIntervalMs);
}

/**
 * Confirmations a suspicion waits for before it reaches its minimum (memberlist state.go
 * suspectNode): suspicionMult − 2 (ours: at least `confirmationsMin`), or 0 when fewer than that
 * many members besides ourselves and the suspect could confirm.
 */
export function suspicionConfirmationsWanted(suspicionMult: number, members: number, confirmationsMin = 0): number {
  const k = Math.max(confirmationsMin, suspicionMult - 2);
  if (k < 1 || members - 2 < k) return 0;
  return k;
}

/**
 * Time left on a suspicion after `confirmations` independent confirmations, `elapsedMs` after it
 * started (memberlist suspicion.go remainingSuspicionTime): the total timeout shrinks from maxMs
 * towards minMs as max − (ln(c+1)/ln(k+1))·(max−min), floored to whole ms, never below minMs.
 * A result <= 0 means the suspicion has already expired.
 */
export function remainingSuspicionMs(confirmations: number, wanted: number, elapsedMs: number, minMs: number, maxMs: number): number {
  let timeout: number;
  if (wanted < 1) {
    timeout = minMs;
  } else {
    const frac = Math.log(confirmations + 1) / Math.log(wanted + 1);
    timeout = Math.floor(maxMs - frac * (maxMs - minMs));
    if (timeout < minMs) timeout = minMs;
  }
  return timeout - elapsedMs;
}

/**
 * Least value of ceil(log10(N+1)) used for the retransmit limit. memberlist's formula gives a
 * 9-node view only retransmitMult sends per update, and during a join wave (when views are still
 * small and the nodes that learnt a member from a join reply do not re-gossip it) that many sends
 * leave a member unaware of another in about one run in a hundred of the course's 10-node
 * scenarios. Doubling the sends for tiny clusters costs a few dozen bytes once per update.
 */
export const retransmitLogFactorMin = 2;

/**
 * Times each broadcast is sent: retransmitMult × max(retransmitLogFactorMin, ceil(log10(N+1)))
 * (memberlist util.go retransmitLimit, with a floor for small clusters).
 */
export function retransmitLimit(retransmitMult: number, members: number): number {
  return retransmitMult * Math.max(retransmitLogFactorMin, Math.ceil(Math.log10(Math.max(0, members) + 1)));
}

/** Members up to which push-pull is not slowed down (memberlist pushPullScaleThreshold). */
export const pushPullScaleThresholdMembers = 32;

/**
 * Push-pull period for a cluster of `members`: unchanged up to 32 members, then multiplied by
 * ceil(log2 N − log2 32) + 1, so the O(N) exchange costs about the same bandwidth at any size
 * (memberlist util.go pushPullScale).
 */
export function pushPullIntervalScaledMs(intervalMs: number, members: number): number {
  if (members <= pushPullScaleThresholdMembers) return intervalMs;
  const multiplier = Math.ceil(Math.log2(members) - Math.log2(pushPullScaleThresholdMembers)) + 1;
  return multiplier * intervalMs;
}
