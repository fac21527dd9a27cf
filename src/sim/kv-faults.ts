/**
 * Random faults for the KV simulation, drawn from the simulation's fault stream (`sim.faultRng`)
 * before the run starts, so a seed fixes them.
 *
 * The safety rule: at most one fault at any moment, and after each one a recovery gap before the
 * next. With N = 3 and W = R = 2 that keeps at most N − W = 1 home replica of any key impaired at
 * a time, the condition under which the store promises no lost acknowledged write and
 * read-your-writes (docs/consistency.md). The gap lets hints replay and transfers finish, so the
 * node that was faulty holds its keys again before another node may fail: otherwise a second fault
 * could leave a key's only up-to-date copies on two impaired replicas, which is outside the promise.
 *
 * Fault kinds: crash + restart with the disk kept; pause (a GC stall); isolating one node with a
 * partition; a burst of datagram loss on every link; and optionally one permanent crash (the node
 * never restarts, its data is gone), followed by a longer window in which the cluster detects it
 * and re-replicates its keys (`permanentCrashRecoveryMs`).
 */
import { assert } from '../lib/assert.js';
import type { Rng } from '../lib/rng.js';
import type { NodeName } from '../wire/types.js';

/** The kinds of fault the KV run injects. */
export type KvFaultKind = 'crash-restart' | 'pause' | 'partition' | 'loss-burst' | 'permanent-crash';

/** One planned fault. */
export interface KvFault {
  readonly kind: KvFaultKind;
  /** The node it hits; null for a loss burst (every link). */
  readonly node: NodeName | null;
  readonly atMs: number;
  /** How long it lasts; for a permanent crash, the recovery window reserved after it. */
  readonly durationMs: number;
  /** Datagram loss probability during a loss burst (0 otherwise). */
  readonly loss: number;
}

/** Shortest and longest down time of a crash + restart, in ms: below and above SWIM's detection time, so both the refute path and the dead-then-rejoin path run. */
export const crashDownMsMin = 1_000;
export const crashDownMsMax = 12_000;
/** Pause length range, in ms: short stalls to ones long enough to be suspected. */
export const pauseMsMin = 300;
export const pauseMsMax = 6_000;
/** One node cut off from all others, in ms. */
export const partitionMsMin = 1_000;
export const partitionMsMax = 10_000;
/** Loss burst length, in ms, and its extra datagram loss probability range. */
export const lossBurstMsMin = 2_000;
export const lossBurstMsMax = 8_000;
export const lossBurstLossMin = 0.05;
export const lossBurstLossMax = 0.3;
/**
 * Recovery gap after a fault ends before the next may start, in ms. It must cover a rejoin's
 * ring change and transfers (rebalanceIntervalMs, 1 s, plus a few batch round trips), hint
 * replay to the node (hintReplayIntervalMs, 1 s) and a refuted suspicion's last gossip. 4-8 s is
 * several times that, and short enough to fit 3-5 faults in a 60 s run.
 */
export const faultGapMsMin = 4_000;
export const faultGapMsMax = 8_000;
/**
 * Bound on re-replication after one node of a 50-node cluster crashes for good, in ms: from the
 * crash until every key is back on exactly N live replicas with one record (the convergence check,
 * run once per virtual second). Derivation with the SWIM defaults (probe 1 s, probe timeout
 * 0.5 s, suspicionMult 4) and the KV defaults (rebalanceIntervalMs 1 s, transfer ack timeout 3 s):
 *   some member probes the dead node within about one probe period ............ 1 s
 *   its direct and indirect probes fail by the end of that period .............. 1 s
 *   suspicion, confirmed by several members: 4 × log10(50) × 1 s ............... 6.8 s
 *   'dead' gossiped to every member (gossip every 200 ms, ~log N hops) ......... 1 s
 *   ring change: sweep + transfers at once; one lost batch retried after 3 s ... 3 s
 *   granularity of the convergence check ....................................... 1 s
 * Total 13.8 s; measured 9-13 s over 10 seeds (test/sim/kv-run.test.ts); bound with margin 20 s.
 * Without confirmations the suspicion could last up to 6× longer (Lifeguard), which a 50-node
 * cluster, where every member probes the dead one, does not see.
 */
