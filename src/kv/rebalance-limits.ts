/**
 * Named bounds of the Rebalancer (re-replication, handoff, drops, anti-entropy), units in the
 * names. The per-cluster knobs live in KvConfig (rebalanceIntervalMs, rebalanceKeysPerStep,
 * transferBatchBytesMax, antiEntropyIntervalMs); these are the internal safety bounds, which tests
 * may shrink through `createRebalancer`'s optional third argument.
 */
import { streamFrameBytesMax } from '../wire/limits.js';

/** Every bound of one Rebalancer. */
export interface RebalanceLimits {
  /**
   * Most pending transfers (one per (target node, key), waiting or in flight). At the bound the
   * key sweep pauses with its cursor kept and resumes once acks free half the room, so a slow or
   * dead target can stall re-replication but never grow memory.
   */
  readonly pendingTransfersMax: number;
  /** Most keys this node is waiting to drop (not an owner; owners' acks outstanding). Same back-pressure as above. */
  readonly dropCandidatesMax: number;
  /** Most transfer batches awaiting an ack per target node (flow control: the stream is ordered). */
  readonly inflightBatchesPerTargetMax: number;
  /** Most transfer batches awaiting an ack in total. */
  readonly inflightBatchesMax: number;
  /** A transfer batch unacknowledged after this long, in ms, is presumed lost; its records are queued again. */
  readonly transferAckTimeoutMs: number;
  /** Delay between chained sweep steps after a ring change, in ms (0: next turn of the driver). */
  readonly sweepStepGapMs: number;
  /** Most tombstones purged per rebalance tick (storage.purgeTombstones' bound). */
  readonly tombstonesPurgedPerTickMax: number;
  /** Most keys examined while looking for a run of droppable keys, per removeRange call. */
  readonly dropRunKeysMax: number;
  /** Depth of the Merkle trees compared by anti-entropy (2^depth leaves per range). */
  readonly antiEntropyTreeDepth: number;
  /** Most Merkle queries (kv-merkle-req) one exchange may send; beyond it the exchange is abandoned. */
  readonly antiEntropyQueriesPerExchangeMax: number;
  /** Most differing leaves one exchange compares key by key; the rest wait for a later round. */
  readonly antiEntropyLeavesPerExchangeMax: number;
  /** Digests asked for per kv-keys-req (and the most a responder returns). */
  readonly antiEntropyKeysPerRequest: number;
  /** Most keys one exchange pulls or pushes in total; the rest wait for a later round. */
  readonly antiEntropyRepairsPerExchangeMax: number;
  /** An exchange with no progress for this long, in ms, is abandoned (peer down or messages lost). */
  readonly antiEntropyStepTimeoutMs: number;
  /** How long a responder reuses the Merkle tree it built for one requester and range, in ms. */
  readonly merkleTreeCacheMs: number;
  /** Largest batch payload regardless of config: a stream frame with headroom for the envelope, in bytes. */
  readonly batchFrameBytesMax: number;
}

/** Defaults, sized for clusters of tens of nodes and stores of up to millions of keys. */
export const rebalanceLimitsDefault: RebalanceLimits = Object.freeze({
  pendingTransfersMax: 200_000,
  dropCandidatesMax: 100_000,
  inflightBatchesPerTargetMax: 2,
  inflightBatchesMax: 32,
  transferAckTimeoutMs: 3_000,
  sweepStepGapMs: 0,
  tombstonesPurgedPerTickMax: 10_000,
  dropRunKeysMax: 4_096,
  antiEntropyTreeDepth: 10,
  antiEntropyQueriesPerExchangeMax: 256,
  antiEntropyLeavesPerExchangeMax: 64,
  antiEntropyKeysPerRequest: 512,
  antiEntropyRepairsPerExchangeMax: 8_192,
  antiEntropyStepTimeoutMs: 2_000,
  merkleTreeCacheMs: 1_000,
  batchFrameBytesMax: streamFrameBytesMax - 64 * 1024,
});
