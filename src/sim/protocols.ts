/**
 * The one place that wires the real membership cores into the simulator: a factory per protocol
 * name, building the core for one simulated node from the engine's context (name, address, child
 * Rng, shared registry, incarnation). Kept apart so the runner stays protocol-agnostic and tests
 * can pass fakes instead.
 */
import { GossipProtocol } from '../membership/gossip/index.js';
import { SwimProtocol } from '../membership/swim/index.js';
import type { MembershipProtocol } from '../membership/types.js';
import type { ActorContext } from './actor.js';
import type { MembershipFactory, MembershipProtocolName } from './membership-run.js';

/** Builds a SWIM + Lifeguard core for one simulated node. */
export function swimFactory(ctx: ActorContext): MembershipProtocol {
  return new SwimProtocol({ self: { name: ctx.name, addr: ctx.addr }, rng: ctx.rng, registry: ctx.registry, initialIncarnation: ctx.incarnation });
}

/** Builds a gossip-heartbeat core for one simulated node. */
export function gossipFactory(ctx: ActorContext): MembershipProtocol {
  return new GossipProtocol({ self: { name: ctx.name, addr: ctx.addr }, rng: ctx.rng, registry: ctx.registry, initialIncarnation: ctx.incarnation });
}

/** The real protocols, by name, for `runMembershipSim({ protocols: membershipProtocols, ... })`. */
export const membershipProtocols: Readonly<Record<MembershipProtocolName, MembershipFactory>> = {
  swim: swimFactory,
  gossip: gossipFactory,
};
