/**
 * What the end-of-run membership checkers need from a live node: its view of one member and its
 * count of live members. `MembershipProtocol` satisfies it as is.
 */
import type { MemberState, NodeName } from '../../wire/types.js';

/** A node's membership view, as the checkers query it. */
export interface MembershipView {
  /** The member as this node sees it, or undefined if never heard of or reaped. */
  member(name: NodeName): { readonly state: MemberState } | undefined;
  /** Members alive or suspect, including self. */
  liveCount(): number;
}

/** A live node and its view. */
export interface Observer {
  readonly name: NodeName;
  readonly view: MembershipView;
}

/** True for the states that count as "in the cluster" (SWIM treats a suspect as a member). */
export function isLiveState(state: MemberState | undefined): boolean {
  return state === 'alive' || state === 'suspect';
}
