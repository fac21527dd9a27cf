/**
 * Typed decode errors. Decoding is total: every failure is one of these codes, never a throw.
 * The codes are stable (docs/protocol.md lists when each one is returned).
 */

/** Why bytes did not decode. */
export type WireErrorCode =
  | 'WIRE_ERR_TRUNCATED'
  | 'WIRE_ERR_BAD_MAGIC'
  | 'WIRE_ERR_UNSUPPORTED_VERSION'
  | 'WIRE_ERR_LABEL_MISMATCH'
  | 'WIRE_ERR_TOO_LARGE'
  | 'WIRE_ERR_UNKNOWN_TYPE'
  | 'WIRE_ERR_MALFORMED'
  | 'WIRE_ERR_LIMIT_EXCEEDED'
  | 'WIRE_ERR_TRAILING_BYTES';

/** Every `WireErrorCode`, for exhaustive checks in tests and metrics. */
export const wireErrorCodes: readonly WireErrorCode[] = [
  'WIRE_ERR_TRUNCATED',
  'WIRE_ERR_BAD_MAGIC',
  'WIRE_ERR_UNSUPPORTED_VERSION',
  'WIRE_ERR_LABEL_MISMATCH',
  'WIRE_ERR_TOO_LARGE',
  'WIRE_ERR_UNKNOWN_TYPE',
  'WIRE_ERR_MALFORMED',
  'WIRE_ERR_LIMIT_EXCEEDED',
  'WIRE_ERR_TRAILING_BYTES',
];

/** Why bytes did not decode: a stable code plus a human-readable detail (not for matching). */
export interface WireError {
  readonly code: WireErrorCode;
  readonly detail: string;
}
