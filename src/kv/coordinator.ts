/**
 * The coordinator of client operations (Dynamo §4.5, §5: "one state machine per client request"):
 * any node takes a client operation, sends it to the key's home replicas, and answers the client
 * once enough of them have answered.
 *
 * - Strict quorum: the home replicas are the first N distinct nodes of the key's preference list
 *   on the live ring (alive + suspect). Only their answers count; there are no fallback replicas
 *   (docs/consistency.md). With 2 of 3 home replicas down a QUORUM operation fails with
 *   KV_ERR_QUORUM_UNAVAILABLE, which is what the course's test expects.
 * - Every write gets a fresh version from the node's HLC (a delete writes a tombstone) and goes to
 *   every home replica whatever the level (Cassandra: the level only sets how many acks to await).
 *   The coordinator's own replica is served synchronously, without the network.
 * - A read asks only as many home replicas as its level needs: its own first, then live ones
 *   before suspected ones, taken in a rotating order (reqId) so every replica serves reads and
 *   gets read-repaired (Cassandra's read path; with N=3, R=2 that halves the messages of a read).
 *   A replica that cannot be reached or answers with an error is replaced at once; if the asked
 *   replicas are still silent after `readSpeculativeRetryMs`, the rest are asked too (speculative
 *   retry), so a crashed replica that membership has not noticed yet costs that delay, not the
 *   request timeout. `readSpeculativeRetryMs` 0 (or not below the timeout) asks every one at once.
 * - Exactly one outcome per request: one reply and one `kv-coordinated` event, at `required`
 *   successes, as soon as success became impossible, or at `requestTimeoutMs`.
 * - After settling, a request stays in flight until every home replica it asked answered or its tail
 *   ended: for a write, the deadline, when home replicas that never acknowledged get a hint
 *   (Dynamo §4.6; Cassandra: hints never count toward W, and only writes that met their level are
 *   hinted, so a failed write is not spread further); for a read, `readRepairWindowMs` more, then
 *   read repair (Dynamo §5) pushes the newest record to every replica that answered with an older
 *   one or with nothing, as a `repair-write` (internal: no kv-served event).
 * - Bounded: at most `inflightRequestsMax` requests in flight, tails included; more fail at once
 *   with KV_ERR_OVERLOADED. Bad input fails at once with KV_ERR_BAD_REQUEST, never a throw.
 */
import { assert } from '../lib/assert.js';
import { OrderedIdTable } from '../lib/id-table.js';
import type { KvRequestMsg, KvResponseMsg, NodeName } from '../wire/types.js';
import type { ClientErrorCode, ClientOp, ClientOpType, ClientResult } from './client-types.js';
import { requiredReplicas } from './config.js';
import type { CoordinatorHost, CoordinatorStats, CoordinatorTimer } from './coordinator-types.js';
import { repairReqId } from './coordinator-types.js';
import type { Unreachable } from './coordinator-rules.js';
import { classifyAnswer, copyVersion, decide, isClientOpType, isStaleAnswer, newestRecord, opNeedsValue, validateClientOp } from './coordinator-rules.js';
import { tombstoneRecord, valueRecord } from './record.js';
import type { StoredRecord } from './record.js';

/** Largest reqId: the wire carries it as a u32 varint. */
const reqIdMax = 0xffff_ffff;

/** One client request in flight. */
interface Request {
  readonly serial: number;
  readonly requestId: number;
  readonly reqId: number;
  readonly op: ClientOpType;
  readonly key: string;
  /** The value written (create/update/put), for the kv-coordinated event. */
  readonly value: Uint8Array | null;
  /** The record written (null for reads): what a hint carries. */
  readonly record: StoredRecord | null;
  readonly required: number;
  /** When the request times out (start + requestTimeoutMs). */
  readonly deadlineMs: number;
  /** When a read that asked only the replicas its level needs asks the rest (Infinity: never). */
  readonly spareDueMs: number;
  /** Its deadline was handled (a settled read may outlive it by its repair window). */
  deadlinePassed: boolean;
  readonly replicas: readonly NodeName[];
  /** What every home replica is (or would be) sent. */
  readonly msg: KvRequestMsg;
  /** Per home replica: its answer, 'unreachable', or undefined while awaited (or not asked). */
  readonly answers: Array<KvResponseMsg | Unreachable | undefined>;
  /** Per home replica: the request was sent to it (or served locally). */
  readonly asked: boolean[];
  askedCount: number;
  /** Per home replica: membership suspected it when the request was sent. */
  readonly suspectAtSend: boolean[];
  /** Per home replica: a hint was stored for it. */
  readonly hinted: boolean[];
  successes: number;
  preconditions: number;
  answered: number;
  settled: boolean;
  succeeded: boolean;
}

