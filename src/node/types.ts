/**
 * The contract of NodeCore: membership + ring + KV composed behind one `handle()` (architecture
 * §1). The simulator and the runtime drive it exactly like a membership protocol, plus client
 * operations in and replies out.
 *
 * `nowMs` is epoch milliseconds in the runtime and virtual milliseconds in the simulator; the KV
 * layer's hybrid logical clock takes it as its physical time.
 */
import type { ClientOp, ClientResult } from '../kv/client-types.js';
import type { KvEvent } from '../kv/events.js';
import type { MembershipEvent, MembershipInput, MembershipOutput, TimerBase } from '../membership/types.js';

/** A timer of NodeCore: a membership timer or a KV timer, tagged by layer. */
export type NodeTimer =
  | { readonly type: 'membership'; readonly timer: TimerBase }
  | { readonly type: 'kv'; readonly timer: TimerBase };

/** Everything that can happen to a node: membership inputs, and client operations. */
export type NodeInput =
  | MembershipInput<NodeTimer>
  /** A client asks this node to coordinate `op`; the answer comes back as a 'reply' output with the same requestId. */
  | { readonly kind: 'client'; readonly requestId: number; readonly op: ClientOp };

export type NodeEvent = MembershipEvent | KvEvent;

/** What NodeCore asks its driver to do. */
export type NodeOutput =
  | Exclude<MembershipOutput<NodeTimer>, { kind: 'event' }>
  | { readonly kind: 'event'; readonly event: NodeEvent }
  /** The outcome of a client operation (exactly one per 'client' input). */
  | { readonly kind: 'reply'; readonly requestId: number; readonly result: ClientResult };
