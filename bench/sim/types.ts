/** One simulator scale run, as measured from outside the child (bench/sim/measure.ts). */
export interface SimRunResult {
  readonly nodes: number;
  readonly seed: number;
  readonly simulatedS: number;
  /** Child process wall time, node start-up included. */
  readonly wallS: number;
  /** The simulator's own wall time (its report's wallMs), without start-up. */
  readonly simWallS: number;
  /** Datagrams plus stream frames simulated in the whole run. */
  readonly messages: number;
  readonly peakRssMb: number;
  readonly rssSource: 'GNU time' | 'VmHWM poll';
  readonly violations: readonly string[];
}
