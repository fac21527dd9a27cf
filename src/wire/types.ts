import type { KvMsg } from './kv-types.js';

/**
 * Message types shared by every layer. Messages are plain data (discriminated unions on `type`);
 * the binary codec (codec.ts) turns them into bytes and back, and describe.ts prints them.
 *
 * Identity: a node is known by its unique `name`; `addr` is where it listens. A node that restarts
 * keeps its name and comes back with a higher incarnation.
 */

/** A node's unique name (UTF-8, at most `nodeNameBytesMax` bytes). */
export type NodeName = string;

/**
 * Where a node listens: `"a.b.c.d:port"` for IPv4, `"[v6]:port"` for IPv6. The simulator uses
 * synthetic addresses of the same form.
 */
export type Address = string;

/** A node's name together with its address. */
export interface NodeRef {
  readonly name: NodeName;
  readonly addr: Address;
}

/**
 * How a message travels. `packet` is a datagram (UDP in the runtime; lossy in the simulator) that
 * must fit `udpPacketBytesMax`. `stream` is a reliable, ordered frame (TCP in the runtime), used
 * for push-pull state sync and, later, KV peer RPC.
 */
export type Channel = 'packet' | 'stream';

/** A member's state as one node sees it (memberlist's four states). */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

// ---------------------------------------------------------------------------------------------
// SWIM + Lifeguard membership messages
// ---------------------------------------------------------------------------------------------

/** Direct probe (SWIM §3.1). `target` names the node meant, so a different node now at that address ignores it. */
export interface PingMsg {
  readonly type: 'ping';
  readonly seq: number;
  readonly target: NodeName;
  readonly source: NodeRef;
}

/** Indirect probe request (SWIM ping-req): `source` asks the receiver to ping `target` for it. */
export interface IndirectPingMsg {
  readonly type: 'indirect-ping';
  readonly seq: number;
  readonly target: NodeRef;
  readonly source: NodeRef;
  /** Ask the relay to answer with a nack if the target stays silent (Lifeguard). */
  readonly wantNack: boolean;
}

/** Answer to a ping, or relayed answer to an indirect ping, carrying the prober's `seq`. */
export interface AckMsg {
  readonly type: 'ack';
  readonly seq: number;
}

/** A relay's "I asked, the target did not answer" (Lifeguard): tells the prober it is not the slow one. */
export interface NackMsg {
  readonly type: 'nack';
  readonly seq: number;
}

/** `node` is alive at `incarnation`, with its metadata. Also the message a node uses to refute or to join. */
export interface AliveMsg {
  readonly type: 'alive';
  readonly node: NodeRef;
  readonly incarnation: number;
  readonly meta: Uint8Array;
}

/** `from` suspects `node` at `incarnation` (SWIM §4.2 suspicion subprotocol). */
export interface SuspectMsg {
  readonly type: 'suspect';
  readonly node: NodeName;
  readonly incarnation: number;
  readonly from: NodeName;
}

/** `from` declares `node` dead at `incarnation`. `from === node` means the node left gracefully. */
export interface DeadMsg {
  readonly type: 'dead';
  readonly node: NodeName;
  readonly incarnation: number;
  readonly from: NodeName;
}

/** One member's state in a push-pull exchange. */
export interface PushPullEntry {
  readonly node: NodeRef;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly meta: Uint8Array;
}

/**
 * Full state sync (memberlist push-pull), sent on the stream channel. `join` marks the exchange a
 * joining node starts with a seed; `reply` marks the answer (a reply is never answered).
 */
export interface PushPullMsg {
  readonly type: 'push-pull';
  readonly join: boolean;
  readonly reply: boolean;
  readonly source: NodeRef;
  readonly members: readonly PushPullEntry[];
}

// ---------------------------------------------------------------------------------------------
// Gossip-style heartbeating (the course's classic protocol)
// ---------------------------------------------------------------------------------------------

/** One member's heartbeat counter as the sender last saw it. */
export interface HeartbeatEntry {
  readonly node: NodeRef;
  readonly heartbeat: number;
}

/** A joining node asks an introducer (seed) for the member list. */
export interface JoinRequestMsg {
  readonly type: 'join-req';
  readonly node: NodeRef;
  readonly heartbeat: number;
}

/** The introducer's answer: its member list (bounded by packet size). */
export interface JoinReplyMsg {
  readonly type: 'join-rep';
  readonly source: NodeRef;
  readonly entries: readonly HeartbeatEntry[];
}

/** Periodic gossip of (a part of) the sender's heartbeat table. */
export interface HeartbeatMsg {
  readonly type: 'heartbeat';
  readonly source: NodeRef;
  readonly entries: readonly HeartbeatEntry[];
}

/** Membership messages (SWIM and gossip heartbeating). */
export type MembershipMsg =
  | PingMsg
  | IndirectPingMsg
  | AckMsg
  | NackMsg
  | AliveMsg
  | SuspectMsg
  | DeadMsg
  | PushPullMsg
  | JoinRequestMsg
  | JoinReplyMsg
  | HeartbeatMsg;

/** Every message the wire carries: membership and KV (kv-types.ts). */
export type Msg = MembershipMsg | KvMsg;

export type MsgType = Msg['type'];

export type * from './kv-types.js';
