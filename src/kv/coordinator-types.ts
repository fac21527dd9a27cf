/**
 * The contract between a Coordinator and the node that hosts it (NodeCore), and the coordinator's
 * timers. The coordinator never touches the network, the clock or storage itself: it asks the
 * host, so it stays a pure state machine that tests can drive directly.
 */
import type { Ring } from '../ring/ring.js';
import type { KvRequestMsg, KvResponseMsg, KvVersion, NodeName } from '../wire/types.js';
import type { ClientResult } from './client-types.js';
import type { KvConfig } from './config.js';
import type { KvEvent } from './events.js';
import type { StoredRecord } from './record.js';

/** What a Coordinator needs from its node. */
export interface CoordinatorHost {
  /** This node's name (a home replica equal to it is served locally, without the network). */
  readonly self: NodeName;
  readonly config: KvConfig;
  /**
   * The ring to route by, or a reason the node cannot coordinate yet (not started, still joining,
   * leaving): the request then fails with KV_ERR_NOT_READY.
   */
  ring(): Ring | string;
  /** True when membership currently suspects `node` (a write to it gets a hint early). */
  isSuspect(node: NodeName): boolean;
  /** Sends `msg` to `node` on the stream channel; false when its address is unknown (not sent). */
  send(node: NodeName, msg: KvRequestMsg): boolean;
  /** Serves `msg` on this node's own replica, synchronously, and returns its answer. */
  serveLocally(msg: KvRequestMsg, nowMs: number): KvResponseMsg;
  /** A fresh version from the node's hybrid logical clock (a write this node coordinates). */
  newVersion(nowMs: number): KvVersion;
  /** Fires `timer` back into Coordinator.handleTimer after `afterMs`. */
  schedule(afterMs: number, timer: CoordinatorTimer): void;
  emit(event: KvEvent): void;
  /** The client's answer (exactly one per request). */
  reply(requestId: number, result: ClientResult): void;
  /** Keeps `record` as a hint for `target`, which did not acknowledge the write (hinted handoff). */
  storeHint(target: NodeName, key: string, record: StoredRecord, nowMs: number): void;
  /** `target` acknowledged the write of `key` at `version` after all: its hint is not needed. */
  hintAcknowledged(target: NodeName, key: string, version: KvVersion): void;
}

/**
 * Coordinator timers. `serial` is the request's never-reused serial number, so a timer of a
 * finished request is ignored even if its reqId was reused after the u32 counter wrapped.
 */
export type CoordinatorTimer =
  /**
   * The oldest request's deadline (requestTimeoutMs after it started): every request whose deadline
   * passed is settled if still open, then finished. One such timer is armed at a time, not one per
   * request: requests start in clock order and all wait the same time, so the oldest is due first.
   */
  | { readonly type: 'coord-deadline' }
  /** readRepairWindowMs after a read settled: repair the stale replicas seen so far, then finish. */
  | { readonly type: 'coord-repair'; readonly reqId: number; readonly serial: number }
  /**
   * The oldest waiting read's speculative retry (readSpeculativeRetryMs after it asked only the
   * replicas its level needs): every read whose retry is due and still open asks the rest. One at a
   * time, like coord-deadline.
   */
  | { readonly type: 'coord-spare' };

/** Counters of a coordinator, for metrics and tests. */
export interface CoordinatorStats {
  /** Client requests received (every one gets exactly one reply). */
  requests: number;
  succeeded: number;
  failed: number;
  /** Of the failures, refused before contacting any replica. */
  rejectedOverloaded: number;
  rejectedBadRequest: number;
  rejectedNotReady: number;
  /** Requests that reached their deadline while still open. */
  timedOut: number;
  /** Replies that matched no request in flight (late, duplicated, or repair-write answers). */
  repliesIgnored: number;
  /** repair-write requests sent by read repair. */
  readRepairs: number;
  /** Hints handed to the hint store. */
  hintsStored: number;
  /** Reads that asked the remaining home replicas because the first ones were slow (readSpeculativeRetryMs). */
  speculativeRetries: number;
}

/** reqId reserved for repair-writes: never given to a client request, so their answers are ignored cheaply. */
export const repairReqId = 0;