/** Coordinates client operations (see the module comment). */
export class Coordinator {
  readonly stats: CoordinatorStats = {
    requests: 0,
    succeeded: 0,
    failed: 0,
    rejectedOverloaded: 0,
    rejectedBadRequest: 0,
    rejectedNotReady: 0,
    timedOut: 0,
    repliesIgnored: 0,
    readRepairs: 0,
    hintsStored: 0,
    speculativeRetries: 0,
  };
  private readonly host: CoordinatorHost;
  /** By reqId, in start order (not a Map: see OrderedIdTable). */
  private readonly requests = new OrderedIdTable<Request>();
  private lastReqId = 0;
  private nextSerial = 1;
  /** A coord-deadline timer is armed (there is at most one; see CoordinatorTimer). */
  private deadlineArmed = false;
  /** The newest request's start: requests must start in clock order for the deadline sweep. */
  private lastSubmitMs = -Infinity;
  /**
   * Reads waiting for their speculative retry, oldest first (all wait the same time, so this is
   * due order); entries before `spareHead` are done. Finished reads leave at the next sweep, which
   * runs at least every readSpeculativeRetryMs while any is queued: the queue holds the reads of
   * about one retry delay. Each read is two numbers, its reqId and serial, not the request: an
   * array's outgrown backing store in the old generation would keep finished requests alive
   * through young-generation collections (see src/lib/id-table.ts).
   */
  private spareQueue: number[] = [];
  private spareHead = 0;
  /** A coord-spare timer is armed (at most one). */
  private spareArmed = false;

  constructor(host: CoordinatorHost) {
    this.host = host;
  }

  /** Requests in flight (open or in their tail). */
  get inflight(): number {
    return this.requests.size;
  }

