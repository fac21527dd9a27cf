/**
 * Figures of a KV run for its report: what the clients saw (from the history) and what the store
 * did in the background (counted from the nodes' KvEvents as they happen, O(1) memory).
 */
import type { ClientErrorCode, ClientOpType } from '../kv/client-types.js';
import type { NodeEvent } from '../node/types.js';
import type { KvOpRecord } from './kv-history.js';
import type { KvActivityReport, KvOpCounts, KvOpsReport } from './kv-report.js';

/** Width of an availability bucket, in virtual ms. */
export const availabilityBucketMs = 1_000;

function zero(): KvOpCounts {
  return { issued: 0, acked: 0, failed: 0, orphaned: 0 };
}

/** Client-side figures of `history`, whose requests were issued in [startMs, endMs). */
export function buildKvOpsReport(history: readonly KvOpRecord[], startMs: number, endMs: number): KvOpsReport {
  const total = zero();
  const byOp: Record<ClientOpType, KvOpCounts> = { put: zero(), read: zero(), create: zero(), update: zero(), delete: zero() };
  const byError: Partial<Record<ClientErrorCode, number>> = {};
  const buckets = Math.max(0, Math.ceil((endMs - startMs) / availabilityBucketMs));
  const issuedPer = new Array<number>(buckets).fill(0);
  const ackedPer = new Array<number>(buckets).fill(0);
  let preconditions = 0;
  for (const r of history) {
    const c = byOp[r.op];
    c.issued++;
    total.issued++;
    const b = Math.floor((r.issuedAtMs - startMs) / availabilityBucketMs);
    const inBucket = b >= 0 && b < buckets;
    if (inBucket) issuedPer[b]!++;
    if (r.outcome === 'ok') {
      c.acked++;
      total.acked++;
      if (inBucket) ackedPer[b]!++;
    } else if (r.outcome === 'failed') {
      c.failed++;
      total.failed++;
      if (r.errorCode !== null) byError[r.errorCode] = (byError[r.errorCode] ?? 0) + 1;
      if (r.errorCode === 'KV_ERR_NOT_FOUND' || r.errorCode === 'KV_ERR_EXISTS') preconditions++;
    } else if (r.outcome === 'orphaned') {
      c.orphaned++;
      total.orphaned++;
    }
  }
  const perSecond = issuedPer.map((n, i) => (n === 0 ? null : ackedPer[i]! / n));
  const defined = perSecond.filter((x): x is number => x !== null);
  const seconds = (endMs - startMs) / 1000;
  return {
    total,
    byOp,
    byError,
    availability: total.acked / total.issued,
    answeredRatio: (total.acked + preconditions) / total.issued,
    availabilityPerSecond: perSecond,
    availabilityMinPerSecond: defined.length === 0 ? NaN : Math.min(...defined),
    simOpsPerSec: seconds > 0 ? total.issued / seconds : NaN,
  };
}

/** Counts the KV layer's background events as the simulation emits them. */
export class KvActivityCounter {
  private readRepairs = 0;
  private hintsStored = 0;
  private hintsReplayed = 0;
  private keysTransferred = 0;
  private keysDropped = 0;
  private antiEntropyRepairs = 0;
  private antiEntropyExchangesRepairing = 0;
  private ringChanges = 0;

  /** One event of any node. */
  observe(event: NodeEvent): void {
    switch (event.type) {
      case 'kv-read-repair':
        this.readRepairs++;
        break;
      case 'kv-hint-stored':
        this.hintsStored++;
        break;
      case 'kv-hints-replayed':
        this.hintsReplayed += event.count;
        break;
      case 'kv-transferred':
        this.keysTransferred += event.count;
        break;
      case 'kv-dropped':
        this.keysDropped += event.count;
        break;
      case 'kv-anti-entropy':
        this.antiEntropyRepairs += event.repaired;
        if (event.repaired > 0) this.antiEntropyExchangesRepairing++;
        break;
      case 'kv-ring-changed':
        this.ringChanges++;
        break;
      default:
        break;
    }
  }

  /** The counts so far. */
  report(): KvActivityReport {
    return {
      readRepairs: this.readRepairs,
      hintsStored: this.hintsStored,
      hintsReplayed: this.hintsReplayed,
      keysTransferred: this.keysTransferred,
      keysDropped: this.keysDropped,
      antiEntropyRepairs: this.antiEntropyRepairs,
      antiEntropyExchangesRepairing: this.antiEntropyExchangesRepairing,
      ringChanges: this.ringChanges,
    };
  }
}
