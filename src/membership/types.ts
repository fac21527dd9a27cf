/**
 * The contract every membership protocol implements (SWIM + Lifeguard in swim/, gossip-style
 * heartbeating in gossip/), so that the simulator, the runtime and the KV layer can drive either.
 *
 * A protocol is a deterministic state machine: it never reads the clock, draws real randomness or
 * touches I/O. Time enters as `nowMs`, randomness through the injected Rng, and everything it wants
 * done comes out as data (architecture §1).
 */
import type { Address, Channel, MemberState, Msg, NodeName, NodeRef } from '../wire/types.js';

/** A timer a protocol asked for. It carries what makes it stale (member, incarnation, token). */
export interface TimerBase {
  readonly type: string;
}

/** What drives a protocol. */
export type MembershipInput<TTimer extends TimerBase = TimerBase> =
  /**
   * Start the protocol: join through `seeds` (addresses of nodes already in the cluster; empty or
   * only our own address means "start a new cluster"). `knownMembers`, when given, pre-loads an
   * already converged view (all alive at incarnation 0) without events or broadcasts; the
   * simulator uses it for large runs and says so.
   */
  | { readonly kind: 'start'; readonly seeds: readonly Address[]; readonly knownMembers?: readonly NodeRef[] }
  /** Messages that arrived from `from` (one decoded packet or frame). */
  | { readonly kind: 'packet'; readonly from: Address; readonly channel: Channel; readonly msgs: readonly Msg[] }
  /** A timer this protocol scheduled has fired. */
  | { readonly kind: 'timer'; readonly timer: TTimer }
  /** Leave the cluster gracefully: announce it, then go quiet. */
  | { readonly kind: 'leave' }
  /** Replace this node's metadata and announce it. */
  | { readonly kind: 'update-meta'; readonly meta: Uint8Array }
  /** Join (again) through these seeds, e.g. an operator's `join` after a partition. */
  | { readonly kind: 'join'; readonly seeds: readonly Address[] };

/** What a protocol asks its driver to do. */
export type MembershipOutput<TTimer extends TimerBase = TimerBase> =
  /**
   * Send `msgs` to `to`. On the packet channel the protocol guarantees the messages fit in one
   * packet of `udpPacketBytesMax` (codec's `packetBytes`), so the driver encodes them as one packet.
   */
  | { readonly kind: 'send'; readonly to: Address; readonly channel: Channel; readonly msgs: readonly Msg[] }
  /** Fire `timer` back into `handle` after `afterMs` milliseconds (>= 0). */
  | { readonly kind: 'schedule'; readonly afterMs: number; readonly timer: TTimer }
  /** Something the application should hear about. */
  | { readonly kind: 'event'; readonly event: MembershipEvent };

/** Membership changes as this node sees them. `self` is never the subject of join events. */
export type MembershipEvent =
  | { readonly type: 'join'; readonly member: NodeName; readonly addr: Address; readonly incarnation: number; readonly meta: Uint8Array }
  | { readonly type: 'update'; readonly member: NodeName; readonly addr: Address; readonly incarnation: number; readonly meta: Uint8Array }
  | { readonly type: 'suspect'; readonly member: NodeName; readonly incarnation: number; readonly from: NodeName }
  /** A suspected member proved alive (it refuted with a higher incarnation). */
  | { readonly type: 'alive'; readonly member: NodeName; readonly incarnation: number }
  | { readonly type: 'dead'; readonly member: NodeName; readonly incarnation: number; readonly from: NodeName }
  | { readonly type: 'leave'; readonly member: NodeName; readonly incarnation: number }
  /** This node was accused and refuted (a false positive about us, or a stale rumour). */
  | { readonly type: 'refute'; readonly incarnation: number }
  /** This node's join attempt got an answer from a seed (it is now part of a cluster). */
  | { readonly type: 'joined'; readonly via: Address };

/** One member as this node sees it (for inspection, checkers and APIs; allocates). */
export interface MemberInfo {
  readonly name: NodeName;
  readonly addr: Address;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly meta: Uint8Array;
  /** When this node last saw the member's state change, in the protocol's ms clock. */
  readonly stateChangeMs: number;
}

/** Monotonic counters a protocol keeps about itself (exported as metrics by the runtime). */
export interface MembershipStats {
  probesSent: number;
  probesFailed: number;
  indirectProbesSent: number;
  nacksReceived: number;
  suspicionsRaised: number;
  suspicionsConfirmed: number;
  refutations: number;
  pushPullsSent: number;
  broadcastsQueued: number;
  broadcastsDropped: number;
  messagesIgnored: number;
}

export function emptyStats(): MembershipStats {
  return {
    probesSent: 0,
    probesFailed: 0,
    indirectProbesSent: 0,
    nacksReceived: 0,
    suspicionsRaised: 0,
    suspicionsConfirmed: 0,
    refutations: 0,
    pushPullsSent: 0,
    broadcastsQueued: 0,
    broadcastsDropped: 0,
    messagesIgnored: 0,
  };
}

/** The interface both protocols implement. */
export interface MembershipProtocol<TTimer extends TimerBase = TimerBase> {
  /** Which protocol this is ("swim" or "gossip"). */
  readonly protocol: 'swim' | 'gossip';
  /** This node. */
  readonly self: NodeRef;
  /**
   * Feed one input at time `nowMs` (monotonic, never decreasing) and append the resulting outputs
   * to `out`. The caller must carry out every output it receives.
   */
  handle(input: MembershipInput<TTimer>, nowMs: number, out: MembershipOutput<TTimer>[]): void;
  /** One member (including self), or undefined if never heard of or already reaped. */
  member(name: NodeName): MemberInfo | undefined;
  /** Every member this node knows, including self and dead/left ones not yet reaped. */
  members(): MemberInfo[];
  /** How many members are alive or suspect, including self. Cheap. */
  liveCount(): number;
  /** This node's current incarnation. */
  incarnation(): number;
  /** Lifeguard local health score (0 = healthy); 0 for protocols without it. */
  healthScore(): number;
  /** Counters since construction. */
  readonly stats: MembershipStats;
  /** Throws an AssertionError if an internal invariant is broken. The simulator calls this often. */
  checkInvariants(): void;
}
