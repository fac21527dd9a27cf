import type { KvVersion } from '../wire/kv-types.js';
import { compareHlc } from './hlc.js';

/**
 * Versions and last-writer-wins (LWW) ordering. A version is an HLC timestamp with the issuing
 * node's id (hlc.ts). LWW is Cassandra's per-cell rule, made total so that every replica picks the
 * same winner whatever order writes arrive in:
 *   1. the higher version wins;
 *   2. on equal versions a tombstone beats a value (a delete is never silently undone);
 *   3. then the byte-wise larger value wins (deterministic; equal bytes are the same write).
 * Because `lwwMerge` picks the maximum of a total order it is commutative, associative and
 * idempotent (a join-semilattice), which is what makes replicas converge (Dynamo §4.4, with LWW in
 * place of vector clocks; test/kv/version.test.ts checks the laws).
 */

/** The version of a write: a hybrid logical clock timestamp plus node id. */
export type Version = KvVersion;

/** Anything LWW can order: a value (null = tombstone) and its version. */
export interface Versioned {
  readonly value: Uint8Array | null;
  readonly version: Version;
}

/** Orders versions: -1, 0 or 1 (the HLC total order). */
export function compareVersions(a: Version, b: Version): -1 | 0 | 1 {
  return compareHlc(a, b);
}

/** Lexicographic byte order; a proper prefix is smaller. */
export function compareBytes(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.length === b.length) return 0;
  return a.length < b.length ? -1 : 1;
}

/**
 * LWW order: positive when `a` wins over `b`, negative when `b` wins, 0 when they are the same
 * write (equal version and equal value, or both tombstones of the same version).
 */
export function compareLww(a: Versioned, b: Versioned): -1 | 0 | 1 {
  const byVersion = compareVersions(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  if (a.value === null || b.value === null) {
    if (a.value === null && b.value === null) return 0;
    return a.value === null ? 1 : -1;
  }
  return compareBytes(a.value, b.value);
}

/** The LWW winner of two records (`a` on a tie, which is then the same write). */
export function lwwMerge<T extends Versioned>(a: T, b: T): T {
  return compareLww(a, b) >= 0 ? a : b;
}

/** True when `candidate` strictly wins over `current` (absent loses to anything). */
export function lwwWins(candidate: Versioned, current: Versioned | undefined): boolean {
  return current === undefined || compareLww(candidate, current) > 0;
}
