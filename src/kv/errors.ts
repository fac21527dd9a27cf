/**
 * Typed errors of the KV building blocks. Expected failures (bad client input, a remote clock too
 * far ahead, a full store) are results with these stable codes, never throws; docs/errors.md
 * (section "KV") says when each is returned. Assertions are reserved for broken invariants.
 */

/** Stable KV error codes: never rename one, clients and metrics match on them. */
export type KvErrorCode =
  | 'KV_ERR_KEY_TOO_LARGE'
  | 'KV_ERR_KEY_INVALID'
  | 'KV_ERR_VALUE_TOO_LARGE'
  | 'KV_ERR_CLOCK_DRIFT'
  | 'KV_ERR_STORAGE_FULL';

/** Every `KvErrorCode`, for exhaustive checks in tests and metrics. */
export const kvErrorCodes: readonly KvErrorCode[] = [
  'KV_ERR_KEY_TOO_LARGE',
  'KV_ERR_KEY_INVALID',
  'KV_ERR_VALUE_TOO_LARGE',
  'KV_ERR_CLOCK_DRIFT',
  'KV_ERR_STORAGE_FULL',
];

/** A KV failure: a stable code plus a human-readable detail (not for matching). */
export interface KvError {
  readonly code: KvErrorCode;
  readonly detail: string;
}

/** Builds a `KvError`. */
export function kvError(code: KvErrorCode, detail: string): KvError {
  return { code, detail };
}
