/**
 * Reads a graded run's dbg.log (src/sim/seed/dbg-log.ts: "\n <address> [<tick>] <message>") back
 * into membership events for the grade report's timeline: when each node started, joined the
 * group, learned of each other node's join, removed a node, and failed. The log is what the
 * course's graders read, so the timeline shows exactly what they judged.
 */

/** One membership line of a dbg.log. */
export interface DbgEvent {
  /** The node that logged it (its address, e.g. "3.0.0.0:0"). */
  readonly node: string;
  readonly tick: number;
  readonly kind: 'start' | 'joined-group' | 'saw-join' | 'removed' | 'failed';
  /** The node the line is about ("Node X joined/removed"), or null. */
  readonly subject: string | null;
}

const entryPattern = /^ (?:(\S+) )?\[(\d+)\] (.*)$/;
const joinedPattern = /^Node (\S+) joined at time \d+$/;
const removedPattern = /^Node (\S+) removed at time \d+$/;
const failedPattern = /^Node failed at time ?= ?\d+$/;

/** The membership events of a dbg.log, in log order (other lines are skipped). */
export function parseDbgLog(text: string): DbgEvent[] {
  const events: DbgEvent[] = [];
  for (const line of text.split('\n')) {
    const m = entryPattern.exec(line);
    if (m === null) continue;
    const node = m[1];
    const tick = Number(m[2]);
    const message = m[3]!;
    if (node === undefined) continue; // The framework's very first entry has no address (an "APP" line).
    let kind: DbgEvent['kind'] | null = null;
    let subject: string | null = null;
    let sub: RegExpExecArray | null;
    if (message === 'Starting up group...' || message === 'Trying to join...') kind = 'start';
    else if (message === 'Joined the group...') kind = 'joined-group';
    else if ((sub = joinedPattern.exec(message)) !== null) {
      kind = 'saw-join';
      subject = sub[1]!;
    } else if ((sub = removedPattern.exec(message)) !== null) {
      kind = 'removed';
      subject = sub[1]!;
    } else if (failedPattern.test(message)) kind = 'failed';
    if (kind !== null) events.push({ node, tick, kind, subject });
  }
  return events;
}

/** "3.0.0.0:0" → "node 3" (the framework's address of id 3); other names stay as they are. */
export function nodeLabel(address: string): string {
  const m = /^(\d+)\.0\.0\.0:0$/.exec(address);
  return m === null ? address : `node ${m[1]}`;
}

/** Sort key of a node label: by id when it has one. */
function labelOrder(a: string, b: string): number {
  const ia = /^node (\d+)$/.exec(a);
  const ib = /^node (\d+)$/.exec(b);
  if (ia !== null && ib !== null) return Number(ia[1]) - Number(ib[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A mark of the timeline: one node, one tick, one kind; several events of the same kind at one tick are merged. */
export interface TimelineMark {
  readonly node: string;
  readonly tick: number;
  readonly kind: 'started' | 'joined the group' | 'learned of joins' | 'removed' | 'failed';
  /** How many events the mark stands for. */
  readonly count: number;
  /** For removals: whom it removed ("3, 4"); for learned joins, how many; empty otherwise. */
  readonly text: string;
}

/** The timeline of one run: its marks, its nodes in order, and the tick ranges of the two panels. */
export interface Timeline {
  readonly nodes: readonly string[];
  readonly marks: readonly TimelineMark[];
  /** Ticks at which nodes failed (the grader's "Node failed" lines). */
  readonly failTicks: readonly number[];
  /** Last tick with a start, join or learned join (the join panel's range is [0, lastJoinTick]). */
  readonly lastJoinTick: number;
  /** Ticks of the first and last failure or removal; null when there were none. */
  readonly faultRange: { readonly first: number; readonly last: number } | null;
}

const kindNames = {
  start: 'started',
  'joined-group': 'joined the group',
  'saw-join': 'learned of joins',
  removed: 'removed',
  failed: 'failed',
} as const;

/** Builds the timeline of one dbg.log. */
export function timelineOf(events: readonly DbgEvent[]): Timeline {
  const merged = new Map<string, { node: string; tick: number; kind: TimelineMark['kind']; subjects: string[] }>();
  const nodes = new Set<string>();
  let lastJoinTick = 0;
  let first = Infinity;
  let last = -Infinity;
  const failTicks = new Set<number>();
  for (const e of events) {
    const node = nodeLabel(e.node);
    nodes.add(node);
    const kind = kindNames[e.kind];
    const key = `${node}|${e.tick}|${kind}`;
    let m = merged.get(key);
    if (m === undefined) {
      m = { node, tick: e.tick, kind, subjects: [] };
      merged.set(key, m);
    }
    if (e.subject !== null) m.subjects.push(nodeLabel(e.subject).replace(/^node /, ''));
    if (e.kind === 'start' || e.kind === 'joined-group' || e.kind === 'saw-join') lastJoinTick = Math.max(lastJoinTick, e.tick);
    if (e.kind === 'removed' || e.kind === 'failed') {
      first = Math.min(first, e.tick);
      last = Math.max(last, e.tick);
    }
    if (e.kind === 'failed') failTicks.add(e.tick);
  }
  const marks: TimelineMark[] = [...merged.values()].map((m) => ({
    node: m.node,
    tick: m.tick,
    kind: m.kind,
    count: Math.max(1, m.subjects.length),
    text: m.kind === 'removed' ? `−${m.subjects.join(',')}` : m.kind === 'learned of joins' && m.subjects.length > 1 ? `+${m.subjects.length}` : '',
  }));
  return {
    nodes: [...nodes].sort(labelOrder),
    marks,
    failTicks: [...failTicks].sort((a, b) => a - b),
    lastJoinTick,
    faultRange: Number.isFinite(first) ? { first, last } : null,
  };
}
