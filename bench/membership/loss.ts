/**
 * Outgoing UDP loss for the membership benchmark, without touching src/: NodeRuntime builds its
 * transports internally, so after `NodeRuntime.open` the bench replaces `runtime.udp.send` on that
 * one transport object with a wrapper that drops a fraction of the datagrams before they reach the
 * socket, drawing from a seeded PRNG (one per node, so a run's drop pattern depends only on the
 * seed and the order of sends). Only UDP is dropped, like memberlist's benchmark, which drops
 * outgoing packets: TCP (push-pull, the stream fallback ping) stays reliable as TCP would.
 *
 * Dropped datagrams are counted here (the transport's own `stats.sent` never sees them), so the
 * benchmark can report what the protocol sent — attempted datagrams — whatever the network did.
 */
import { Rng } from '../../src/lib/rng.js';
import type { Transport } from '../../src/transport/transport.js';

export interface InjectedLoss {
  /** Datagrams dropped by the wrapper. */
  dropped: number;
  /** Their payload bytes. */
  droppedBytes: number;
}

/** Wraps `udp.send` to drop each datagram with probability `loss`. No-op (no wrapper) at 0. */
export function injectOutgoingLoss(udp: Transport, loss: number, seed: number): InjectedLoss {
  const counters: InjectedLoss = { dropped: 0, droppedBytes: 0 };
  if (loss <= 0) return counters;
  const rng = new Rng(seed);
  const send = udp.send.bind(udp);
  udp.send = (to, bytes) => {
    if (rng.chance(loss)) {
      counters.dropped++;
      counters.droppedBytes += bytes.length;
      return;
    }
    send(to, bytes);
  };
  return counters;
}
