/**
 * What the simulator drives: any deterministic core with one `handle(input, nowMs, out)` entry point
 * (architecture §1). The engine knows only the input and output kinds it must carry out itself
 * (start, packet, timer in; send, schedule, event out); everything else is passed through untouched,
 * so a composite NodeCore (membership + KV) with more kinds plugs in without engine changes.
 */
import type { NameRegistry } from '../membership/registry.js';
import type { Rng } from '../lib/rng.js';
import type { Address, Channel, Msg, NodeName, NodeRef } from '../wire/types.js';

/** Anything with a `type` tag: the engine treats events and timers opaquely. */
export interface Tagged {
  readonly type: string;
}

/** Anything with a `kind` tag: inputs and outputs the engine does not know are passed through. */
export interface Kinded {
  readonly kind: string;
}

/** Start the core: join through `seeds`, or pre-load a converged view from `knownMembers`. */
export interface StartInput {
  readonly kind: 'start';
  readonly seeds: readonly Address[];
  readonly knownMembers?: readonly NodeRef[];
}

/** One decoded packet or frame. */
export interface PacketInput {
  readonly kind: 'packet';
  readonly from: Address;
  readonly channel: Channel;
  readonly msgs: readonly Msg[];
}

/** A timer the core scheduled has fired (the timer object is handed back as it was given). */
export interface TimerInput {
  readonly kind: 'timer';
  readonly timer: Tagged;
}

/** What the engine feeds an actor: its own three kinds, or any scripted input (leave, join, client ops…). */
export type ActorInput = StartInput | PacketInput | TimerInput | Kinded;

/** Send `msgs` as one packet or frame. */
export interface SendOutput {
  readonly kind: 'send';
  readonly to: Address;
  readonly channel: Channel;
  readonly msgs: readonly Msg[];
}

/** Fire `timer` back into `handle` after `afterMs` (>= 0). */
export interface ScheduleOutput {
  readonly kind: 'schedule';
  readonly afterMs: number;
  readonly timer: Tagged;
}

/** Something observers should hear about; typed loosely so any core's events fit. */
export interface EventOutput {
  readonly kind: 'event';
  readonly event: Tagged;
}

/** What an actor may append to `out`. Kinds other than the three above go to `onUnknownOutput`. */
export type ActorOutput = SendOutput | ScheduleOutput | EventOutput | Kinded;

/**
 * The minimal shape the engine drives. `MembershipProtocol` satisfies it as is (method parameters
 * are compared bivariantly, so its narrower input and output unions are accepted).
 */
export interface SimActor {
  /** This node's name and address; the engine asserts they match what it was added with. */
  readonly self: NodeRef;
  /** Feed one input at `nowMs` and append outputs to `out` (the engine reuses `out` between calls). */
  handle(input: ActorInput, nowMs: number, out: ActorOutput[]): void;
  /** Throws an AssertionError when an internal invariant is broken. */
  checkInvariants(): void;
  /** The core's current incarnation, if it has one; a restart starts one above it. */
  incarnation?(): number;
}

/** What a factory gets to build one node's actor (at first start and at every restart). */
export interface ActorContext {
  readonly name: NodeName;
  readonly addr: Address;
  /** This node's own random stream, a child of the root seed (fresh per restart, still deterministic). */
  readonly rng: Rng;
  /** The registry every simulated node shares (one name table for the whole process). */
  readonly registry: NameRegistry;
  /** Incarnation to start at: 0 at first, above the crashed actor's at each restart. */
  readonly incarnation: number;
  /** 0 at first start, +1 per restart. */
  readonly restartCount: number;
  /** On a restart: whether the node keeps its disk (a future KV core reloads it); false at first start. */
  readonly keepDisk: boolean;
}

/** Builds one node's actor. */
export type ActorFactory<TActor extends SimActor = SimActor> = (ctx: ActorContext) => TActor;

/** Narrowing helpers: the engine checks `kind` once, then reads the typed fields. */
export function isSend(output: ActorOutput): output is SendOutput {
  return output.kind === 'send';
}

/** True when `output` asks for a timer. */
export function isSchedule(output: ActorOutput): output is ScheduleOutput {
  return output.kind === 'schedule';
}

/** True when `output` carries an event. */
export function isEvent(output: ActorOutput): output is EventOutput {
  return output.kind === 'event';
}
