/**
 * The course's four graded MP2 tests (original-framework.md §3, §7.2) on the simulator with real
 * NodeCores (SWIM + ring + KV):
 *
 * - the MP1 start (10 nodes, staggered, node 1 the introducer, one-tick latency);
 * - at tick 100, 100 distinct random 5-character keys (alphabet 0-9A-Za-z) with values
 *   "value<rand()%100>" are created in key order, each from a random alive coordinator;
 * - from tick 150 the test of the run: CREATE (nothing more), DELETE (the 2nd..51st keys, then
 *   `invalidKey`), READ or UPDATE of the 1st/2nd key at ticks 150, 175 (after failing the key's
 *   tertiary replica), 225 (after failing tertiary and secondary: must fail), 275 (after
 *   re-replication: must succeed), 285 (after failing a non-replica), and `invalidKey` at 285.
 *
 * The dbg.log gets the framework's lines ("APP", "APP MP2", joins, "... OPERATION ..." lines) and
 * one "server:"/"coordinator:" line per kv-served/kv-coordinated event, so the course's grader
 * counts exactly what our store did.
 */
import type { ClientOp, ClientOpType } from '../../kv/client-types.js';
import type { KvEvent } from '../../kv/events.js';
import type { KvConfig } from '../../kv/config.js';
import { mix32, type Rng } from '../../lib/rng.js';
import type { SwimConfig } from '../../membership/swim/index.js';
import type { NodeCore } from '../../node/node-core.js';
import type { NodeEvent } from '../../node/types.js';
import { Simulation } from '../simulation.js';
import { nodeCoreFactory } from '../node-factory.js';
import type { TraceSink } from '../trace.js';
import { DbgLog, joinedMessage, removedMessage, seedAddress } from './dbg-log.js';
import { gradeMp2Log, mp2Tests, type Mp2Test, type Mp2TestGrade } from './mp2-grader.js';
import { mp1NodeCount, mp1TickMs, mp1TotalTicks } from './mp1-scenario.js';

/** Tick of the 100 inserts (Application.h INSERT_TIME). */
export const mp2InsertTick = 100;
/** Tick of the first test operation (TEST_TIME). */
export const mp2TestTick = 150;
/** Test ticks: T2 (one replica failed), T3 part 1 (two failed), T3 part 2 (after stabilization), T4/T5. */
export const mp2FailOneTick = 175;
export const mp2FailTwoTick = 225;
export const mp2StabilizedTick = 275;
export const mp2NonReplicaTick = 285;
/** Keys inserted, their length and alphabet (NUMBER_OF_INSERTS, KEY_LENGTH). */
export const mp2KeyCount = 100;
export const mp2KeyLength = 5;
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const invalidKey = 'invalidKey';

/**
 * Membership timing for the seed scenarios. The course expects a node that fails at tick 225 to be
 * out of every ring, and its keys re-replicated, before tick 275 (5 s), so detection must be faster
 * than memberlist's LAN defaults (~6-10 s at N=10): probe every 500 ms, and suspect for 2 s without
 * waiting for confirmations. The network of the scenario is loss-free, so this costs no accuracy.
 */
export const mp2MembershipConfig: Partial<SwimConfig> = {
  probeIntervalMs: 500,
  probeTimeoutMs: 250,
  suspicionMult: 2,
};

/** KV settings of the scenario: settle requests well inside the 25-tick gaps between operations. */
export const mp2KvConfig: Partial<KvConfig> = {
  requestTimeoutMs: 1000,
  rebalanceIntervalMs: 500,
  // The course's coordinator sent every read to all three replicas, and its grader counts their lines.
  readSpeculativeRetryMs: 0,
};

export interface Mp2RunOptions {
  readonly test: Mp2Test;
  readonly seed: number;
  /** Receives one line per message delivered or dropped (debugging a run). */
  readonly trace?: TraceSink;
}

export interface Mp2RunResult {
  readonly test: Mp2Test;
  readonly seed: number;
  readonly log: string;
  readonly grade: Mp2TestGrade;
}

export function mp2SimulationSeed(seed: number, test: Mp2Test): number {
  return mix32((seed >>> 0) ^ mix32(mp2Tests.indexOf(test) + 0x9b05688c));
}

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

function tickOf(ms: number): number {
  return Math.floor(ms / mp1TickMs);
}

