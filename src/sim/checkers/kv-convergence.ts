/**
 * Convergence after faults stop (docs/consistency.md promise 4; architecture §4 "every key
 * returns to exactly N replicas, never fewer, never more"):
 *  - every live node's ring holds exactly the live nodes (they agree on the live set);
 *  - for every key some live node holds a record of (value or tombstone): its N owners under that
 *    ring all hold it, with the same record (equal under LWW), and no other live node holds one.
 * Keys no live node holds are fine (never written, or every write failed before reaching a
 * replica; a lost acknowledged write is the lost-write checker's business). Result data; never
 * throws.
 */
import type { Versioned } from '../../kv/version.js';
import { compareLww } from '../../kv/version.js';
import { Ring } from '../../ring/ring.js';
import type { NodeName } from '../../wire/types.js';
import { ViolationLog, formatVersion, kvViolationSamplesMaxDefault, type KvViolation } from './kv-violation.js';

/** One live node as the convergence checker sees it. */
export interface KvNodeSnapshot {
  readonly name: NodeName;
  /** The members of this node's current ring. */
  readonly ringNodes: readonly NodeName[];
  /** The record this node's storage holds for `key` (a tombstone has value null). */
  get(key: string): Versioned | undefined;
}

/** Replication settings the check needs to compute owners. */
export interface KvPlacement {
  readonly replicationFactor: number;
  readonly tokensPerNode: number;
}

/** What the convergence checker found. */
export interface ConvergenceReport {
  readonly converged: boolean;
  readonly liveNodes: number;
  /** Live nodes whose ring is not exactly the live set. */
  readonly ringMismatches: number;
  readonly keysChecked: number;
  /** Keys held by at least one live node. */
  readonly keysHeld: number;
  /** Keys whose owners hold different records. */
  readonly keysDivergent: number;
  /** Keys some owner does not hold. */
  readonly keysUnderReplicated: number;
  /** Keys some non-owner holds. */
  readonly keysOverReplicated: number;
  /** Ring mismatches plus keys out of place (all counted). */
  readonly violations: number;
  readonly samples: readonly KvViolation[];
}

function describe(r: Versioned | undefined): string {
  if (r === undefined) return 'none';
  return r.value === null ? `tombstone@${formatVersion(r.version)}` : `value@${formatVersion(r.version)}`;
}

/** Checks `keys` across the live nodes `nodes` at virtual time `atMs` (see the module comment). */
export function checkConvergence(
  nodes: readonly KvNodeSnapshot[],
  keys: Iterable<string>,
  placement: KvPlacement,
  atMs: number,
  samplesMax: number = kvViolationSamplesMaxDefault,
): ConvergenceReport {
  const log = new ViolationLog(samplesMax);
  const liveNames = nodes.map((n) => n.name).sort();
  const liveKey = liveNames.join(',');
  let ringMismatches = 0;
  for (const n of nodes) {
    const ringKey = [...n.ringNodes].sort().join(',');
    if (ringKey === liveKey) continue;
    ringMismatches++;
    const missing = liveNames.filter((x) => !n.ringNodes.includes(x));
    const extra = n.ringNodes.filter((x) => !liveNames.includes(x));
    log.add({ kind: 'not-converged', key: null, requestId: null, atMs, detail: `${n.name}'s ring has ${n.ringNodes.length} nodes, ${liveNames.length} live; missing [${missing.slice(0, 5).join(',')}] extra [${extra.slice(0, 5).join(',')}]` });
  }
  const ring = Ring.build(liveNames, placement.tokensPerNode);
  const byName = new Map(nodes.map((n) => [n.name, n] as const));
  let keysChecked = 0;
  let keysHeld = 0;
  let keysDivergent = 0;
  let keysUnder = 0;
  let keysOver = 0;
  for (const key of keys) {
    keysChecked++;
    const holders: NodeName[] = [];
    for (const n of nodes) if (n.get(key) !== undefined) holders.push(n.name);
    if (holders.length === 0) continue;
    keysHeld++;
    const owners = ring.preferenceList(key, placement.replicationFactor);
    const records = owners.map((o) => byName.get(o)!.get(key));
    const missing = owners.filter((_, i) => records[i] === undefined);
    const extra = holders.filter((h) => !owners.includes(h));
    const first = records.find((r) => r !== undefined)!;
    const divergent = records.some((r) => r !== undefined && compareLww(r, first) !== 0);
    if (missing.length > 0) keysUnder++;
    if (extra.length > 0) keysOver++;
    if (divergent) keysDivergent++;
    if (missing.length > 0 || extra.length > 0 || divergent) {
      const detail = `${key}: owners ${owners.map((o, i) => `${o}=${describe(records[i])}`).join(' ')}; held by ${holders.length} live nodes${extra.length > 0 ? `, non-owners [${extra.join(',')}]` : ''}`;
      log.add({ kind: 'not-converged', key, requestId: null, atMs, detail });
    }
  }
  return {
    converged: log.count === 0,
    liveNodes: nodes.length,
    ringMismatches,
    keysChecked,
    keysHeld,
    keysDivergent,
    keysUnderReplicated: keysUnder,
    keysOverReplicated: keysOver,
    violations: log.count,
    samples: log.samples,
  };
}
