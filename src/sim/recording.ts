/**
 * Optional time series of a simulation run, for reports (`ringkv sim --report`): plain data,
 * bounded in size, collected only when a caller asks for it (the `...Recorded` runners), so a run
 * without a report pays nothing.
 *
 * Time is cut into equal buckets: 1 s, or a coarser "nice" width chosen up front from the run's
 * length so that no series has more than `recordPointsMax` points. Traffic is sampled from the
 * simulation's cumulative counters at each bucket boundary (the run loop stops there), so
 * recording adds no work to the event loop and does not change the run.
 */
import { assert } from '../lib/assert.js';
import type { SimActor } from './actor.js';
import type { Simulation } from './simulation.js';

/** Most points (buckets) per recorded series. */
export const recordPointsMax = 2_000;
/** Finest bucket width, in virtual ms. */
export const recordBucketMsMin = 1_000;

/** Bucket widths to choose from, in ms: 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 6, 12, 24 h. */
const niceBucketsMs: readonly number[] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);

/** The bucket width for a series spanning `spanMs`: the finest nice width giving at most `pointsMax` buckets. */
export function recordBucketMs(spanMs: number, pointsMax: number = recordPointsMax): number {
  assert(pointsMax >= 1, 'pointsMax must be >= 1');
  for (const w of niceBucketsMs) if (w >= recordBucketMsMin && Math.ceil(spanMs / w) <= pointsMax) return w;
  // Longer than any nice width covers: a whole number of days.
  return Math.ceil(spanMs / pointsMax / 86_400_000) * 86_400_000;
}

/** Traffic sent in one bucket [startMs, endMs) by all nodes together. */
export interface TrafficBucket {
  readonly startMs: number;
  readonly endMs: number;
  /** Packets plus stream frames sent. */
  readonly messages: number;
  /** Bytes of datagrams sent (envelope included). */
  readonly datagramBytes: number;
  /** Bytes of stream frames sent (push-pull state exchanges, KV transfers). */
  readonly streamBytes: number;
}

/** Traffic over the whole run, bucket by bucket. */
export interface TrafficSeries {
  readonly bucketMs: number;
  /** Nodes in the simulation (the "per node" divisor, as in the run's summary). */
  readonly nodes: number;
  readonly buckets: readonly TrafficBucket[];
}

/** A fault as the report draws it: a span [startMs, endMs), or an instant when endMs is null. */
export interface RecordedFault {
  readonly kind: 'crash' | 'permanent-crash' | 'crash-restart' | 'pause' | 'partition' | 'loss-burst';
  /** The node it hits, or null when it hits the network (loss burst) or several nodes (label says). */
  readonly node: string | null;
  readonly startMs: number;
  /** End of the fault (restart, resume, heal, loss back to normal); null for a crash for good. */
  readonly endMs: number | null;
  /** Short text for the chart, e.g. "crash n3" or "partition 30% (60 nodes)". */
  readonly label: string;
}

/** Samples a simulation's cumulative traffic counters at bucket boundaries. */
export class TrafficRecorder {
  readonly bucketMs: number;
  private readonly buckets: TrafficBucket[] = [];
  private lastMs = 0;
  private lastMessages = 0;
  private lastDatagramBytes = 0;
  private lastStreamBytes = 0;

  constructor(
    private readonly sim: Simulation<SimActor>,
    /** Length of the whole run, in virtual ms (chooses the bucket width). */
    spanMs: number,
  ) {
    this.bucketMs = recordBucketMs(spanMs);
  }

  /** Called when the run loop reaches `nowMs`; records a bucket at each boundary and at the end (`final`). */
  sample(nowMs: number, final = false): void {
    if (nowMs <= this.lastMs) return;
    if (!final && nowMs % this.bucketMs !== 0) return;
    const stats = this.sim.stats;
    let streamBytes = 0;
    for (let i = 0; i < this.sim.nodeCount; i++) streamBytes += this.sim.traffic.of(i).stream.bytesSent;
    const datagramBytes = stats.bytesSent - streamBytes;
    this.buckets.push({
      startMs: this.lastMs,
      endMs: nowMs,
      messages: stats.packetsSent - this.lastMessages,
      datagramBytes: datagramBytes - this.lastDatagramBytes,
      streamBytes: streamBytes - this.lastStreamBytes,
    });
    this.lastMs = nowMs;
    this.lastMessages = stats.packetsSent;
    this.lastDatagramBytes = datagramBytes;
    this.lastStreamBytes = streamBytes;
  }

  /** The series so far. */
  series(): TrafficSeries {
    return { bucketMs: this.bucketMs, nodes: this.sim.nodeCount, buckets: [...this.buckets] };
  }
}

/** Something to call at every multiple of `everyMs` of virtual time. */
export interface RunStop {
  readonly everyMs: number;
  readonly at: (nowMs: number) => void;
}

/**
 * Runs `sim` until `untilMs`, stopping at every multiple of each stop's `everyMs` (strictly after
 * the current time and before `untilMs`) to call its `at`, in list order when stops coincide.
 * Where the stops fall does not change the run: events are processed in the same order.
 */
export function runWithStops(sim: { readonly nowMs: number; runUntil(untilMs: number): void }, untilMs: number, stops: readonly RunStop[]): void {
  for (const s of stops) assert(s.everyMs > 0, 'a run stop needs everyMs > 0');
  const next = stops.map((s) => Math.floor(sim.nowMs / s.everyMs) * s.everyMs + s.everyMs);
  for (;;) {
    let t = Infinity;
    for (const n of next) t = Math.min(t, n);
    if (t >= untilMs) break;
    sim.runUntil(t);
    stops.forEach((s, i) => {
      if (next[i] === t) {
        s.at(t);
        next[i] = t + s.everyMs;
      }
    });
  }
  sim.runUntil(untilMs);
}
