/**
 * The course's three graded MP1 scenarios (original-framework.md §1–§3, §7.1), reproduced on the
 * simulator with the real membership cores:
 *
 * - 10 nodes with ids 1..10 and the framework's addresses ("1.0.0.0:0"), started in the original
 *   staggered order: node index i starts at tick floor(0.25 * i), and within a tick from the highest
 *   index down, so ids 4, 3, 2, 1 at tick 0, ids 8..5 at tick 1, ids 10, 9 at tick 2;
 * - node 1 is the introducer: it starts the group, every other node joins through it;
 * - every message takes exactly one tick (EmulNet delivers a tick-t send at tick t+1);
 * - `singlefailure`: one random node (possibly the introducer) fails at tick 100;
 *   `multifailure`: five consecutive nodes fail at tick 100 (first index (rand()%10)/2);
 *   `msgdropsinglefailure`: like singlefailure, and sends during ticks 51..300 are dropped with
 *   probability 0.1;
 * - the run lasts 700 ticks; the framework's dbg.log is written as it goes.
 *
 * One tick is `mp1TickMs` virtual milliseconds (docs/decisions/0001-seed-scenario-ticks.md).
 */
import { mix32 } from '../../lib/rng.js';
import type { MembershipProtocol } from '../../membership/types.js';
import type { ActorFactory } from '../actor.js';
import { membershipProtocols } from '../protocols.js';
import { Simulation } from '../simulation.js';
import type { TraceSink } from '../trace.js';
import { DbgLog, joinedMessage, removedMessage, seedAddress } from './dbg-log.js';
import { gradeMp1Log, mp1Scenarios, type Mp1Scenario, type Mp1ScenarioGrade } from './mp1-grader.js';

/** One course tick in virtual milliseconds. */
export const mp1TickMs = 100;
/** Ticks in a run (Application.h TOTAL_RUNNING_TIME). */
export const mp1TotalTicks = 700;
/** Nodes in a run (the confs' MAX_NNB). */
export const mp1NodeCount = 10;
/** Tick at which nodes fail (Application::fail). */
export const mp1FailTick = 100;
/** Sends in ticks [dropFirstTick, dropLastTick] are dropped with mp1DropProbability in the drop scenario. */
export const mp1DropFirstTick = 51;
export const mp1DropLastTick = 300;
export const mp1DropProbability = 0.1;
/** Node 1 logs "@@time=500" at this tick, as Application.cpp does (t % 500 == 0, t > 0). */
export const mp1TimeMarkTick = 500;

export type Mp1Protocol = 'swim' | 'gossip';

export interface Mp1RunOptions {
  readonly scenario: Mp1Scenario;
  readonly seed: number;
  readonly protocol: Mp1Protocol;
  /** Overrides the protocol factory (tests use this to run a tuned or broken core). */
  readonly factory?: ActorFactory<MembershipProtocol>;
  /** Receives one line per message delivered or dropped (debugging a run). */
  readonly trace?: TraceSink;
}

export interface Mp1RunResult {
  readonly scenario: Mp1Scenario;
  readonly seed: number;
  /** The dbg.log text, byte for byte as the framework writes it. */
  readonly log: string;
  readonly grade: Mp1ScenarioGrade;
  /** Ids of the nodes that failed. */
  readonly failedIds: readonly number[];
  /** For each failed node, the ticks at which survivors logged its removal (sorted). */
  readonly removalTicks: ReadonlyMap<number, readonly number[]>;
}

/** The seed of the simulation for one scenario of one run: independent streams per scenario. */
export function mp1SimulationSeed(seed: number, scenario: Mp1Scenario): number {
  return mix32((seed >>> 0) ^ mix32(mp1Scenarios.indexOf(scenario) + 0x3c6ef372));
}

function tickOf(ms: number): number {
  return Math.floor(ms / mp1TickMs);
}

/** Runs one scenario and grades its log as Grader.sh would. */
export function runMp1Scenario(options: Mp1RunOptions): Mp1RunResult {
  const { scenario } = options;
  const factory = options.factory ?? membershipProtocols[options.protocol];
  const sim = new Simulation<MembershipProtocol>({
    seed: mp1SimulationSeed(options.seed, scenario),
    link: { latency: { kind: 'fixed', ms: mp1TickMs } },
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  const log = new DbgLog();
  const introducer = seedAddress(1);

  // Application's constructor logs "APP" for every node at time 0, in id order.
  for (let id = 1; id <= mp1NodeCount; id++) log.log(seedAddress(id), 0, 'APP');

  // mp1Run starts node index i at tick (int)(0.25 * i), scanning indices from 9 down to 0.
  for (let index = mp1NodeCount - 1; index >= 0; index--) {
    const id = index + 1;
    const addr = seedAddress(id);
    const startMs = Math.floor(0.25 * index) * mp1TickMs;
    const isIntroducer = addr === introducer;
    sim.at(startMs, () => log.log(addr, tickOf(startMs), isIntroducer ? 'Starting up group...' : 'Trying to join...'));
    sim.addNode({ factory, name: addr, addr, startAtMs: startMs, seeds: isIntroducer ? [] : [introducer] });
  }

  const removalTicks = new Map<number, number[]>();
  sim.onEvent((node, event, nowMs) => {
    const tick = tickOf(nowMs);
    const e = event as { type: string; member?: string };
    if (e.type === 'join' && e.member !== undefined) log.log(node, tick, joinedMessage(e.member, tick));
    else if ((e.type === 'dead' || e.type === 'leave') && e.member !== undefined) {
      log.log(node, tick, removedMessage(e.member, tick));
      const id = Number.parseInt(e.member, 10);
      const ticks = removalTicks.get(id) ?? [];
      ticks.push(tick);
      removalTicks.set(id, ticks);
    } else if (e.type === 'joined') log.log(node, tick, 'Joined the group...');
  });

  if (scenario === 'msgdropsinglefailure') {
    sim.setLossAt(mp1DropFirstTick * mp1TickMs, mp1DropProbability);
    sim.setLossAt((mp1DropLastTick + 1) * mp1TickMs, 0);
  }

  // Application::fail runs after the tick's node loops: rand() % 10 for one failure,
  // (rand() % 10) / 2 as the first of five consecutive indices for the multi failure.
  const failedIds: number[] = [];
  if (scenario === 'multifailure') {
    const first = Math.floor(sim.faultRng.intBelow(10) / 2);
    for (let index = first; index < first + 5; index++) failedIds.push(index + 1);
  } else {
    failedIds.push(sim.faultRng.intBelow(10) + 1);
  }
  const failText = scenario === 'multifailure' ? `Node failed at time = ${mp1FailTick}` : `Node failed at time=${mp1FailTick}`;
  sim.at(mp1FailTick * mp1TickMs, (s) => {
    for (const id of failedIds) {
      log.log(seedAddress(id), mp1FailTick, failText);
      s.crash(seedAddress(id));
    }
  });

  sim.at(mp1TimeMarkTick * mp1TickMs, (s) => {
    if (s.node(introducer).isRunning) log.log(introducer, mp1TimeMarkTick, `@@time=${mp1TimeMarkTick}`);
  });

  sim.runUntil(mp1TotalTicks * mp1TickMs - 1);
  sim.checkAllInvariants();
  const text = log.toString();
  for (const ticks of removalTicks.values()) ticks.sort((a, b) => a - b);
  return { scenario, seed: options.seed, log: text, grade: gradeMp1Log(scenario, text), failedIds, removalTicks };
}
