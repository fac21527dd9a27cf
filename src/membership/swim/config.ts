/**
 * SWIM + Lifeguard configuration. Every timing is in milliseconds (the unit is in the name);
 * defaults follow memberlist's DefaultLANConfig (research/membership-anchors.md §1.8) unless a
 * field is ours. Each field says what it trades off, so an operator can tune it knowingly.
 */
import { err, ok } from '../../lib/result.js';
import type { Result } from '../../lib/result.js';
import { udpPacketBytesMax as wireUdpPacketBytesMax } from '../../wire/limits.js';

/** SWIM + Lifeguard knobs. */
export interface SwimConfig {
  /**
   * Protocol period T′ in ms: one probe per period (scaled by local health). Default 1000.
   * Shorter detects crashes sooner but costs one ping+ack more per member per second.
   */
  readonly probeIntervalMs: number;
  /**
   * How long a direct ping waits for its ack before indirect probes start, in ms. Default 500.
   * Must stay below probeIntervalMs. Too short on a slow network turns healthy members suspect;
   * Lifeguard deliberately does not scale it with local health (UDP is not helped by waiting).
   */
  readonly probeTimeoutMs: number;
  /**
   * Helpers asked to ping-req a silent target (SWIM k). Default 3. More helpers lower the false
   * positive rate exponentially at the cost of 4 extra messages per helper on a failed probe.
   */
  readonly indirectChecks: number;
  /**
   * When the direct ping times out, also ping the target over the stream channel (TCP in the
   * runtime), in parallel with the indirect probes, as memberlist does unless DisableTcpPings.
   * Default true. A live node is then suspected only if UDP and TCP both fail it, which is what
   * keeps a 1,000-node cluster at 20 % datagram loss free of false suspicions: without it about
   * 7 % of probes of live nodes fail (0.36 direct × 0.59³ indirect), and the suspicions and
   * refutations outgrow the piggyback capacity. Costs one stream frame per failed direct probe.
   */
  readonly streamPingFallback: boolean;
  /**
   * After its join is answered, a node runs one push-pull with a random member after a delay
   * drawn from [joinSyncDelayMs / 2, joinSyncDelayMs], in ms; 0 disables. Default 2000.
   * During a join wave, the members a node learnt from its own join reply are not re-gossiped
   * (that would flood large clusters), so only the seed and the joiner spread each newcomer, and
   * in about one 10-node wave in a few hundred some member misses a newcomer until the periodic
   * push-pull, up to pushPullIntervalMs later. This one early sync closes that gap for the cost of
   * one full-state exchange per join.
   */
  readonly joinSyncDelayMs: number;
  /**
   * Each broadcast goes out retransmitMult × max(2, ceil(log10(N+1))) times (SWIM's λ·log N, with a
   * floor for small clusters, see timing.ts). Default 4.
   * Higher spreads updates more reliably under loss at the cost of piggyback bytes.
   */
  readonly retransmitMult: number;
  /**
   * Minimum suspicion time = suspicionMult × max(1, log10 N) × probeIntervalMs. Default 4.
   * Longer gives a falsely accused member more time to refute; shorter detects failures sooner.
   */
  readonly suspicionMult: number;
  /**
   * Maximum suspicion time (with no independent confirmations) = this × the minimum. Default 6.
   * Lifeguard LHA-Suspicion: a lone, possibly unhealthy accuser waits long; confirmations shrink it.
   */
  readonly suspicionMaxTimeoutMult: number;
  /**
   * Ours: least number of independent confirmations a suspicion waits for before it may end at
   * its minimum; memberlist derives it as suspicionMult − 2 only, so with suspicionMult ≤ 2 a lone
   * accuser convicts at the minimum. Default 0 (memberlist). With 1, a short minimum
   * (suspicionMult 1) is safe under loss: a real failure is confirmed by a second prober within
   * about a probe period, while a lone false accusation waits towards the maximum and gets the last
   * check. The runtime's LAN profile uses suspicionMult 1 with this at 1 (docs/benchmarks.md).
   */
  readonly suspicionConfirmationsMin: number;
  /**
   * Period of the separate gossip tick in ms (memberlist's split from the probe rate). Default 200.
   * Shorter spreads updates faster at the cost of more packets while updates are queued.
   */
  readonly gossipIntervalMs: number;
  /** Random members each gossip tick sends to. Default 3. 0 disables the gossip tick (piggyback only). */
  readonly gossipNodes: number;
  /**
   * Dead members still receive gossip for this long after their death, in ms, so a falsely
   * killed member hears it and refutes. Default 30000.
   */
  readonly gossipToTheDeadMs: number;
  /**
   * Base push-pull (anti-entropy) period in ms; scaled up with cluster size like memberlist's
   * pushPullScale (×(ceil(log2 N − 5) + 1) above 32 members). Default 30000; 0 disables it.
   * Shorter heals partitions and lost updates sooner; each exchange costs O(N) bytes.
   */
  readonly pushPullIntervalMs: number;
  /**
   * Lifeguard LHA-Probe: the local health score ranges 0..awarenessMaxMultiplier−1 and the probe
   * period is multiplied by score+1. Default 8. 1 disables local health awareness.
   */
  readonly awarenessMaxMultiplier: number;
  /** First delay before a join through seeds is retried, in ms. Default 1000. */
  readonly joinRetryIntervalMs: number;
  /** The join retry delay doubles per attempt up to this cap, in ms. Default 30000. */
  readonly joinRetryBackoffMaxMs: number;
  /**
   * Dead and left members are removed from the view this long after their death, in ms (a
   * tombstone of their incarnation stays, so stale alives cannot resurrect them). Default 30000.
   * Longer keeps gossip-to-the-dead and "left" visible longer; shorter frees the view sooner.
   */
  readonly deadMemberReapMs: number;
  /**
   * Most broadcasts queued for piggybacking. Default 4096. On overflow the most-transmitted,
   * oldest broadcast is dropped (counted in stats.broadcastsDropped); push-pull repairs the loss.
   */
  readonly broadcastQueueMax: number;
  /** Largest packet this node sends, in bytes (at most the wire limit 1400). Default 1400. */
  readonly udpPacketBytesMax: number;
  /**
   * After a graceful leave the node keeps gossiping and answering for this long, in ms, so its
   * leave message spreads; then it goes quiet and ignores every input. Default 1000.
   */
  readonly leaveBroadcastMs: number;
  /**
   * Most indirect probes this node relays at once for others; further requests are ignored
   * (counted in stats.messagesIgnored). Default 1024. Bounds memory under a ping-req storm.
   */
  readonly indirectRelaysMax: number;
}

