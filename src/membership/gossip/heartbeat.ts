/**
 * How a node's incarnation is folded into its heartbeat counter.
 *
 * The wire carries a heartbeat as an unsigned 32-bit integer and no incarnation, yet a restarted
 * node must outrank its old self, whose last heartbeat other nodes may still remember (alive or as
 * a tombstone). So a run starts counting at `incarnation × 2^20`: the upper 12 bits are the
 * incarnation, the lower 20 bits count heartbeats within one run. At the default 200 ms heartbeat
 * interval a run can go 2^20 × 0.2 s ≈ 58 hours before its counter reaches the next incarnation's
 * range; after that a restart with incarnation + 1 no longer outranks the old self by construction,
 * and the node gets back in through the refute path instead (the introducer tells it the heartbeat
 * it must beat, see protocol.ts). The counter itself never wraps: it saturates at 2^32 − 1.
 */

/** Heartbeats one run may count before reaching the next incarnation's range. */
export const heartbeatIncarnationStride = 2 ** 20;

/** Largest heartbeat the wire carries (u32). */
export const heartbeatMax = 2 ** 32 - 1;

/** Largest incarnation that still gets its own heartbeat range; larger ones are clamped to it. */
export const heartbeatIncarnationMax = Math.floor(heartbeatMax / heartbeatIncarnationStride);

/** The first heartbeat of a run at `incarnation`. */
export function heartbeatStart(incarnation: number): number {
  const inc = Math.min(Math.max(0, Math.trunc(incarnation)), heartbeatIncarnationMax);
  return inc * heartbeatIncarnationStride;
}

/** The incarnation a heartbeat belongs to. */
export function incarnationOf(heartbeat: number): number {
  return Math.floor(heartbeat / heartbeatIncarnationStride);
}

/** The largest heartbeat of `incarnation`: a left member is re-added only above this. */
export function lastHeartbeatOf(incarnation: number): number {
  return Math.min(heartbeatMax, heartbeatStart(incarnation) + heartbeatIncarnationStride - 1);
}

/** `heartbeat + 1`, saturating at the wire's limit. */
export function nextHeartbeat(heartbeat: number): number {
  return heartbeat >= heartbeatMax ? heartbeatMax : heartbeat + 1;
}

/** True for a value the wire can carry as a heartbeat. */
export function isHeartbeat(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= heartbeatMax;
}
