/**
 * Completeness (SWIM §1): every crashed node ends dead or left in the view of every live node, and
 * how long that took. Detection time is measured per observer, from the crash to that observer's
 * first `dead` (or `leave`) event about the node; the report gives the first, median and last
 * observer per crashed node. Results are data; nothing is thrown.
 */
import { assert } from '../../lib/assert.js';
import type { NodeName } from '../../wire/types.js';
import type { Tagged } from '../actor.js';
import { eventMember, summarise } from './event-fields.js';
import { isLiveState, type Observer } from './view.js';

/** Default number of observer names listed per problem (all are counted). */
export const completenessSamplesMaxDefault = 10;

/** Detection of one crashed node. */
export interface SubjectDetection {
  readonly member: NodeName;
  readonly crashAtMs: number;
  /** Live observers at the end (the crashed node itself excluded). */
  readonly observers: number;
  /** Observers that emitted a dead/leave event about it after the crash. */
  readonly detectedBy: number;
  /** Detection delays (ms after the crash) of the first, median and last detecting observer; NaN if none. */
  readonly firstMs: number;
  readonly medianMs: number;
  readonly lastMs: number;
  /** Observers with no dead/leave event about it (a few may never have known it). */
  readonly neverDetected: number;
  readonly neverDetectedSample: readonly NodeName[];
  /** Observers whose final view still has it alive or suspect: a completeness violation. */
  readonly stillLiveInView: number;
  readonly stillLiveSample: readonly NodeName[];
}

/** What the completeness checker found. */
export interface CompletenessReport {
  readonly subjects: readonly SubjectDetection[];
  /** Earliest detection over all crashed nodes (ms after their crash); NaN if none. */
  readonly firstMs: number;
  /** Median of the per-node medians. */
  readonly medianMs: number;
  /** Latest detection over all crashed nodes. */
  readonly lastMs: number;
  /** Crashed nodes that some live node still holds alive or suspect at the end. */
  readonly incompleteSubjects: number;
  /** True when every crashed node is dead/left/gone in every live view. */
  readonly complete: boolean;
}

/** Every live observer's detection delay of one crashed node (for reports). */
export interface DetectionDelays {
  readonly member: NodeName;
  readonly crashAtMs: number;
  /** Live observers at the end (the crashed node itself excluded). */
  readonly observers: number;
  /** Delays (ms after the crash) of the observers that detected it, ascending; the others are not listed. */
  readonly delaysMs: readonly number[];
}

/** Tracks detection of crashed nodes from events, then checks the final views. */
export class CompletenessChecker {
  private readonly tracked = new Map<NodeName, { readonly crashAtMs: number; readonly delays: Float64Array }>();

  constructor(
    private readonly indexOf: (name: NodeName) => number | undefined,
    /** Observer indices are below this (the simulation's node count). */
    private readonly nodeCount: number,
    private readonly samplesMax: number = completenessSamplesMaxDefault,
  ) {}

  /** Starts tracking `member`, which crashed at `crashAtMs`. */
  track(member: NodeName, crashAtMs: number): void {
    assert(!this.tracked.has(member), `${member} is already tracked`);
    this.tracked.set(member, { crashAtMs, delays: new Float64Array(this.nodeCount).fill(NaN) });
  }

  /** Looks at one event; records the first dead/leave about a tracked node after its crash. */
  observe<TEvent extends Tagged>(observer: NodeName, event: TEvent, atMs: number): void {
    if (event.type !== 'dead' && event.type !== 'leave') return;
    const member = eventMember(event);
    if (member === undefined) return;
    const entry = this.tracked.get(member);
    if (entry === undefined || atMs < entry.crashAtMs) return;
    const index = this.indexOf(observer);
    if (index === undefined || index >= this.nodeCount) return;
    if (Number.isNaN(entry.delays[index]!)) entry.delays[index] = atMs - entry.crashAtMs;
  }

  /** Judges the final views of the live nodes. */
  report(live: readonly Observer[]): CompletenessReport {
    const subjects: SubjectDetection[] = [];
    for (const [member, entry] of this.tracked) subjects.push(this.judge(member, entry.crashAtMs, entry.delays, live));
    const firsts = subjects.map((s) => s.firstMs).filter((x) => !Number.isNaN(x));
    const medians = subjects.map((s) => s.medianMs).filter((x) => !Number.isNaN(x));
    const lasts = subjects.map((s) => s.lastMs).filter((x) => !Number.isNaN(x));
    const incompleteSubjects = subjects.filter((s) => s.stillLiveInView > 0).length;
    return {
      subjects,
      firstMs: firsts.length === 0 ? NaN : Math.min(...firsts),
      medianMs: summarise(medians).medianMs,
      lastMs: lasts.length === 0 ? NaN : Math.max(...lasts),
      incompleteSubjects,
      complete: incompleteSubjects === 0,
    };
  }

  /** For each tracked node, the detection delay of every live observer that detected it. */
  detectionDelays(live: readonly Observer[]): DetectionDelays[] {
    const out: DetectionDelays[] = [];
    for (const [member, entry] of this.tracked) {
      const delaysMs: number[] = [];
      let observers = 0;
      for (const o of live) {
        if (o.name === member) continue;
        observers++;
        const index = this.indexOf(o.name);
        const delay = index === undefined ? NaN : (entry.delays[index] ?? NaN);
        if (!Number.isNaN(delay)) delaysMs.push(delay);
      }
      delaysMs.sort((a, b) => a - b);
      out.push({ member, crashAtMs: entry.crashAtMs, observers, delaysMs });
    }
    return out;
  }

  private judge(member: NodeName, crashAtMs: number, delays: Float64Array, live: readonly Observer[]): SubjectDetection {
    const detected: number[] = [];
    const neverDetectedSample: NodeName[] = [];
    const stillLiveSample: NodeName[] = [];
    let observers = 0;
    let neverDetected = 0;
    let stillLive = 0;
    for (const o of live) {
      if (o.name === member) continue;
      observers++;
      const index = this.indexOf(o.name);
      const delay = index === undefined ? NaN : (delays[index] ?? NaN);
      if (Number.isNaN(delay)) {
        neverDetected++;
        if (neverDetectedSample.length < this.samplesMax) neverDetectedSample.push(o.name);
      } else {
        detected.push(delay);
      }
      if (isLiveState(o.view.member(member)?.state)) {
        stillLive++;
        if (stillLiveSample.length < this.samplesMax) stillLiveSample.push(o.name);
      }
    }
    const s = summarise(detected);
    return {
      member,
      crashAtMs,
      observers,
      detectedBy: s.count,
      firstMs: s.firstMs,
      medianMs: s.medianMs,
      lastMs: s.lastMs,
      neverDetected,
      neverDetectedSample,
      stillLiveInView: stillLive,
      stillLiveSample,
    };
  }
}
