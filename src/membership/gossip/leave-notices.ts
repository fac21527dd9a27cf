/**
 * Recently learned graceful leaves, piggybacked on gossip packets for a while. The heartbeat
 * format cannot say "left", so the leave travels as its own `dead` message next to the heartbeats
 * and spreads epidemically like they do. Bounded in count and, per packet, in bytes.
 */
import { messageBytes } from '../../wire/codec.js';
import type { DeadMsg } from '../../wire/types.js';

/**
 * Most leave notices held at once. Leaves are rare; beyond this the oldest notice is dropped early
 * (members it did not reach time the leaver out instead).
 */
export const leaveNoticesMax = 16;

/** See the file comment. */
export class LeaveNotices {
  private readonly notices: { readonly msg: DeadMsg; readonly untilMs: number }[] = [];

  get size(): number {
    return this.notices.length;
  }

  /** Queues `msg` until `untilMs`. Returns true if an older notice had to be dropped for it. */
  add(msg: DeadMsg, untilMs: number): boolean {
    let dropped = false;
    if (this.notices.length >= leaveNoticesMax) {
      this.notices.shift();
      dropped = true;
    }
    this.notices.push({ msg, untilMs });
    return dropped;
  }

  /** Unexpired notices, newest first, totalling at most `bytesMax` bytes; expired ones are forgotten. */
  take(nowMs: number, bytesMax: number): { msgs: DeadMsg[]; bytes: number } {
    const msgs: DeadMsg[] = [];
    let bytes = 0;
    for (let k = this.notices.length - 1; k >= 0; k--) {
      const n = this.notices[k]!;
      if (n.untilMs <= nowMs) {
        this.notices.splice(k, 1);
        continue;
      }
      const b = messageBytes(n.msg);
      if (bytes + b > bytesMax) continue;
      msgs.push(n.msg);
      bytes += b;
    }
    return { msgs, bytes };
  }
}
