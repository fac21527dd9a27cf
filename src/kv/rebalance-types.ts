/**
 * The contract between NodeCore and the Rebalancer: the part of the KV layer that keeps every key
 * on exactly its N owners (re-replication after failures, handoff to joining nodes, dropping keys a
 * node no longer owns once their owners hold them) and runs Merkle anti-entropy (Dynamo §4.7).
 * NodeCore owns the ring, storage and membership; the Rebalancer reads them through this host.
 */
import type { Ring } from '../ring/ring.js';
import type { Address, KvMsg, NodeName } from '../wire/types.js';
import type { KvConfig } from './config.js';
import type { KvEvent } from './events.js';
import type { Storage } from './storage.js';
import type { TimerBase } from '../membership/types.js';

/** What the Rebalancer may ask for or do; every call appends to the caller's `out` via these hooks. */
export interface RebalancerHost {
  /** This node's name. */
  readonly self: NodeName;
  readonly storage: Storage;
  readonly config: KvConfig;
  /** The current ring (live members: alive and suspect). */
  ring(): Ring;
  /** Where `node` listens, if membership knows it. */
  addressOf(node: NodeName): Address | undefined;
  /** The member name at `addr`, if known (to attribute inbound messages). */
  nameAt(addr: Address): NodeName | undefined;
  /** Sends KV messages to `node` on the stream channel (reliable, ordered). */
  send(node: NodeName, msgs: readonly KvMsg[]): void;
  /** Fires `timer` back into Rebalancer.handleTimer after `afterMs`. */
  schedule(afterMs: number, timer: TimerBase): void;
  emit(event: KvEvent): void;
}

/** Message types the Rebalancer handles (NodeCore routes these to it). */
export type RebalancerMsgType =
  | 'kv-range-batch'
  | 'kv-range-ack'
  | 'kv-merkle-req'
  | 'kv-merkle-rep'
  | 'kv-keys-req'
  | 'kv-keys-rep'
  | 'kv-fetch-req'
  | 'kv-fetch-rep';

/**
 * Stream ids of the Rebalancer's kv-range-batch messages (kinds 'transfer' and 'repair') lie in
 * [rebalancerStreamIdMin, rebalancerStreamIdMin + rebalancerStreamIdSpan); NodeCore's hint replay
 * uses ids below it. kv-range-ack does not say which kind of batch it answers, so NodeCore routes
 * an ack to the Rebalancer exactly when `isRebalancerStreamId(ack.streamId)`.
 */
export const rebalancerStreamIdMin = 2 ** 31;

/** Number of Rebalancer stream ids; ids are reused cyclically (a batch lives seconds, the cycle is 2^31 batches). */
export const rebalancerStreamIdSpan = 2 ** 31;

/** True when `streamId` belongs to a Rebalancer batch (see `rebalancerStreamIdMin`). */
export function isRebalancerStreamId(streamId: number): boolean {
  return Number.isInteger(streamId) && streamId >= rebalancerStreamIdMin && streamId < rebalancerStreamIdMin + rebalancerStreamIdSpan;
}

/** Every timer the Rebalancer schedules has a `type` starting with this prefix (for drivers that route unwrapped timers). */
export const rebalancerTimerPrefix = 'rebalance-';

/** True when `timer` is one of the Rebalancer's. */
export function isRebalancerTimer(timer: TimerBase): boolean {
  return timer.type.startsWith(rebalancerTimerPrefix);
}

export interface Rebalancer {
  /** Called once when the node starts (after storage is available): arm timers. */
  start(nowMs: number): void;
  /** The ring changed from `previous` to the host's current ring. */
  onRingChange(previous: Ring, nowMs: number): void;
  /** A message routed by NodeCore; `from` is the sender's address. */
  handleMessage(from: Address, msg: Extract<KvMsg, { type: RebalancerMsgType }>, nowMs: number): void;
  /** A timer the Rebalancer scheduled fired. */
  handleTimer(timer: TimerBase, nowMs: number): void;
  /** Throws an AssertionError if an internal invariant is broken. */
  checkInvariants(): void;
}