/** The framework's MP2 log line for a replica or coordinator outcome (Log.cpp formats). */
export function kvLogLine(role: 'server' | 'coordinator', op: ClientOpType, success: boolean, tick: number, transId: number, key: string, value: string | null): string {
  const verb = op === 'put' ? 'update' : op;
  const status = success ? 'success' : 'fail';
  const withValue = verb === 'create' || verb === 'update' || (verb === 'read' && success);
  return `${role}: ${verb} ${status} at time ${tick}, transID=${transId}, key=${key}${withValue ? `, value=${value ?? ''}` : ''}`;
}

/** Random keys as initTestKVPairs makes them: distinct, then in std::map (byte-wise) order. */
function makeKeys(rng: Rng): Array<[string, string]> {
  const pairs = new Map<string, string>();
  while (pairs.size < mp2KeyCount) {
    let key = '';
    for (let i = 0; i < mp2KeyLength; i++) key += alphabet[rng.intBelow(alphabet.length)];
    if (!pairs.has(key)) pairs.set(key, `value${rng.intBelow(100)}`);
  }
  return [...pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Runs one MP2 test and grades its log as KVStoreGrader.sh would. */
export function runMp2Test(options: Mp2RunOptions): Mp2RunResult {
  const { test } = options;
  const sim = new Simulation<NodeCore>({
    seed: mp2SimulationSeed(options.seed, test),
    link: { latency: { kind: 'fixed', ms: mp1TickMs } },
    onUnknownOutput: () => undefined, // client replies: the log gets the coordinator's event instead
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  const log = new DbgLog();
  const introducer = seedAddress(1);
  const factory = nodeCoreFactory({ storages: new Map(), membership: mp2MembershipConfig, kv: mp2KvConfig });
  const rng = sim.faultRng;

  for (let id = 1; id <= mp1NodeCount; id++) {
    log.log(seedAddress(id), 0, 'APP');
    log.log(seedAddress(id), 0, 'APP MP2');
  }
  for (let index = mp1NodeCount - 1; index >= 0; index--) {
    const addr = seedAddress(index + 1);
    const startMs = Math.floor(0.25 * index) * mp1TickMs;
    const isIntroducer = addr === introducer;
    sim.at(startMs, () => log.log(addr, tickOf(startMs), isIntroducer ? 'Starting up group...' : 'Trying to join...'));
    sim.addNode({
      name: addr,
      addr,
      startAtMs: startMs,
      seeds: isIntroducer ? [] : [introducer],
      factory,
    });
  }

  const transIds = new Map<string, number>();
  const transIdOf = (coordinator: string, reqId: number): number => {
    const k = `${coordinator}#${reqId}`;
    let id = transIds.get(k);
    if (id === undefined) {
      id = transIds.size + 1;
      transIds.set(k, id);
    }
    return id;
  };
  sim.onEvent((node, tagged, nowMs) => {
    const tick = tickOf(nowMs);
    const event = tagged as NodeEvent;
    switch (event.type) {
      case 'join':
        log.log(node, tick, joinedMessage(event.member, tick));
        break;
      case 'dead':
      case 'leave':
        log.log(node, tick, removedMessage(event.member, tick));
        break;
      case 'joined':
        log.log(node, tick, 'Joined the group...');
        break;
      case 'kv-served':
      case 'kv-coordinated':
        logKvEvent(log, node, tick, event, transIdOf);
        break;
      default:
        break;
    }
  });

  const failed = new Set<string>();
  /** Alive nodes by framework index (id 1 first), as Application scans them. */
  const alive = (): string[] => {
    const names: string[] = [];
    for (let id = 1; id <= mp1NodeCount; id++) if (!failed.has(seedAddress(id))) names.push(seedAddress(id));
    return names;
  };
  // rand() % 10 until the node is not failed, as the framework picks clients.
  const randomAlive = (): string => {
    for (;;) {
      const name = seedAddress(rng.intBelow(mp1NodeCount) + 1);
      if (!failed.has(name)) return name;
    }
  };
  let requestId = 0;
  const clientOp = (coordinator: string, op: ClientOp): void => {
    // Injected for "now" so the core's outputs take the engine's normal path.
    sim.injectAt(sim.nowMs, coordinator, { kind: 'client', requestId: ++requestId, op });
  };
  const fail = (name: string, tick: number): void => {
    failed.add(name);
    log.log(name, tick, `Node failed at time=${tick}`);
    sim.crash(name);
  };

  const pairs = makeKeys(rng);
  sim.at(mp2InsertTick * mp1TickMs, () => {
    for (const [key, value] of pairs) {
      const coordinator = randomAlive();
      log.log(coordinator, mp2InsertTick, `CREATE OPERATION KEY: ${key} VALUE: ${value} at time: ${mp2InsertTick}`);
      clientOp(coordinator, { type: 'create', key, value: utf8.encode(value) });
    }
  });

  if (test === 'delete') {
    sim.at(mp2TestTick * mp1TickMs, () => {
      // The framework's iterator is incremented before use: it deletes the 2nd..51st keys.
      for (const [key, value] of pairs.slice(1, 51)) {
        const coordinator = randomAlive();
        log.log(coordinator, mp2TestTick, `DELETE OPERATION KEY: ${key} VALUE: ${value} at time: ${mp2TestTick}`);
        clientOp(coordinator, { type: 'delete', key });
      }
      const coordinator = randomAlive();
      log.log(coordinator, mp2TestTick, `DELETE OPERATION KEY: ${invalidKey} at time: ${mp2TestTick}`);
      clientOp(coordinator, { type: 'delete', key: invalidKey });
    });
  } else if (test === 'read' || test === 'update') {
    const [key, originalValue] = test === 'read' ? pairs[0]! : pairs[1]!;
    const value = test === 'read' ? originalValue : 'newValue';
    const operate = (tick: number): void => {
      const coordinator = randomAlive();
      const verb = test.toUpperCase();
      log.log(coordinator, tick, `${verb} OPERATION KEY: ${key} VALUE: ${value} at time: ${tick}`);
      clientOp(coordinator, test === 'read' ? { type: 'read', key } : { type: 'update', key, value: utf8.encode(value) });
    };
    const replicasFromRandomView = (): string[] => sim.node(randomAlive()).core.ring().preferenceList(key, 3);
    sim.at(mp2TestTick * mp1TickMs, () => operate(mp2TestTick));
    sim.at(mp2FailOneTick * mp1TickMs, () => {
      const replicas = replicasFromRandomView();
      // Fail the tertiary; if it already failed, step down toward the primary.
      for (let i = 2; i >= 0; i--) {
        const r = replicas[i];
        if (r !== undefined && !failed.has(r)) {
          fail(r, mp2FailOneTick);
          break;
        }
      }
      operate(mp2FailOneTick);
    });
    sim.at(mp2FailTwoTick * mp1TickMs, () => {
      const replicas = replicasFromRandomView();
      for (const i of [2, 1]) {
        const r = replicas[i];
        if (r !== undefined && !failed.has(r)) fail(r, mp2FailTwoTick);
      }
      operate(mp2FailTwoTick);
    });
    sim.at(mp2StabilizedTick * mp1TickMs, () => operate(mp2StabilizedTick));
    sim.at(mp2NonReplicaTick * mp1TickMs, () => {
      const replicas = new Set(replicasFromRandomView());
      const victim = alive().find((n) => !replicas.has(n));
      if (victim !== undefined) fail(victim, mp2NonReplicaTick);
      operate(mp2NonReplicaTick);
      const coordinator = randomAlive();
      const verb = test.toUpperCase();
      if (test === 'read') {
        log.log(coordinator, mp2NonReplicaTick, `${verb} OPERATION KEY: ${invalidKey} at time: ${mp2NonReplicaTick}`);
        clientOp(coordinator, { type: 'read', key: invalidKey });
      } else {
        log.log(coordinator, mp2NonReplicaTick, `${verb} OPERATION KEY: ${invalidKey} VALUE: invalidValue at time: ${mp2NonReplicaTick}`);
        clientOp(coordinator, { type: 'update', key: invalidKey, value: utf8.encode('invalidValue') });
      }
    });
  }

  sim.runUntil(mp1TotalTicks * mp1TickMs - 1);
  sim.checkAllInvariants();
  const text = log.toString();
  return { test, seed: options.seed, log: text, grade: gradeMp2Log(test, text) };
}

function logKvEvent(log: DbgLog, node: string, tick: number, event: Extract<KvEvent, { type: 'kv-served' | 'kv-coordinated' }>, transIdOf: (c: string, r: number) => number): void {
  const role = event.type === 'kv-served' ? 'server' : 'coordinator';
  const coordinator = event.type === 'kv-served' ? event.coordinator : node;
  const value = event.value === null ? null : utf8Decode.decode(event.value);
  log.log(node, tick, kvLogLine(role, event.op, event.success, tick, transIdOf(coordinator, event.reqId), event.key, value));
}