  /** A client asks this node to coordinate `op`; the reply comes through the host. */
  submit(requestId: number, op: ClientOp, nowMs: number): void {
    this.stats.requests++;
    const invalid = validateClientOp(op);
    if (invalid !== null) {
      this.stats.rejectedBadRequest++;
      this.reject(requestId, op, invalid.code, invalid.message);
      return;
    }
    const ring = this.host.ring();
    if (typeof ring === 'string') {
      this.stats.rejectedNotReady++;
      this.reject(requestId, op, 'KV_ERR_NOT_READY', ring);
      return;
    }
    const config = this.host.config;
    if (this.requests.size >= config.inflightRequestsMax) {
      this.stats.rejectedOverloaded++;
      this.reject(requestId, op, 'KV_ERR_OVERLOADED', `${this.requests.size} requests in flight (inflightRequestsMax ${config.inflightRequestsMax})`);
      return;
    }
    const isRead = op.type === 'read';
    const replicas = ring.preferenceList(op.key, config.replicationFactor);
    const required = requiredReplicas(config, op.consistency ?? 'quorum', isRead);
    const reqId = this.takeReqId();
    const value = opNeedsValue(op.type) ? op.value! : null;
    let record: StoredRecord | null = null;
    if (!isRead) {
      const version = this.host.newVersion(nowMs);
      record = op.type === 'delete' ? tombstoneRecord(version, config.tombstoneGraceMs) : valueRecord(value!, version);
    }
    const retryMs = config.readSpeculativeRetryMs;
    const msg: KvRequestMsg = { type: 'kv-req', reqId, op: op.type, key: op.key, value, version: record === null ? null : record.version };
    const req: Request = {
      serial: this.nextSerial++,
      requestId,
      reqId,
      op: op.type,
      key: op.key,
      value,
      record,
      required,
      deadlineMs: nowMs + config.requestTimeoutMs,
      spareDueMs: isRead && retryMs > 0 && retryMs < config.requestTimeoutMs && required < replicas.length ? nowMs + retryMs : Infinity,
      deadlinePassed: false,
      replicas,
      msg,
      answers: new Array<KvResponseMsg | Unreachable | undefined>(replicas.length).fill(undefined),
      asked: new Array<boolean>(replicas.length).fill(false),
      askedCount: 0,
      suspectAtSend: new Array<boolean>(replicas.length).fill(false),
      hinted: new Array<boolean>(replicas.length).fill(false),
      successes: 0,
      preconditions: 0,
      answered: 0,
      settled: false,
      succeeded: false,
    };
    if (replicas.length < required) {
      // The live ring has fewer nodes than the level needs: no replica could make it succeed.
      this.settle(req, 'KV_ERR_QUORUM_UNAVAILABLE', nowMs, `${replicas.length} home replicas on the ring, ${required} required`);
      return;
    }
    assert(nowMs >= this.lastSubmitMs, 'coordinator: requests must start in clock order');
    this.lastSubmitMs = nowMs;
    this.requests.add(reqId, req);
    if (!this.deadlineArmed) {
      this.deadlineArmed = true;
      this.host.schedule(config.requestTimeoutMs, { type: 'coord-deadline' });
    }
    if (req.spareDueMs !== Infinity) {
      // progress() asks the replicas the level needs; the rest wait for the speculative retry.
      this.spareQueue.push(reqId, req.serial);
      if (!this.spareArmed) {
        this.spareArmed = true;
        this.host.schedule(retryMs, { type: 'coord-spare' });
      }
    } else {
      let local = -1;
      for (let i = 0; i < replicas.length; i++) {
        if (replicas[i] === this.host.self) local = i;
        else this.ask(req, i, nowMs);
      }
      // Our own replica answers synchronously (Dynamo §4.5: the coordinator writes locally).
      if (local >= 0) this.ask(req, local, nowMs);
    }
    this.progress(req, nowMs);
  }

  /** A replica's answer; `from` is its member name. Unknown, late or duplicate answers are ignored. */
  onResponse(from: NodeName, rep: KvResponseMsg, nowMs: number): void {
    const req = rep.reqId === repairReqId ? undefined : this.requests.get(rep.reqId);
    const i = req === undefined ? -1 : req.replicas.indexOf(from);
    if (req === undefined || i < 0 || !req.asked[i] || req.answers[i] !== undefined) {
      this.stats.repliesIgnored++;
      return;
    }
    this.record(req, i, rep);
    this.progress(req, nowMs);
  }

  /** A coordinator timer fired. */
  handleTimer(timer: CoordinatorTimer, nowMs: number): void {
    if (timer.type === 'coord-deadline') {
      this.onDeadlines(nowMs);
      return;
    }
    if (timer.type === 'coord-spare') {
      this.onSpares(nowMs);
      return;
    }
    const req = this.requests.get(timer.reqId);
    if (req === undefined || req.serial !== timer.serial) return; // finished already
    this.finish(req, nowMs);
  }

  /** Throws an AssertionError if an internal invariant is broken. */
  checkInvariants(): void {
    assert(this.requests.size <= this.host.config.inflightRequestsMax, 'coordinator: more requests in flight than inflightRequestsMax');
    let previousDeadlineMs = -Infinity;
    for (const [reqId, req] of this.requests.entries()) {
      assert(reqId === req.reqId && reqId !== repairReqId, 'coordinator: request indexed under a wrong reqId');
      assert(req.deadlineMs >= previousDeadlineMs, 'coordinator: requests out of deadline order');
      previousDeadlineMs = req.deadlineMs;
      assert(req.deadlinePassed || this.deadlineArmed, 'coordinator: a request waits for a deadline no timer is armed for');
      assert(req.spareDueMs === Infinity || req.settled || req.askedCount === req.replicas.length || this.spareArmed, 'coordinator: a read waits for a retry no timer is armed for');
      let answered = 0;
      let successes = 0;
      let asked = 0;
      for (let i = 0; i < req.answers.length; i++) {
        const a = req.answers[i];
        if (req.asked[i]) asked++;
        if (a === undefined) continue;
        assert(req.asked[i] === true, 'coordinator: an answer from a replica that was not asked');
        answered++;
        if (classifyAnswer(req.op, a === 'unreachable' ? a : a.status) === 'success') successes++;
      }
      assert(answered === req.answered && successes === req.successes && asked === req.askedCount, 'coordinator: answer tally out of sync');
      assert(!(req.settled && answered === asked), 'coordinator: a settled request with every asked replica answered is still in flight');
      assert(req.settled || asked === req.replicas.length || req.required - successes <= asked - answered, 'coordinator: an open request asked too few replicas');
      assert(!req.succeeded || req.settled, 'coordinator: succeeded without settling');
    }
  }

