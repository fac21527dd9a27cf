/**
 * Event-loop lag of the benchmark process. The membership benchmark runs N nodes in one process:
 * if the loop is late, probes time out because the process is busy rather than because the network
 * lost a packet, and every timing figure is invalid. The lag is therefore measured during the
 * window and the detection phase, and runs above the bound are flagged in the table.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

/** Sampling resolution of the delay monitor, in ms. */
export const lagResolutionMs = 10;
/**
 * p99 lag above which a membership run's timings are flagged invalid, in ms: a tenth of the
 * 500 ms probe timeout (a probe answered on time can then not look lost because of the loop).
 */
export const lagWarnP99Ms = 50;

export interface LagSummary {
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export class LagMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: lagResolutionMs });

  constructor() {
    this.histogram.enable();
  }

  /** Starts a new measurement period. */
  reset(): void {
    this.histogram.reset();
  }

  /**
   * Delay beyond the sampling resolution, in ms (the histogram records the whole interval between
   * samples, so the resolution itself is subtracted).
   */
  summary(): LagSummary {
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - lagResolutionMs);
    return { p99Ms: ms(this.histogram.percentile(99)), maxMs: ms(this.histogram.max), meanMs: ms(this.histogram.mean) };
  }

  stop(): void {
    this.histogram.disable();
  }
}
