/**
 * One simulated node as the engine tracks it: its current actor (replaced at each restart), its
 * status, and the bookkeeping that makes crashes and pauses exact (generation, pause backlog).
 */
import type { Address, NodeName, NodeRef } from '../wire/types.js';
import type { ActorFactory, SimActor } from './actor.js';

/**
 * `pending`: added, start time not reached; `up`: running; `paused`: stalled (inbound and timers
 * wait in its backlog); `crashed`: stopped, everything addressed to it is dropped.
 */
export type SimNodeStatus = 'pending' | 'up' | 'paused' | 'crashed';

/** A simulated node. Users read it (through `Simulation.node(name)`); only the engine writes it. */
export class SimNode<TActor extends SimActor = SimActor> {
  /** Running, paused, crashed or not started yet. */
  status: SimNodeStatus = 'pending';
  /**
   * Bumped at every crash. Timers and stream frames remember the generation they were created
   * in, so the ones from a previous life are dropped when they come due (lazy cancellation: the
   * heap is never searched).
   */
  generation = 0;
  /** How many times the node was restarted. */
  restartCount = 0;
  /** While paused: when the pause ends. */
  pausedUntilMs = 0;
  /** While paused: event slots that came due, in order, replayed at resume. */
  readonly backlog: number[] = [];
  /** How many backlog entries are packets (the bounded part). */
  backlogPackets = 0;

  constructor(
    /** Dense index (0, 1, 2, … in the order nodes were added); also the registry index. */
    readonly index: number,
    readonly name: NodeName,
    readonly addr: Address,
    /** The current actor (the core). Replaced by a fresh one at each restart. */
    public core: TActor,
    /** Builds the actor again at a restart. */
    readonly factory: ActorFactory<TActor>,
    /** Seeds given at the first start; reused at restarts unless others are given. */
    readonly seeds: readonly Address[],
    /** Converged view given at the first start, if any. */
    readonly knownMembers: readonly NodeRef[] | undefined,
  ) {}

  /** True while the node runs (up, or paused but not crashed). */
  get isRunning(): boolean {
    return this.status === 'up' || this.status === 'paused';
  }

  /** This node as a NodeRef. */
  get ref(): NodeRef {
    return { name: this.name, addr: this.addr };
  }
}
