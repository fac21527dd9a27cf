/**
 * Counters the simulator keeps: totals for the whole run and packets/bytes per node per channel.
 * Plain numeric fields (constant object shapes) and one Float64Array, so counting costs a few
 * nanoseconds per packet.
 */
import { assert } from '../lib/assert.js';
import type { Channel } from '../wire/types.js';

/** Why a packet or frame was not delivered. */
export interface DropCounts {
  /** Random datagram loss. */
  loss: number;
  /** Sender and receiver in different partition groups, or a one-way block. */
  partition: number;
  /** Receiver crashed (or not started yet) when it arrived. */
  nodeDown: number;
  /** Stream frame whose connection died: sender or receiver crashed/restarted in between. */
  connectionReset: number;
  /** Receiver paused and its backlog was full (`pauseBacklogEventsMax`). */
  pauseBacklogFull: number;
  /** The event queue was at `eventQueueEventsMax`. */
  queueFull: number;
  /** No simulated node has the destination address. */
  unknownAddress: number;
  /** The bytes did not decode (should never happen with the real codec; counted, not thrown). */
  decodeError: number;
}

/** Whole-run counters. */
export class SimStats {
  /** Events taken off the queue. */
  eventsProcessed = 0;
  /** Calls to an actor's `handle`. */
  inputsHandled = 0;
  /** Packets and frames handed to the network (after encoding). */
  packetsSent = 0;
  /** Bytes of those. */
  bytesSent = 0;
  /** Individual messages inside those packets. */
  messagesSent = 0;
  /** Packets and frames that reached a running node and decoded. */
  packetsDelivered = 0;
  /** Bytes that reached a running node (including ones that then failed to decode). */
  bytesDelivered = 0;
  /** Extra copies made by duplication. */
  duplicates = 0;
  /** Timers that fired into a running core. */
  timersFired = 0;
  /** Timers dropped because their node crashed or restarted after scheduling them. */
  timersDiscarded = 0;
  /** Events the actors emitted. */
  eventsEmitted = 0;
  /** Full invariant sweeps done (checkInvariantsEvery). */
  invariantSweeps = 0;
  /** Drops by reason. */
  readonly drops: DropCounts = {
    loss: 0,
    partition: 0,
    nodeDown: 0,
    connectionReset: 0,
    pauseBacklogFull: 0,
    queueFull: 0,
    unknownAddress: 0,
    decodeError: 0,
  };

  /** Sum of every drop reason. */
  get packetsDropped(): number {
    const d = this.drops;
    return d.loss + d.partition + d.nodeDown + d.connectionReset + d.pauseBacklogFull + d.queueFull + d.unknownAddress + d.decodeError;
  }
}

/** One node's traffic on one channel. */
export interface ChannelTraffic {
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
}

/** One node's traffic on both channels. */
export interface NodeTraffic {
  readonly packet: ChannelTraffic;
  readonly stream: ChannelTraffic;
}

const fieldsPerNode = 8;
const sentPackets = 0;
const sentBytes = 1;
const recvPackets = 2;
const recvBytes = 3;
const streamOffset = 4;

/** Per-node, per-channel packet and byte counters in one growable Float64Array. */
export class TrafficCounters {
  private values = new Float64Array(fieldsPerNode * 64);

  /** Makes room for node indices below `nodes`. */
  ensure(nodes: number): void {
    if (nodes * fieldsPerNode <= this.values.length) return;
    let cap = this.values.length;
    while (cap < nodes * fieldsPerNode) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.values);
    this.values = next;
  }

  /** Counts one packet/frame of `bytes` sent by `node`. */
  sent(node: number, stream: boolean, bytes: number): void {
    const base = node * fieldsPerNode + (stream ? streamOffset : 0);
    this.values[base + sentPackets]! += 1;
    this.values[base + sentBytes]! += bytes;
  }

  /** Counts one packet/frame of `bytes` received by `node`. */
  received(node: number, stream: boolean, bytes: number): void {
    const base = node * fieldsPerNode + (stream ? streamOffset : 0);
    this.values[base + recvPackets]! += 1;
    this.values[base + recvBytes]! += bytes;
  }

  /** A snapshot of one node's counters. */
  of(node: number): NodeTraffic {
    assert(node >= 0 && node * fieldsPerNode < this.values.length, `no traffic counters for node ${node}`);
    return { packet: this.channel(node, 'packet'), stream: this.channel(node, 'stream') };
  }

  private channel(node: number, channel: Channel): ChannelTraffic {
    const v = this.values;
    const base = node * fieldsPerNode + (channel === 'stream' ? streamOffset : 0);
    return {
      packetsSent: v[base + sentPackets]!,
      bytesSent: v[base + sentBytes]!,
      packetsReceived: v[base + recvPackets]!,
      bytesReceived: v[base + recvBytes]!,
    };
  }
}