  // --- internals ------------------------------------------------------------------------------------

  /**
   * Handles every request whose deadline passed and arms the timer for the next one. The table keeps
   * insertion order, which is start order and so deadline order: the sweep stops at the first
   * request still within its time. (A timer per request cost every request a push and a pop on the
   * runtime's timer heap, a heap that held one entry per request of the last timeout, and a timer
   * input through the core long after the request had finished.)
   */
  private onDeadlines(nowMs: number): void {
    this.deadlineArmed = false;
    for (const [, req] of this.requests.entries()) {
      if (req.deadlineMs > nowMs) {
        this.deadlineArmed = true;
        this.host.schedule(req.deadlineMs - nowMs, { type: 'coord-deadline' });
        return;
      }
      if (req.deadlinePassed) continue; // a settled read in its repair window
      req.deadlinePassed = true;
      this.onDeadline(req, nowMs);
    }
  }

  /** Asks the remaining replicas for every queued read whose retry is due, and arms the timer for the next. */
  private onSpares(nowMs: number): void {
    this.spareArmed = false;
    const queue = this.spareQueue;
    while (this.spareHead < queue.length) {
      const req = this.requests.get(queue[this.spareHead]!);
      const open = req !== undefined && req.serial === queue[this.spareHead + 1] && !req.settled && req.askedCount < req.replicas.length;
      if (open && req.spareDueMs > nowMs) {
        this.spareArmed = true;
        this.host.schedule(req.spareDueMs - nowMs, { type: 'coord-spare' });
        break;
      }
      this.spareHead += 2;
      if (!open) continue;
      this.stats.speculativeRetries++;
      while (req.askedCount < req.replicas.length) this.ask(req, this.nextToAsk(req), nowMs);
      this.progress(req, nowMs);
    }
    if (this.spareHead === queue.length) {
      this.spareQueue = [];
      this.spareHead = 0;
    } else if (this.spareHead >= 2048 && this.spareHead * 2 >= queue.length) {
      this.spareQueue = queue.slice(this.spareHead);
      this.spareHead = 0;
    }
  }

  /** The deadline of one request: an open request fails now; a settled read keeps its repair window. */
  private onDeadline(req: Request, nowMs: number): void {
    if (!req.settled) {
      this.stats.timedOut++;
      const pending = req.askedCount - req.answered;
      this.settle(req, decide(req.op, this.tally(req), true) as ClientErrorCode, nowMs, `${pending} of the ${req.askedCount} home replicas asked did not answer within ${this.host.config.requestTimeoutMs} ms`);
      this.finish(req, nowMs);
      return;
    }
    if (req.op !== 'read') this.finish(req, nowMs);
  }

  /** Sends the request to home replica `i` (or serves it locally); an unreachable one is recorded at once. */
  private ask(req: Request, i: number, nowMs: number): void {
    assert(!req.asked[i], 'coordinator: a replica asked twice');
    req.asked[i] = true;
    req.askedCount++;
    const node = req.replicas[i]!;
    if (node === this.host.self) {
      this.record(req, i, this.host.serveLocally(req.msg, nowMs));
      return;
    }
    req.suspectAtSend[i] = this.host.isSuspect(node);
    if (!this.host.send(node, req.msg)) this.record(req, i, 'unreachable');
  }

