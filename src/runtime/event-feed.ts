/**
 * The last membership and cluster events of one node, for the dashboard's live feed and
 * `/v1/events`: a fixed-size ring buffer (old events fall off), each event stamped with the
 * node's clock and a sequence number so a poller can ask for "everything after seq N".
 */
import type { NodeEvent } from '../node/types.js';

/** Events kept for late pollers. */
export const eventFeedSizeMax = 500;

export interface FeedEntry {
  readonly seq: number;
  readonly atMs: number;
  readonly event: Record<string, unknown>;
}

export class EventFeed {
  private readonly entries: FeedEntry[] = [];
  private nextSeq = 1;
  private readonly listeners = new Set<(e: FeedEntry) => void>();

  push(atMs: number, event: NodeEvent): void {
    const entry: FeedEntry = { seq: this.nextSeq++, atMs, event: plain(event) };
    this.entries.push(entry);
    if (this.entries.length > eventFeedSizeMax) this.entries.shift();
    for (const l of this.listeners) l(entry);
  }

  /** Entries with seq > `afterSeq`, oldest first. */
  since(afterSeq: number): FeedEntry[] {
    return this.entries.filter((e) => e.seq > afterSeq);
  }

  subscribe(listener: (e: FeedEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** JSON-friendly copy: metadata bytes become their length (they are shown elsewhere decoded). */
function plain(event: NodeEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) out[k] = v instanceof Uint8Array ? v.length : v;
  return out;
}
