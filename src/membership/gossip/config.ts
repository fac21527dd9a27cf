/**
 * Configuration of the gossip-style heartbeating protocol (the course's MP1 protocol, after van
 * Renesse, Minsky and Hayden, "A Gossip-Style Failure Detection Service", 1998).
 *
 * Every duration is in milliseconds of the protocol's clock (`nowMs`). The simulator's seed
 * scenarios use 1 tick = 100 ms, so the defaults below are also given in ticks.
 */
import type { Result } from '../../lib/result.js';
import { err, ok } from '../../lib/result.js';

/** Tunables of the gossip protocol. See `defaultGossipConfig` for the defaults and their reasoning. */
export interface GossipConfig {
  /**
   * How often this node increments its own heartbeat counter, in ms. Default 200 (2 ticks).
   * Shorter = fresher heartbeats at no bandwidth cost (the counter rides on gossip anyway), but a
   * run exhausts its 2^20-heartbeat budget sooner (see heartbeat.ts: 200 ms gives 58 hours).
   */
  readonly heartbeatIntervalMs: number;
  /**
   * How often this node gossips its table, in ms. Default 200 (2 ticks). Shorter = faster
   * spreading and detection, proportionally more packets (gossipFanout per interval per node).
   */
  readonly gossipIntervalMs: number;
  /**
   * How many random alive members receive each gossip round. Default 3 (memberlist's GossipNodes).
   * Higher = faster, more loss-tolerant spreading, linearly more packets.
   */
  readonly gossipFanout: number;
  /**
   * TFAIL, in ms: a member whose heartbeat has not increased for this long is considered failed
   * (state `suspect`, event `suspect`, no longer gossiped). Default 4000 (40 ticks, 20 gossip
   * rounds). Shorter = faster detection, more false suspicions under loss.
   */
  readonly failTimeoutMs: number;
  /**
   * TREMOVE, in ms: a member failed for this long is removed (state `dead`, event `dead`).
   * Default 8000 (80 ticks). Any heartbeat increase during this window revives the member, so a
   * false removal needs silence for failTimeoutMs + removeTimeoutMs: longer = fewer false removals,
   * slower removal.
   */
  readonly removeTimeoutMs: number;
  /** How often a join request is re-sent to the seeds until one answers, in ms. Default 1000. */
  readonly joinRetryIntervalMs: number;
  /**
   * How long a removed (dead) or left member's last heartbeat is remembered, in ms, so that stale
   * gossip cannot re-add it. Default 30000 (memberlist keeps dead nodes about as long). Must be at
   * least failTimeoutMs: that is how long another node may still gossip the member's last heartbeat.
   * Longer = more protection against late stale gossip (for example after a partition heals),
   * more memory.
   */
  readonly tombstoneMs: number;
  /**
   * Most members (including self and tombstones) this node keeps. Default 16384. New members
   * beyond it are ignored after the oldest tombstones are evicted to make room.
   */
  readonly membersMax: number;
}

/**
 * Defaults, chosen for the simulator's 1 tick = 100 ms and clusters of up to about 100 nodes.
 *
 * Why TFAIL = 4 s with fanout 3 every 200 ms: an observer O misses a live node X's progress only if
 * no node holding a fresher heartbeat of X than O's gossips to O. In a 10-node cluster each sender
 * picks O with probability 3/9; at 10 % loss a round delivers with probability 0.3 per informed
 * sender. X alone (worst case, first round) fails to reach O with probability 0.7; once X's
 * heartbeat has spread (2–3 rounds), all 9 others hold it and a round misses with 0.7^9 ≈ 0.04.
 * Over the 20 rounds of TFAIL that is about 0.7^3 · 0.04^17 ≈ 1e-24 per observer and window:
 * negligible. A false removal needs the silence to last TFAIL + TREMOVE = 60 rounds: never in
 * practice. A crash is suspected 4 s and removed 12 s after its last heartbeat spread, well within
 * 60 s. Larger tables that do not fit one packet are gossiped in rotating slices, which slows
 * spreading by about (table bytes / packet bytes); raise failTimeoutMs accordingly.
 */
