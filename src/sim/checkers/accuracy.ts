/**
 * Accuracy (SWIM §1's "strong accuracy", measured): a false positive is a `dead` event about a
 * node that was running at that time, with nothing in the fault timeline that justifies it (not
 * crashed, not left, not paused, not cut off from its accuser within the last `graceMs`).
 * `suspect` events about such nodes are counted separately: under loss they are expected and
 * harmless when refuted, but fewer is better (Lifeguard's goal).
 *
 * Streaming: feed events as they happen (or replay a hand-made log); nothing is thrown, the
 * result is data.
 */
import type { NodeName } from '../../wire/types.js';
import type { Tagged } from '../actor.js';
import type { Excuse, FaultTimeline } from '../timeline.js';
import { eventAccuser, eventIncarnation, eventMember } from './event-fields.js';

/** Default window after a fault during which a dead verdict about the node is still justified. */
export const accuracyGraceMsDefault = 30_000;
/** Default number of false positives kept as examples (all are counted). */
export const accuracySamplesMaxDefault = 20;

/** One unjustified verdict. */
export interface FalsePositive {
  readonly atMs: number;
  /** The node that emitted the event. */
  readonly observer: NodeName;
  /** The node wrongly declared dead or suspect. */
  readonly member: NodeName;
  /** Who raised the verdict, when the event says. */
  readonly accuser: NodeName | undefined;
  readonly incarnation: number;
}

/** What the accuracy checker found. */
export interface AccuracyReport {
  /** `dead` events about running, unexcused nodes. */
  readonly falsePositives: number;
  /** `suspect` events about running, unexcused nodes. */
  readonly suspectFalsePositives: number;
  /** `dead` events justified by a fault, by excuse. */
  readonly excusedDead: Readonly<Record<Excuse, number>>;
  /** The first false positives (at most `samplesMax`). */
  readonly falsePositiveSamples: readonly FalsePositive[];
  /** The first suspect false positives (at most `samplesMax`). */
  readonly suspectSamples: readonly FalsePositive[];
  /** Events about names the simulation does not know (a bug in the core if ever non-zero). */
  readonly unknownSubjects: number;
}

/** Options for the accuracy checker. */
export interface AccuracyOptions {
  readonly graceMs?: number;
  readonly samplesMax?: number;
}

/** Judges `dead` and `suspect` events against the fault timeline. */
export class AccuracyChecker {
  private falsePositives = 0;
  private suspectFalsePositives = 0;
  private unknownSubjects = 0;
  private readonly excused: Record<Excuse, number> = {
    'subject-down': 0,
    'subject-left': 0,
    'subject-paused': 0,
    'subject-not-started': 0,
    partitioned: 0,
    blocked: 0,
  };
  private readonly fpSamples: FalsePositive[] = [];
  private readonly suspectSamples: FalsePositive[] = [];
  private readonly graceMs: number;
  private readonly samplesMax: number;

  constructor(
    private readonly timeline: FaultTimeline,
    /** Maps a node name to its simulation index. */
    private readonly indexOf: (name: NodeName) => number | undefined,
    options: AccuracyOptions = {},
  ) {
    this.graceMs = options.graceMs ?? accuracyGraceMsDefault;
    this.samplesMax = options.samplesMax ?? accuracySamplesMaxDefault;
  }

  /** Looks at one event `observer` emitted at `atMs`; ignores everything but dead and suspect. */
  observe<TEvent extends Tagged>(observer: NodeName, event: TEvent, atMs: number): void {
    const isDead = event.type === 'dead';
    if (!isDead && event.type !== 'suspect') return;
    const member = eventMember(event);
    if (member === undefined) return;
    const subject = this.indexOf(member);
    if (subject === undefined) {
      this.unknownSubjects++;
      return;
    }
    const accuserName = eventAccuser(event);
    const accuser = accuserName === undefined ? -1 : (this.indexOf(accuserName) ?? -1);
    const excuse = this.timeline.excuse(subject, accuser, atMs, this.graceMs);
    if (excuse !== null) {
      if (isDead) this.excused[excuse]++;
      return;
    }
    const fp: FalsePositive = { atMs, observer, member, accuser: accuserName, incarnation: eventIncarnation(event) };
    if (isDead) {
      this.falsePositives++;
      if (this.fpSamples.length < this.samplesMax) this.fpSamples.push(fp);
    } else {
      this.suspectFalsePositives++;
      if (this.suspectSamples.length < this.samplesMax) this.suspectSamples.push(fp);
    }
  }

  /** The findings so far. */
  report(): AccuracyReport {
    return {
      falsePositives: this.falsePositives,
      suspectFalsePositives: this.suspectFalsePositives,
      excusedDead: { ...this.excused },
      falsePositiveSamples: [...this.fpSamples],
      suspectSamples: [...this.suspectSamples],
      unknownSubjects: this.unknownSubjects,
    };
  }
}