  /**
   * The replica a read asks next: its own, then live ones, then suspected ones. Among the others the
   * order starts at a place that rotates with the reqId: always taking them in preference order
   * would put every read on the first replicas and leave the last one unread and unrepaired.
   */
  private nextToAsk(req: Request): number {
    const own = req.replicas.indexOf(this.host.self);
    if (own >= 0 && !req.asked[own]) return own;
    // Rotate over the other replicas only (its own position would give its neighbour a double share).
    const others = own >= 0 ? req.replicas.length - 1 : req.replicas.length;
    const start = req.reqId % others;
    let suspect = -1;
    for (let k = 0; k < others; k++) {
      const j = (start + k) % others;
      const i = own >= 0 && j >= own ? j + 1 : j;
      if (req.asked[i]) continue;
      if (!this.host.isSuspect(req.replicas[i]!)) return i;
      if (suspect < 0) suspect = i;
    }
    assert(suspect >= 0, 'coordinator: no replica left to ask');
    return suspect;
  }

  /** Asks more home replicas while the ones still awaited could not make the level even if all succeeded. */
  private topUp(req: Request, nowMs: number): void {
    while (!req.settled && req.askedCount < req.replicas.length && req.required - req.successes > req.askedCount - req.answered) {
      this.ask(req, this.nextToAsk(req), nowMs);
    }
  }

  private record(req: Request, i: number, answer: KvResponseMsg | Unreachable): void {
    req.answers[i] = answer;
    req.answered++;
    const cls = classifyAnswer(req.op, answer === 'unreachable' ? answer : answer.status);
    if (cls === 'success') req.successes++;
    else if (cls === 'precondition') req.preconditions++;
    // A late acknowledgement makes an early hint (stored because the replica was suspect) unneeded.
    if (cls === 'success' && req.hinted[i] && req.record !== null) this.host.hintAcknowledged(req.replicas[i]!, req.key, req.record.version);
  }

  /** Pending counts the replicas not asked yet: they can still be asked, so they can still succeed. */
  private tally(req: Request): { successes: number; preconditions: number; pending: number; total: number; required: number } {
    return { successes: req.successes, preconditions: req.preconditions, pending: req.replicas.length - req.answered, total: req.replicas.length, required: req.required };
  }

  /**
   * Asks more replicas if the awaited ones cannot make the level, settles the request if its
   * answers decide it, and finishes it once every asked replica answered.
   */
  private progress(req: Request, nowMs: number): void {
    this.topUp(req, nowMs);
    if (!req.settled) {
      const outcome = decide(req.op, this.tally(req), false);
      if (outcome !== null) this.settle(req, outcome, nowMs, `${req.successes} of ${req.replicas.length} home replicas succeeded, ${req.required} required`);
      if (req.settled && req.op === 'read' && req.answered < req.askedCount) {
        // Dynamo §5: keep listening a little for the stragglers, to repair them too.
        this.host.schedule(this.host.config.readRepairWindowMs, { type: 'coord-repair', reqId: req.reqId, serial: req.serial });
      }
    }
    if (req.settled && req.answered === req.askedCount) this.finish(req, nowMs);
  }