export const kvRereplicationBoundMs = 20_000;

/**
 * Window after a permanent crash before any other fault, in ms: the re-replication bound plus a
 * recovery gap, so the next fault never meets a key that is still on two replicas only.
 */
export const permanentCrashRecoveryMs = kvRereplicationBoundMs + faultGapMsMin;

/** What planKvFaults needs. */
export interface KvFaultPlanOptions {
  /** Every node, in index order; node 0 is the join seed and never crashes permanently. */
  readonly nodes: readonly NodeName[];
  /** Faults start at or after this time and end at or before `endMs`. */
  readonly startMs: number;
  readonly endMs: number;
  /** Add one permanent crash (at the start of the fault window). */
  readonly permanentCrash: boolean;
}

const kinds: readonly KvFaultKind[] = ['crash-restart', 'pause', 'partition', 'loss-burst'];

/**
 * Draws the run's faults: one after another, each followed by a recovery gap, all inside
 * [startMs, endMs). Deterministic in `rng`.
 */
export function planKvFaults(rng: Rng, options: KvFaultPlanOptions): KvFault[] {
  const { nodes, startMs, endMs } = options;
  assert(nodes.length >= 1, 'no nodes to fault');
  const faults: KvFault[] = [];
  let t = startMs;
  if (options.permanentCrash && nodes.length > 1) {
    // Node 0 is everyone's join seed; a restarted node rejoins through it.
    const node = nodes[1 + rng.intBelow(nodes.length - 1)]!;
    if (t + permanentCrashRecoveryMs <= endMs) {
      faults.push({ kind: 'permanent-crash', node, atMs: t, durationMs: permanentCrashRecoveryMs, loss: 0 });
      t += permanentCrashRecoveryMs;
    }
  }
  const permanent = faults[0]?.node ?? null;
  const candidates = nodes.filter((n) => n !== permanent);
  for (;;) {
    const kind = rng.pick(kinds);
    let durationMs: number;
    let loss = 0;
    switch (kind) {
      case 'crash-restart':
        durationMs = rng.intBetween(crashDownMsMin, crashDownMsMax);
        break;
      case 'pause':
        durationMs = rng.intBetween(pauseMsMin, pauseMsMax);
        break;
      case 'partition':
        durationMs = rng.intBetween(partitionMsMin, partitionMsMax);
        break;
      case 'loss-burst':
        durationMs = rng.intBetween(lossBurstMsMin, lossBurstMsMax);
        loss = lossBurstLossMin + rng.float() * (lossBurstLossMax - lossBurstLossMin);
        break;
      default:
        durationMs = 0;
    }
    const node = kind === 'loss-burst' ? null : rng.pick(candidates);
    if (t + durationMs > endMs || candidates.length === 0) break;
    faults.push({ kind, node, atMs: t, durationMs, loss });
    t += durationMs + rng.intBetween(faultGapMsMin, faultGapMsMax);
  }
  return faults;
}

/** One line describing a fault, for reports. */
export function describeKvFault(f: KvFault): string {
  const what = f.kind === 'loss-burst' ? `loss-burst ${(f.loss * 100).toFixed(0)}%` : `${f.kind} ${f.node}`;
  return f.kind === 'permanent-crash' ? `${f.atMs} ms ${what}` : `${f.atMs}-${f.atMs + f.durationMs} ms ${what}`;
}

/** When the last fault ends (a permanent crash ends when it happens), or null with no faults. */
export function lastFaultEndMs(faults: readonly KvFault[]): number | null {
  let last: number | null = null;
  for (const f of faults) {
    const end = f.kind === 'permanent-crash' ? f.atMs : f.atMs + f.durationMs;
    last = last === null ? end : Math.max(last, end);
  }
  return last;
}
