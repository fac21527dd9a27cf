/**
 * The coordinator's decision rules as pure functions (Dynamo §4.5 with the course's CRUD
 * semantics): what a client request must look like, what each replica answer counts as, when a
 * request has succeeded or can no longer succeed, and which answer a read returns.
 */
import type { KvResponseMsg, KvStatus, KvVersion } from '../wire/types.js';
import type { ClientError, ClientErrorCode, ClientOp, ClientOpType, ConsistencyLevel } from './client-types.js';
import { validateKey, validateValue } from './record.js';
import type { Versioned } from './version.js';
import { compareLww } from './version.js';

/**
 * What one replica's answer counts as:
 *  - `success`: counts toward R/W. For reads every real answer (`ok` or `not-found`) counts, as in
 *    Dynamo: "not found here" is information, and the newest answer decides the result. For writes
 *    `ok`, and `stale` (the replica already holds a newer version, which LWW converges to anyway).
 *  - `precondition`: the replica refused on the operation's precondition (`exists` for create,
 *    `not-found` for update/delete); enough of these make the request fail with EXISTS/NOT_FOUND.
 *  - `error`: anything else (storage full, clock drift, unreachable); enough of these make the
 *    request fail with QUORUM_UNAVAILABLE.
 */
export type AnswerClass = 'success' | 'precondition' | 'error';

/** A replica that could not be sent to (its address is unknown): an immediate error answer. */
export type Unreachable = 'unreachable';

/** Classifies one replica answer for an operation (see AnswerClass). */
export function classifyAnswer(op: ClientOpType, status: KvStatus | Unreachable): AnswerClass {
  if (op === 'read') return status === 'ok' || status === 'not-found' ? 'success' : 'error';
  if (status === 'ok' || status === 'stale') return 'success';
  if (op === 'create' && status === 'exists') return 'precondition';
  if ((op === 'update' || op === 'delete') && status === 'not-found') return 'precondition';
  return 'error';
}

/** How a request's answers add up. */
export interface Tally {
  readonly successes: number;
  readonly preconditions: number;
  /** Home replicas that have not answered yet, including those a read has not asked (it still can). */
  readonly pending: number;
  /** Home replicas of the key (asked or not). */
  readonly total: number;
  readonly required: number;
}

/**
 * The request's outcome so far: 'success' at `required` successes; a failure code as soon as
 * success became impossible (or at the deadline, when every pending answer counts as missing);
 * null while it is still open. A failure is EXISTS/NOT_FOUND when the precondition refusals alone
 * make the quorum impossible, else QUORUM_UNAVAILABLE (too few replicas answered in time).
 */
export function decide(op: ClientOpType, t: Tally, deadlinePassed: boolean): 'success' | ClientErrorCode | null {
  if (t.successes >= t.required) return 'success';
  if (!deadlinePassed && t.successes + t.pending >= t.required) return null;
  if (t.preconditions > 0 && t.total - t.preconditions < t.required) return op === 'create' ? 'KV_ERR_EXISTS' : 'KV_ERR_NOT_FOUND';
  return 'KV_ERR_QUORUM_UNAVAILABLE';
}

/** The versioned record a read answer carries (a tombstone for not-found with a version), if any. */
export function answerRecord(rep: KvResponseMsg): Versioned | undefined {
  if (rep.version === null) return undefined;
  if (rep.status === 'ok' && rep.value !== null) return { value: rep.value, version: rep.version };
  if (rep.status === 'not-found') return { value: null, version: rep.version };
  return undefined;
}

/** The LWW-newest record among read answers (undefined when none carries a version). */
export function newestRecord(answers: ReadonlyArray<KvResponseMsg | Unreachable | undefined>): Versioned | undefined {
  let best: Versioned | undefined;
  for (const a of answers) {
    if (a === undefined || a === 'unreachable') continue;
    const r = answerRecord(a);
    if (r !== undefined && (best === undefined || compareLww(r, best) > 0)) best = r;
  }
  return best;
}

/** True when a read answer is older than `newest` (or holds nothing), so read repair should push `newest` to it. */
export function isStaleAnswer(rep: KvResponseMsg, newest: Versioned): boolean {
  if (rep.status !== 'ok' && rep.status !== 'not-found') return false;
  const r = answerRecord(rep);
  return r === undefined || compareLww(r, newest) < 0;
}

const opTypes: readonly ClientOpType[] = ['create', 'read', 'update', 'delete', 'put'];
const levels: readonly ConsistencyLevel[] = ['one', 'quorum', 'all'];

/** True when `t` names one of the five client operations. */
export function isClientOpType(t: unknown): t is ClientOpType {
  return typeof t === 'string' && (opTypes as readonly string[]).includes(t);
}

/** True for the operations that carry a value. */
export function opNeedsValue(type: ClientOpType): boolean {
  return type === 'create' || type === 'update' || type === 'put';
}

/**
 * Checks a client operation before any replica is contacted: a known type and level, a valid key
 * (validateKey), a value where one is needed and within valueBytesMax. Untrusted input (the API
 * layers pass what clients sent), so every field is checked at runtime, never assumed.
 */
export function validateClientOp(op: ClientOp): ClientError | null {
  const bad = (message: string): ClientError => ({ code: 'KV_ERR_BAD_REQUEST', message });
  if (typeof op !== 'object' || op === null) return bad('operation must be an object');
  if (!isClientOpType(op.type)) return bad(`unknown operation type ${String(op.type)}`);
  if (typeof op.key !== 'string') return bad('key must be a string');
  const key = validateKey(op.key);
  if (!key.ok) return bad(`${key.error.code}: ${key.error.detail}`);
  if (op.consistency !== undefined && !levels.includes(op.consistency)) return bad(`unknown consistency level ${String(op.consistency)}`);
  if (opNeedsValue(op.type)) {
    if (!(op.value instanceof Uint8Array)) return bad(`${op.type} needs a value (bytes)`);
    const value = validateValue(op.value);
    if (!value.ok) return bad(`${value.error.code}: ${value.error.detail}`);
  }
  return null;
}

/** A version as a plain copy (wire versions are shared objects; results hand out their own). */
export function copyVersion(v: KvVersion): KvVersion {
  return { physicalMs: v.physicalMs, logical: v.logical, nodeId: v.nodeId };
}