  /** The one outcome of a request: the reply and the kv-coordinated event. */
  private settle(req: Request, outcome: 'success' | ClientErrorCode, nowMs: number, why: string): void {
    assert(!req.settled, 'coordinator: a request settled twice');
    req.settled = true;
    let result: ClientResult;
    let code: ClientErrorCode | undefined;
    let readValue: Uint8Array | null = null;
    if (outcome === 'success' && req.op === 'read') {
      const newest = newestRecord(req.answers);
      if (newest !== undefined && newest.value !== null) {
        readValue = newest.value;
        result = { ok: true, value: newest.value, version: copyVersion(newest.version) };
      } else {
        code = 'KV_ERR_NOT_FOUND';
        result = { ok: false, error: { code, message: newest === undefined ? `key not found on ${req.successes} home replicas` : 'key was deleted' } };
      }
    } else if (outcome === 'success') {
      result = { ok: true, version: copyVersion(req.record!.version) };
    } else {
      code = outcome;
      result = { ok: false, error: { code, message: failureMessage(code, req.op, why), acks: req.successes, required: req.required } };
    }
    req.succeeded = result.ok;
    if (result.ok) this.stats.succeeded++;
    else this.stats.failed++;
    // Hinted handoff without waiting for the deadline for replicas membership already suspected.
    if (req.succeeded && req.record !== null) {
      for (let i = 0; i < req.replicas.length; i++) if (req.suspectAtSend[i] && req.answers[i] === undefined) this.hint(req, i, nowMs);
    }
    const event = {
      type: 'kv-coordinated' as const,
      op: req.op,
      key: req.key,
      value: req.op === 'read' ? readValue : req.value,
      success: result.ok,
      requestId: req.requestId,
      reqId: req.reqId,
    };
    this.host.emit(code === undefined ? event : { ...event, error: code });
    this.host.reply(req.requestId, result);
  }

  /** The request's tail is over: hint the writes' silent replicas, repair the reads' stale ones. */
  private finish(req: Request, nowMs: number): void {
    assert(req.settled, 'coordinator: finishing an open request');
    this.requests.delete(req.reqId);
    if (req.record !== null) {
      if (!req.succeeded) return;
      for (let i = 0; i < req.replicas.length; i++) if (req.answers[i] === undefined && !req.hinted[i]) this.hint(req, i, nowMs);
      return;
    }
    this.readRepair(req, nowMs);
  }

  private hint(req: Request, i: number, nowMs: number): void {
    req.hinted[i] = true;
    this.stats.hintsStored++;
    this.host.storeHint(req.replicas[i]!, req.key, req.record!, nowMs);
  }

  /** Dynamo §5 read repair: the newest record seen goes to every replica that answered with less. */
  private readRepair(req: Request, nowMs: number): void {
    const newest = newestRecord(req.answers);
    if (newest === undefined) return;
    const msg: KvRequestMsg = { type: 'kv-req', reqId: repairReqId, op: 'repair-write', key: req.key, value: newest.value, version: newest.version };
    for (let i = 0; i < req.replicas.length; i++) {
      const a = req.answers[i];
      if (a === undefined || a === 'unreachable' || !isStaleAnswer(a, newest)) continue;
      const node = req.replicas[i]!;
      if (node === this.host.self) this.host.serveLocally(msg, nowMs);
      else if (!this.host.send(node, msg)) continue;
      this.stats.readRepairs++;
      this.host.emit({ type: 'kv-read-repair', key: req.key, replica: node });
    }
  }

  /** A failure decided before any replica was contacted: still exactly one reply and one event. */
  private reject(requestId: number, op: ClientOp, code: ClientErrorCode, message: string): void {
    this.stats.failed++;
    const reqId = this.takeReqId();
    // Malformed input still gets its one event; an unknown type is reported as a read (no write happened).
    const type: ClientOpType = typeof op === 'object' && op !== null && isClientOpType(op.type) ? op.type : 'read';
    const key = typeof op === 'object' && op !== null && typeof op.key === 'string' ? op.key : '';
    const value = opNeedsValue(type) && op.value instanceof Uint8Array ? op.value : null;
    this.host.emit({ type: 'kv-coordinated', op: type, key, value, success: false, requestId, reqId, error: code });
    this.host.reply(requestId, { ok: false, error: { code, message } });
  }

  /** The next reqId: u32, never 0 (reserved for repair-writes), never one still in flight. */
  private takeReqId(): number {
    do {
      this.lastReqId = this.lastReqId >= reqIdMax ? 1 : this.lastReqId + 1;
    } while (this.requests.has(this.lastReqId));
    return this.lastReqId;
  }
}

function failureMessage(code: ClientErrorCode, op: ClientOpType, why: string): string {
  switch (code) {
    case 'KV_ERR_EXISTS':
      return `create refused: the key exists (${why})`;
    case 'KV_ERR_NOT_FOUND':
      return `${op} refused: the key does not exist (${why})`;
    default:
      return `quorum unavailable: ${why}`;
  }
}
