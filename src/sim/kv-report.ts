/**
 * The result of one KV simulation run (`runKvSim`): plain data, JSON-ready (`kvReportToJson`
 * turns NaN and Infinity into null), printed by `ringkv sim --workload kv` and the sweep script.
 */
import type { ClientErrorCode, ClientOpType } from '../kv/client-types.js';
import type { ConvergenceReport } from './checkers/kv-convergence.js';
import type { LostWritesReport } from './checkers/kv-lost-writes.js';
import type { ReadYourWritesReport } from './checkers/kv-read-your-writes.js';
import type { RepliesReport } from './checkers/kv-replies.js';
import type { KvViolation } from './checkers/kv-violation.js';
import type { DropCounts } from './stats.js';

/** Counts of one operation type. */
export interface KvOpCounts {
  issued: number;
  acked: number;
  failed: number;
  /** Coordinator crashed before replying. */
  orphaned: number;
}

/** What the client saw. */
export interface KvOpsReport {
  readonly total: KvOpCounts;
  readonly byOp: Readonly<Record<ClientOpType, KvOpCounts>>;
  /** Failed replies by error code. */
  readonly byError: Readonly<Partial<Record<ClientErrorCode, number>>>;
  /** acked / issued (orphaned requests count as not acked); NaN with no ops. */
  readonly availability: number;
  /** (acked + precondition refusals NOT_FOUND/EXISTS) / issued: requests the store answered meaningfully. */
  readonly answeredRatio: number;
  /** acked / issued per 1 s bucket of issue time from the workload's start; null for an empty bucket. */
  readonly availabilityPerSecond: readonly (number | null)[];
  /** The lowest per-second availability (NaN with no buckets). */
  readonly availabilityMinPerSecond: number;
  /** Requests issued per simulated second of workload. */
  readonly simOpsPerSec: number;
}

/** KV background activity, counted from the nodes' KvEvents. */
export interface KvActivityReport {
  readonly readRepairs: number;
  readonly hintsStored: number;
  readonly hintsReplayed: number;
  readonly keysTransferred: number;
  readonly keysDropped: number;
  /** Keys repaired by Merkle anti-entropy, and the exchanges that repaired at least one. */
  readonly antiEntropyRepairs: number;
  readonly antiEntropyExchangesRepairing: number;
  readonly ringChanges: number;
}

/** One KV run, everything the CLI prints. */
export interface KvRunReport {
  readonly seed: number;
  readonly nodes: number;
  /** Virtual ms of warm-up + workload with faults; the quiet period follows. */
  readonly durationMs: number;
  readonly quietMs: number;
  readonly warmupMs: number;
  readonly opsPerSecond: number;
  readonly keys: number;
  /** 'scripted' when the caller passed an explicit fault plan. */
  readonly faultsMode: 'none' | 'random' | 'scripted';
  readonly permanentCrash: boolean;
  readonly loss: number;
  /** True when KV/membership settings, the op mix, the link or the fault plan were given (the reproduce line cannot carry them). */
  readonly configOverridden: boolean;
  /** The faults injected, one line each. */
  readonly faults: readonly string[];
  /** Node crashed for good (its data lost), if any. */
  readonly permanentlyCrashed: string | null;
  readonly ops: KvOpsReport;
  readonly activity: KvActivityReport;
  /** When the last fault ended (virtual ms), or null without faults. */
  readonly lastFaultEndMs: number | null;
  /** First 1 s check of the quiet period at which the cluster had converged; null if never. */
  readonly convergedAtMs: number | null;
  /** convergedAtMs minus the last fault's end (or the quiet period's start without faults). */
  readonly convergenceMs: number | null;
  readonly checks: {
    readonly lostWrites: LostWritesReport;
    readonly readYourWrites: ReadYourWritesReport;
    readonly convergence: ConvergenceReport;
    readonly replies: RepliesReport;
  };
  readonly drops: DropCounts;
  readonly eventsProcessed: number;
  /** Wall-clock ms of the run when the caller passed a clock, else null. */
  readonly wallMs: number | null;
  /** Every violation counted by the checkers. */
  readonly violationCount: number;
  /** The first few violations of each checker. */
  readonly violations: readonly KvViolation[];
  /** The command that replays this run. */
  readonly reproduce: string;
}

/** The report as JSON text, with non-finite numbers as null. */
export function kvReportToJson(report: KvRunReport, indent?: number): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), indent);
}

/** What the reproduce line needs. */
export interface KvReproduceArgs {
  readonly nodes: number;
  readonly seed: number;
  readonly durationMs: number;
  readonly opsPerSecond: number;
  readonly keys: number;
  readonly faults: 'none' | 'random';
  readonly permanentCrash: boolean;
  readonly loss: number;
  readonly quietMs: number;
}

/** `ringkv sim --workload kv ...`: the one command that replays a run. */
export function kvReproduceCommand(a: KvReproduceArgs): string {
  const parts = [
    'ringkv sim --workload kv',
    `--nodes ${a.nodes}`,
    `--seed ${a.seed}`,
    `--duration-ms ${a.durationMs}`,
    `--ops-per-second ${a.opsPerSecond}`,
    `--keys ${a.keys}`,
    `--faults ${a.faults}`,
    `--loss ${a.loss}`,
    `--quiet-ms ${a.quietMs}`,
  ];
  // The CLI's permanent crash is opt-in (`ringkv sim` wiring); runKvSim's option is passed explicitly.
  if (a.faults === 'random' && a.permanentCrash) parts.push('--permanent-crash');
  return parts.join(' ');
}
