/**
 * What one membership run takes and gives (kept apart from measure.ts so the report code, and its
 * smoke test, do not load the runtime).
 */
import type { SwimConfig } from '../../src/membership/swim/index.js';
import type { LagSummary } from '../lib/lag.js';

/** Longest wait for every node to see every other alive, in ms. */
export const convergeTimeoutMs = 180_000;
/** Longest wait for every survivor to mark the crashed node dead, in ms. */
export const detectTimeoutMs = 90_000;

export interface MembershipRunOptions {
  readonly nodes: number;
  readonly loss: number;
  readonly seed: number;
  /** Steady-state measurement window, in ms. */
  readonly windowMs: number;
  /** Wait after convergence before the window (join push-pulls and broadcasts die down), in ms. */
  readonly settleMs: number;
  readonly membership: Partial<SwimConfig>;
}

export interface MembershipRunResult {
  readonly nodes: number;
  readonly loss: number;
  readonly seed: number;
  readonly convergeS: number;
  readonly udpPacketsPerNodePerS: number;
  readonly udpBytesPerNodePerS: number;
  readonly tcpBytesPerNodePerS: number;
  readonly detectFirstS: number;
  readonly detectMedianS: number;
  /** Time until every survivor marked it dead; NaN when some never did within the bound. */
  readonly detectLastS: number;
  readonly undetected: number;
  readonly falsePositives: number;
  readonly liveSuspicions: number;
  readonly lagWindow: LagSummary;
  readonly lagDetect: LagSummary;
  /** False when the event loop was too late for the timings to mean anything. */
  readonly lagOk: boolean;
}