/** memberlist LAN defaults plus ours (see each field). */
export const defaultSwimConfig: SwimConfig = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  streamPingFallback: true,
  joinSyncDelayMs: 2000,
  retransmitMult: 4,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  suspicionConfirmationsMin: 0,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  pushPullIntervalMs: 30_000,
  awarenessMaxMultiplier: 8,
  joinRetryIntervalMs: 1000,
  joinRetryBackoffMaxMs: 30_000,
  deadMemberReapMs: 30_000,
  broadcastQueueMax: 4096,
  udpPacketBytesMax: wireUdpPacketBytesMax,
  leaveBroadcastMs: 1000,
  indirectRelaysMax: 1024,
});

/**
 * Smallest packet budget we accept, in bytes: a ping between two nodes with the longest names and
 * addresses plus a buddy suspect must always fit, whatever the piggyback.
 */
export const udpPacketBytesMin = 1024;

/** A configuration that cannot work. Stable code; `field` names the offending field. */
export interface ConfigError {
  readonly code: 'CONFIG_ERR_INVALID';
  readonly field: keyof SwimConfig;
  readonly message: string;
}

type Rule = readonly [field: keyof SwimConfig, min: number, max: number];

/** Integer ranges per field (inclusive). Cross-field rules follow in validateSwimConfig. */
const rules: readonly Rule[] = [
  ['probeIntervalMs', 1, 3_600_000],
  ['probeTimeoutMs', 1, 3_600_000],
  ['indirectChecks', 0, 64],
  ['joinSyncDelayMs', 0, 3_600_000],
  ['retransmitMult', 1, 64],
  ['suspicionMult', 1, 1000],
  ['suspicionMaxTimeoutMult', 1, 1000],
  ['suspicionConfirmationsMin', 0, 16],
  ['gossipIntervalMs', 1, 3_600_000],
  ['gossipNodes', 0, 64],
  ['gossipToTheDeadMs', 0, 86_400_000],
  ['pushPullIntervalMs', 0, 86_400_000],
  ['awarenessMaxMultiplier', 1, 64],
  ['joinRetryIntervalMs', 1, 3_600_000],
  ['joinRetryBackoffMaxMs', 1, 86_400_000],
  ['deadMemberReapMs', 0, 30 * 86_400_000],
  ['broadcastQueueMax', 1, 10_000_000],
  ['udpPacketBytesMax', udpPacketBytesMin, wireUdpPacketBytesMax],
  ['leaveBroadcastMs', 0, 3_600_000],
  ['indirectRelaysMax', 0, 1_000_000],
];

/** Checks every field; the first problem found is returned, naming the field. */
export function validateSwimConfig(cfg: SwimConfig): Result<SwimConfig, ConfigError> {
  for (const [field, min, max] of rules) {
    const v = cfg[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return err(invalid(field, `${field} must be an integer in ${min}..${max}, got ${String(v)}`));
    }
  }
  if (typeof cfg.streamPingFallback !== 'boolean') {
    return err(invalid('streamPingFallback', `streamPingFallback must be true or false, got ${String(cfg.streamPingFallback)}`));
  }
  if (cfg.probeTimeoutMs >= cfg.probeIntervalMs) {
    return err(invalid('probeTimeoutMs', `probeTimeoutMs (${cfg.probeTimeoutMs}) must be below probeIntervalMs (${cfg.probeIntervalMs})`));
  }
  if (cfg.joinRetryBackoffMaxMs < cfg.joinRetryIntervalMs) {
    return err(invalid('joinRetryBackoffMaxMs', `joinRetryBackoffMaxMs (${cfg.joinRetryBackoffMaxMs}) must be at least joinRetryIntervalMs (${cfg.joinRetryIntervalMs})`));
  }
  return ok(cfg);
}

/** Defaults overlaid with `partial`, validated. */
export function resolveSwimConfig(partial: Partial<SwimConfig> | undefined): Result<SwimConfig, ConfigError> {
  return validateSwimConfig({ ...defaultSwimConfig, ...(partial ?? {}) });
}

function invalid(field: keyof SwimConfig, message: string): ConfigError {
  return { code: 'CONFIG_ERR_INVALID', field, message };
}
