/**
 * Membership agreement: after quiescence, every live node's set of live (alive or suspect)
 * members equals the set of nodes really running. Results are data; nothing is thrown.
 *
 * For large clusters a full comparison is N² member lookups, so above `fullCheckNodesMax` the
 * check is by counting, which is just as strict: every view's members are simulated nodes; if no
 * down node is live in a view and the view's live count equals the number of running nodes, the
 * view's live set IS the running set (a subset of equal size).
 */
import type { NodeName } from '../../wire/types.js';
import { isLiveState, type Observer } from './view.js';

/** Above this many live nodes agreement is checked by counting (see the file comment). */
export const agreementFullCheckNodesMaxDefault = 500;
/** Default number of disagreeing observers described (all are counted). */
export const agreementSamplesMaxDefault = 5;
/** Names listed per missing/extra list in a sample. */
const namesPerSampleMax = 5;

/** One observer whose view differs from the truth. */
export interface Disagreement {
  readonly observer: NodeName;
  readonly liveCount: number;
  /** Running nodes this observer does not hold live (full mode only). */
  readonly missing: readonly NodeName[];
  /** Down or departed nodes this observer still holds live. */
  readonly extra: readonly NodeName[];
}

/** What the agreement checker found. */
export interface AgreementReport {
  readonly agreed: boolean;
  /** How the views were compared. */
  readonly method: 'full' | 'count';
  /** Nodes really running (the expected live set size). */
  readonly expectedLive: number;
  readonly disagreeing: number;
  readonly samples: readonly Disagreement[];
}

/** Options for the agreement check. */
export interface AgreementOptions {
  readonly fullCheckNodesMax?: number;
  readonly samplesMax?: number;
}

/**
 * Compares the views of the running nodes (`live`) with the truth; `notLive` are the nodes that
 * crashed or left (each must be absent, dead or left in every view).
 */
export function checkAgreement(live: readonly Observer[], notLive: readonly NodeName[], options: AgreementOptions = {}): AgreementReport {
  const full = live.length <= (options.fullCheckNodesMax ?? agreementFullCheckNodesMaxDefault);
  const samplesMax = options.samplesMax ?? agreementSamplesMaxDefault;
  const expected = live.length;
  const samples: Disagreement[] = [];
  let disagreeing = 0;
  for (const o of live) {
    const liveCount = o.view.liveCount();
    const extra: NodeName[] = [];
    let extraCount = 0;
    for (const name of notLive) {
      if (!isLiveState(o.view.member(name)?.state)) continue;
      extraCount++;
      if (extra.length < namesPerSampleMax) extra.push(name);
    }
    const missing: NodeName[] = [];
    let missingCount = 0;
    if (full) {
      for (const other of live) {
        if (isLiveState(o.view.member(other.name)?.state)) continue;
        missingCount++;
        if (missing.length < namesPerSampleMax) missing.push(other.name);
      }
    }
    if (liveCount === expected && extraCount === 0 && missingCount === 0) continue;
    disagreeing++;
    if (samples.length < samplesMax) samples.push({ observer: o.name, liveCount, missing, extra });
  }
  return { agreed: disagreeing === 0, method: full ? 'full' : 'count', expectedLive: expected, disagreeing, samples };
}
