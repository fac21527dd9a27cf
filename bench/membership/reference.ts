/**
 * hashicorp/memberlist's figures at the same timings (LAN defaults: probe interval 1 s, probe
 * timeout 500 ms, suspicion multiplier 4), one node stopped without leaving. "bytes" are UDP
 * payload bytes per node per second (we assume memberlist's figure counts payload, not IP/UDP
 * headers, and count payload the same way). Missing figures were not part of the reference.
 */

export interface MembershipReference {
  readonly packetsPerNodePerS: number;
  readonly bytesPerNodePerS: number;
  /** Time until every survivor marks the stopped node dead, in s. */
  readonly detectLastS: number;
  readonly detectFirstS?: number;
  readonly falsePositives?: number;
}

/** Keyed by `${nodes}/${loss}` (loss as a fraction, e.g. "50/0.1"). */
const references: ReadonlyMap<string, MembershipReference> = new Map([
  ['20/0', { packetsPerNodePerS: 2.6, bytesPerNodePerS: 266, detectLastS: 7.1, detectFirstS: 6.8, falsePositives: 0 }],
  ['50/0', { packetsPerNodePerS: 2.1, bytesPerNodePerS: 114, detectLastS: 8.8 }],
  ['100/0', { packetsPerNodePerS: 2.3, bytesPerNodePerS: 278, detectLastS: 10.4 }],
  ['50/0.1', { packetsPerNodePerS: 3.5, bytesPerNodePerS: 184, detectLastS: 11.0 }],
  ['50/0.2', { packetsPerNodePerS: 4.4, bytesPerNodePerS: 321, detectLastS: 8.2 }],
]);

/** Target: ringkv detects in at most this share of memberlist's time (every survivor). */
export const detectionRatioTarget = 0.5;
/** Target: ringkv sends at most this share of memberlist's UDP bytes. */
export const bytesRatioTarget = 1;

export function membershipReference(nodes: number, loss: number): MembershipReference | undefined {
  return references.get(`${nodes}/${loss}`);
}
