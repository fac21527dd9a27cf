/**
 * The shape every KV checker reports problems in: a kind, the key or request involved, and one
 * line of evidence. Checkers count every violation and keep only the first few as samples, so a
 * badly broken run cannot grow the report without bound.
 */
import type { KvVersion } from '../../wire/types.js';

/** Default number of violations kept as samples per checker (all are counted). */
export const kvViolationSamplesMaxDefault = 20;

/** Which promise a violation breaks. */
export type KvViolationKind =
  /** The final state of a key lost its latest acknowledged write (docs/consistency.md promise 3). */
  | 'lost-write'
  /** A value (in storage or read) that no client ever wrote. */
  | 'phantom-value'
  /** A successful read returned something older than the latest acknowledged write (promise 1). */
  | 'stale-read'
  /** Replicas disagree, or a key sits on more or fewer than N live nodes after the quiet period (promise 4). */
  | 'not-converged'
  /** A request got no reply or more than one. */
  | 'reply-count'
  /** The run itself failed: a core's invariant or assertion broke (message in `detail`). */
  | 'engine-error';

/** One violation, with enough to find it in a trace. */
export interface KvViolation {
  readonly kind: KvViolationKind;
  readonly key: string | null;
  readonly requestId: number | null;
  /** Virtual time the violation refers to (the read's reply, the end of the run...). */
  readonly atMs: number | null;
  readonly detail: string;
}

/** Counts violations and keeps the first `samplesMax`. */
export class ViolationLog {
  count = 0;
  readonly samples: KvViolation[] = [];

  constructor(private readonly samplesMax: number = kvViolationSamplesMaxDefault) {}

  add(v: KvViolation): void {
    this.count++;
    if (this.samples.length < this.samplesMax) this.samples.push(v);
  }
}

/** A version as compact text, e.g. `12345.0@3f2a9c1b`. */
export function formatVersion(v: KvVersion | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return `${v.physicalMs}.${v.logical}@${(v.nodeId >>> 0).toString(16)}`;
}
