/**
 * The result of one membership simulation run (`runMembershipSim`): plain data, JSON-ready
 * (NaN and Infinity are turned into null by `reportToJson`), printed by the CLI.
 */
import type { AccuracyReport } from './checkers/accuracy.js';
import type { AgreementReport } from './checkers/agreement.js';
import type { CompletenessReport } from './checkers/completeness.js';
import type { DropCounts } from './stats.js';

/** Traffic averaged over every node and every simulated second. */
export interface TrafficReport {
  /** Packets plus stream frames sent, per node per simulated second. */
  readonly msgsPerNodePerSec: number;
  /** Their bytes (envelope included), per node per simulated second. */
  readonly bytesPerNodePerSec: number;
  /** UDP-style datagrams only. */
  readonly datagramsPerNodePerSec: number;
  readonly datagramBytesPerNodePerSec: number;
  /** TCP-style stream frames only (push-pull). */
  readonly streamFramesPerNodePerSec: number;
  readonly streamBytesPerNodePerSec: number;
  /** Protocol messages (several may share one packet: piggybacking). */
  readonly protocolMsgsPerNodePerSec: number;
}

/** One membership run, everything the CLI prints. */
export interface MembershipRunReport {
  readonly seed: number;
  readonly nodes: number;
  readonly protocol: 'swim' | 'gossip';
  /** True when nodes started from an already converged view (knownMembers) instead of joining. */
  readonly converged: boolean;
  /** True when `converged` was chosen automatically because the cluster is large. */
  readonly convergedAuto: boolean;
  readonly durationMs: number;
  readonly loss: number;
  readonly failAtMs: number;
  /** The partition as given (text form), or null. */
  readonly partition: string | null;
  /** Names of the nodes crashed at failAtMs. */
  readonly failedNodes: readonly string[];
  /** Names of the nodes isolated by the partition. */
  readonly partitionedNodes: readonly string[];
  readonly detection: CompletenessReport;
  readonly accuracy: AccuracyReport;
  readonly agreement: AgreementReport;
  /** Virtual ms between the last fault change and the end of the run. */
  readonly quiescentMs: number;
  readonly traffic: TrafficReport;
  /** Packets plus stream frames sent in the whole run. */
  readonly totalMessages: number;
  readonly totalBytes: number;
  readonly drops: DropCounts;
  readonly decodeErrors: number;
  readonly eventsProcessed: number;
  readonly pendingEventsPeak: number;
  /** Wall-clock time of the run, when the caller supplied a clock; else null. */
  readonly wallMs: number | null;
  /** Packets+frames simulated per wall second, or null. */
  readonly simMsgsPerWallSec: number | null;
  /** Engine events per wall second, or null. */
  readonly eventsPerWallSec: number | null;
  /** What went wrong (false positives, incomplete detection, decode errors); empty means pass. */
  readonly violations: readonly string[];
}

/** The report as JSON text, with non-finite numbers as null. */
export function reportToJson(report: MembershipRunReport, indent?: number): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), indent);
}
