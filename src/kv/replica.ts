/**
 * The replica side of a client operation (Dynamo §4.5): one home replica applies a coordinator's
 * `kv-req` to its local store with last-writer-wins and answers with a `kv-rep`.
 *
 * The course's CRUD preconditions are checked against this replica's own state at the moment it
 * applies the request (docs/consistency.md: no compare-and-set across replicas):
 *  - create: `exists` if a live (non-tombstone) record is present, else store;
 *  - update/delete: `not-found` if no live record, else store the value / a tombstone;
 *  - read: the value and its version, or `not-found` (with the tombstone's version, if one is
 *    held, so the coordinator's read repair can spread deletes);
 *  - put: store; repair-write: LWW apply, silently (internal traffic).
 * A write whose version loses LWW to a newer local record answers `stale` with that version: the
 * replica already holds something newer, which is what LWW would converge to anyway, so the
 * coordinator counts it as an acknowledgement.
 *
 * Exactly one `kv-served` event per client operation handled (never for repair-write): the
 * course's grader counts these ("every non-faulty replica logs success or fail for every CRUD op
 * it serves", original-framework.md §6). Storage errors become statuses, never throws.
 */
import type { Result } from '../lib/result.js';
import type { KvRequestMsg, KvResponseMsg, KvStatus, KvVersion, NodeName } from '../wire/types.js';
import type { ClientOpType } from './client-types.js';
import type { KvConfig } from './config.js';
import type { KvError, KvErrorCode } from './errors.js';
import type { KvEvent } from './events.js';
import { recordFrom, tombstoneRecord, validateKey, valueRecord } from './record.js';
import type { StoredRecord } from './record.js';
import type { Storage } from './storage.js';

/** What a Replica needs from its node. */
export interface ReplicaHost {
  readonly storage: Storage;
  readonly config: KvConfig;
  /**
   * Merges a received version into the node's hybrid logical clock; an error (KV_ERR_CLOCK_DRIFT)
   * when the version is too far ahead of local time, in which case the write is refused.
   */
  observe(version: KvVersion, nowMs: number): Result<unknown, KvError>;
  emit(event: KvEvent): void;
}

/** Counters of a replica, for metrics and tests. */
export interface ReplicaStats {
  /** Client operations served (one kv-served event each). */
  served: number;
  /** Of those, how many failed (precondition, bad request or storage error). */
  servedFailed: number;
  /** repair-write requests applied or refused (no event). */
  repairWrites: number;
}

/** The wire status of a KV building-block error. */
export function statusOfKvError(code: KvErrorCode): KvStatus {
  switch (code) {
    case 'KV_ERR_KEY_TOO_LARGE':
      return 'key-too-large';
    case 'KV_ERR_KEY_INVALID':
      return 'key-invalid';
    case 'KV_ERR_VALUE_TOO_LARGE':
      return 'value-too-large';
    case 'KV_ERR_CLOCK_DRIFT':
      return 'clock-drift';
    case 'KV_ERR_STORAGE_FULL':
      return 'storage-full';
  }
}

/** Applies coordinators' requests to the local store (see the module comment). */
export class Replica {
  readonly stats: ReplicaStats = { served: 0, servedFailed: 0, repairWrites: 0 };
  private readonly host: ReplicaHost;

  constructor(host: ReplicaHost) {
    this.host = host;
  }

  /**
   * Handles `req` from `coordinator` (its member name, or its address when unknown) and returns the
   * answer to send back under the same reqId. Emits one kv-served event unless it is a repair-write.
   * `local` marks a request from this node's own coordinator: its version came from this node's
   * clock, so it is not observed again (the drift guard would wrongly refuse it whenever this
   * clock runs ahead of physical time, e.g. after restoring newer versions from disk).
   */
  serve(coordinator: NodeName, req: KvRequestMsg, nowMs: number, local = false): KvResponseMsg {
    const rep = this.apply(req, nowMs, local);
    if (req.op === 'repair-write') {
      this.stats.repairWrites++;
      return rep;
    }
    const success = rep.status === 'ok' || rep.status === 'stale';
    this.stats.served++;
    if (!success) this.stats.servedFailed++;
    const op: ClientOpType = req.op;
    // The course logs the value written (even on failure) and the value read on success.
    const value = op === 'create' || op === 'update' || op === 'put' ? req.value : op === 'read' && success ? rep.value : null;
    this.host.emit({ type: 'kv-served', op, key: req.key, value, success, coordinator, reqId: req.reqId });
    return rep;
  }

  private apply(req: KvRequestMsg, nowMs: number, local: boolean): KvResponseMsg {
    const keyCheck = validateKey(req.key);
    if (!keyCheck.ok) return reply(req, statusOfKvError(keyCheck.error.code));
    if (req.op === 'read') return this.read(req);
    if (req.version === null) return reply(req, 'bad-request');
    const needsValue = req.op === 'create' || req.op === 'update' || req.op === 'put';
    if (needsValue && req.value === null) return reply(req, 'bad-request');
    if (!local) {
      const seen = this.host.observe(req.version, nowMs);
      if (!seen.ok) return reply(req, statusOfKvError(seen.error.code));
    }

    const storage = this.host.storage;
    const current = storage.get(req.key);
    const live = current !== undefined && current.value !== null;
    let record: StoredRecord;
    switch (req.op) {
      case 'create':
        if (live) return reply(req, 'exists', null, current.version);
        record = valueRecord(req.value!, req.version);
        break;
      case 'update':
        if (!live) return reply(req, 'not-found', null, current?.version ?? null);
        record = valueRecord(req.value!, req.version);
        break;
      case 'delete':
        if (!live) return reply(req, 'not-found', null, current?.version ?? null);
        record = tombstoneRecord(req.version, this.host.config.tombstoneGraceMs);
        break;
      case 'put':
        record = valueRecord(req.value!, req.version);
        break;
      case 'repair-write':
        record = recordFrom(req.value, req.version, this.host.config.tombstoneGraceMs);
        break;
    }
    const applied = storage.apply(req.key, record);
    if (!applied.ok) return reply(req, statusOfKvError(applied.error.code));
    if (!applied.value.won) return reply(req, 'stale', null, applied.value.current.version);
    return reply(req, 'ok', null, record.version);
  }

  private read(req: KvRequestMsg): KvResponseMsg {
    const current = this.host.storage.get(req.key);
    if (current === undefined) return reply(req, 'not-found');
    if (current.value === null) return reply(req, 'not-found', null, current.version);
    return reply(req, 'ok', current.value, current.version);
  }
}

function reply(req: KvRequestMsg, status: KvStatus, value: Uint8Array | null = null, version: KvVersion | null = null): KvResponseMsg {
  return { type: 'kv-rep', reqId: req.reqId, status, value, version };
}