export const defaultGossipConfig: GossipConfig = Object.freeze({
  heartbeatIntervalMs: 200,
  gossipIntervalMs: 200,
  gossipFanout: 3,
  failTimeoutMs: 4000,
  removeTimeoutMs: 8000,
  joinRetryIntervalMs: 1000,
  tombstoneMs: 30_000,
  membersMax: 16_384,
});

/** Longest accepted duration, in ms (one day): larger values are almost surely a unit mistake. */
export const gossipDurationMsMax = 86_400_000;

/** Largest accepted gossip fanout (each round sends this many packets). */
export const gossipFanoutMax = 64;

/** Largest accepted member table, in members. */
export const gossipMembersMax = 1_000_000;

/** An invalid configuration value; `field` names it. Stable code, listed in docs/errors.md. */
export interface ConfigError {
  readonly code: 'CONFIG_ERR_INVALID';
  readonly field: keyof GossipConfig;
  readonly detail: string;
}

function invalid(field: keyof GossipConfig, detail: string): Result<GossipConfig, ConfigError> {
  return err({ code: 'CONFIG_ERR_INVALID', field, detail: `${field}: ${detail}` });
}

const durationFields = [
  'heartbeatIntervalMs',
  'gossipIntervalMs',
  'failTimeoutMs',
  'removeTimeoutMs',
  'joinRetryIntervalMs',
  'tombstoneMs',
] as const;

/** Checks every field and the relations between them. The first problem found is reported. */
export function validateGossipConfig(cfg: GossipConfig): Result<GossipConfig, ConfigError> {
  for (const field of durationFields) {
    const v = cfg[field];
    if (!Number.isInteger(v) || v < 1 || v > gossipDurationMsMax) {
      return invalid(field, `must be an integer number of ms in 1..${gossipDurationMsMax}, got ${String(v)}`);
    }
  }
  if (!Number.isInteger(cfg.gossipFanout) || cfg.gossipFanout < 1 || cfg.gossipFanout > gossipFanoutMax) {
    return invalid('gossipFanout', `must be an integer in 1..${gossipFanoutMax}, got ${String(cfg.gossipFanout)}`);
  }
  if (!Number.isInteger(cfg.membersMax) || cfg.membersMax < 2 || cfg.membersMax > gossipMembersMax) {
    return invalid('membersMax', `must be an integer in 2..${gossipMembersMax}, got ${String(cfg.membersMax)}`);
  }
  // A member must be able to miss a couple of rounds without being failed: with fewer than 3
  // heartbeats or gossip rounds per TFAIL, a single lost packet causes a false suspicion.
  const slowest = Math.max(cfg.heartbeatIntervalMs, cfg.gossipIntervalMs);
  if (cfg.failTimeoutMs < 3 * slowest) {
    return invalid('failTimeoutMs', `must be at least 3 × max(heartbeatIntervalMs, gossipIntervalMs) = ${3 * slowest}, got ${cfg.failTimeoutMs}`);
  }
  // Other nodes keep gossiping a member's last heartbeat for up to TFAIL after we last saw it
  // increase; forgetting the tombstone sooner would let that stale gossip re-add the member.
  if (cfg.tombstoneMs < cfg.failTimeoutMs) {
    return invalid('tombstoneMs', `must be at least failTimeoutMs = ${cfg.failTimeoutMs}, got ${cfg.tombstoneMs}`);
  }
  return ok(cfg);
}

/** Defaults overlaid with `overrides` (undefined fields keep their defaults); not yet validated. */
export function resolveGossipConfig(overrides: Partial<GossipConfig> | undefined): GossipConfig {
  const merged: Record<string, number> = { ...defaultGossipConfig };
  if (overrides !== undefined) {
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  }
  return merged as unknown as GossipConfig;
}
