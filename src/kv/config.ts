/**
 * Configuration of the key-value layer. Every duration in milliseconds, every size in bytes, every
 * count with its bound; validated at construction (validateKvConfig).
 */
import { err, ok, type Result } from '../lib/result.js';

export interface KvConfig {
  /** N: replicas of every key, on the first N distinct nodes clockwise (Dynamo §4.3). Default 3. */
  readonly replicationFactor: number;
  /** R: home replicas that must answer a QUORUM read. Default 2. R + W > N gives read-your-writes. */
  readonly readQuorum: number;
  /** W: home replicas that must acknowledge a QUORUM write. Default 2. */
  readonly writeQuorum: number;
  /** Virtual nodes per node on the ring. Default 256 (ring balance: docs/benchmarks.md). */
  readonly tokensPerNode: number;
  /**
   * A coordinator gives up on replicas that have not answered after this long, in ms, and settles
   * the request. Default 1000. Shorter = faster failures when replicas are down, more false
   * failures on a slow network.
   */
  readonly requestTimeoutMs: number;
  /** Most client operations a node coordinates at once; more fail with KV_ERR_OVERLOADED. Default 10000. */
  readonly inflightRequestsMax: number;
  /**
   * After a read settles, how long the coordinator keeps listening for the remaining replies to
   * repair stale replicas (Dynamo §5 read repair), in ms. Default 200.
   */
  readonly readRepairWindowMs: number;
  /**
   * A read first asks only as many home replicas as its level needs (the coordinator's own
   * replica first, then live ones before suspected ones: Cassandra's read path); if they have not
   * all answered after this long, in ms, it asks the remaining ones too (speculative retry). A
   * replica that fails or cannot be reached is replaced at once. 0, or a value not below
   * `requestTimeoutMs` (no retry could happen before the deadline), asks every home replica at once
   * (the course framework's behaviour). Default 25. Larger = less traffic when a replica is slow,
   * slower reads while a crashed replica is not yet detected.
   */
  readonly readSpeculativeRetryMs: number;
  /** How long a hint for a down replica is kept, in ms (Cassandra max_hint_window). Default 3 h. */
  readonly hintWindowMs: number;
  /** Most hints kept for one target node. Default 10000. */
  readonly hintsPerNodeMax: number;
  /** How often hints are offered to replicas that are alive again, in ms. Default 1000. */
  readonly hintReplayIntervalMs: number;
  /** How long a delete's tombstone is kept before purge, in ms. Default 1 day. */
  readonly tombstoneGraceMs: number;
  /**
   * How often a node re-checks that every key it holds sits on exactly its N owners, retrying
   * unacknowledged transfers, in ms. Default 1000. Ring changes trigger a check at once.
   */
  readonly rebalanceIntervalMs: number;
  /** Most keys examined per rebalance step (bounds the work per timer). Default 2000. */
  readonly rebalanceKeysPerStep: number;
  /** Largest transfer batch, in bytes of records. Default 256 KiB. */
  readonly transferBatchBytesMax: number;
  /** How often each node runs Merkle anti-entropy on one of its ranges, in ms; 0 disables. Default 10000. */
  readonly antiEntropyIntervalMs: number;
}

export const defaultKvConfig: KvConfig = Object.freeze({
  replicationFactor: 3,
  readQuorum: 2,
  writeQuorum: 2,
  tokensPerNode: 256,
  requestTimeoutMs: 1000,
  inflightRequestsMax: 10_000,
  readRepairWindowMs: 200,
  readSpeculativeRetryMs: 25,
  hintWindowMs: 3 * 60 * 60 * 1000,
  hintsPerNodeMax: 10_000,
  hintReplayIntervalMs: 1000,
  tombstoneGraceMs: 24 * 60 * 60 * 1000,
  rebalanceIntervalMs: 1000,
  rebalanceKeysPerStep: 2000,
  transferBatchBytesMax: 256 * 1024,
  antiEntropyIntervalMs: 10_000,
});

/** Why a KV config was refused. */
export interface KvConfigError {
  readonly code: 'CONFIG_ERR_INVALID';
  readonly field: keyof KvConfig;
  readonly message: string;
}

function bad(field: keyof KvConfig, message: string): Result<KvConfig, KvConfigError> {
  return err({ code: 'CONFIG_ERR_INVALID', field, message: `${field}: ${message}` });
}

/** Checks every field and the relations between them. */
export function validateKvConfig(config: KvConfig): Result<KvConfig, KvConfigError> {
  const ints: Array<[keyof KvConfig, number, number]> = [
    ['replicationFactor', 1, 16],
    ['readQuorum', 1, 16],
    ['writeQuorum', 1, 16],
    ['tokensPerNode', 1, 4096],
    ['requestTimeoutMs', 1, 600_000],
    ['inflightRequestsMax', 1, 10_000_000],
    ['readRepairWindowMs', 0, 600_000],
    ['readSpeculativeRetryMs', 0, 600_000],
    ['hintWindowMs', 0, 30 * 24 * 3_600_000],
    ['hintsPerNodeMax', 0, 10_000_000],
    ['hintReplayIntervalMs', 1, 3_600_000],
    ['tombstoneGraceMs', 0, 365 * 24 * 3_600_000],
    ['rebalanceIntervalMs', 1, 3_600_000],
    ['rebalanceKeysPerStep', 1, 10_000_000],
    ['transferBatchBytesMax', 1024, 64 * 1024 * 1024],
    ['antiEntropyIntervalMs', 0, 24 * 3_600_000],
  ];
  for (const [field, min, max] of ints) {
    const v = config[field];
    if (!Number.isInteger(v) || v < min || v > max) return bad(field, `must be an integer in [${min}, ${max}], got ${v}`);
  }
  if (config.readQuorum > config.replicationFactor) return bad('readQuorum', `must be <= replicationFactor (${config.replicationFactor})`);
  if (config.writeQuorum > config.replicationFactor) return bad('writeQuorum', `must be <= replicationFactor (${config.replicationFactor})`);
  return ok(config);
}

/** Defaults overridden by `partial`, validated. */
export function resolveKvConfig(partial: Partial<KvConfig> = {}): Result<KvConfig, KvConfigError> {
  return validateKvConfig({ ...defaultKvConfig, ...partial });
}

/** Replicas required for a level: ONE = 1, QUORUM = R or W from config, ALL = N. */
export function requiredReplicas(config: KvConfig, level: 'one' | 'quorum' | 'all', isRead: boolean): number {
  if (level === 'one') return 1;
  if (level === 'all') return config.replicationFactor;
  return isRead ? config.readQuorum : config.writeQuorum;
}
