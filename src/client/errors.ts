/**
 * The one error type of the client. `code` is either what the server answered (KV_ERR_* from the
 * store, HTTP_ERR_* from the HTTP layer) or a CLIENT_ERR_* code decided here.
 */
import type { ClientErrorCode } from '../kv/client-types.js';
import type { HttpErrorCode } from './http-protocol.js';

/**
 * Failures decided by the client itself:
 * - CLIENT_ERR_UNAVAILABLE: no node could be reached (connection refused or lost) within the
 *   retries and the retry budget;
 * - CLIENT_ERR_TIMEOUT: the last attempt got no answer within `timeoutMs` (a write may or may not
 *   have been applied);
 * - CLIENT_ERR_PROTOCOL: a node answered something that is not the ringkv HTTP API;
 * - CLIENT_ERR_CONFIG: invalid constructor options (thrown by the constructor);
 * - CLIENT_ERR_BAD_REQUEST: an argument the server would refuse (empty key, key longer than
 *   1,024 UTF-8 bytes or not valid Unicode, value larger than 1 MiB or not bytes); nothing is sent;
 * - CLIENT_ERR_CLOSED: the client was closed (before or during the call).
 */
export type LocalErrorCode =
  | 'CLIENT_ERR_UNAVAILABLE'
  | 'CLIENT_ERR_TIMEOUT'
  | 'CLIENT_ERR_PROTOCOL'
  | 'CLIENT_ERR_CONFIG'
  | 'CLIENT_ERR_BAD_REQUEST'
  | 'CLIENT_ERR_CLOSED';

/** Every code a RingkvClientError can carry. */
export type RingkvErrorCode = ClientErrorCode | HttpErrorCode | LocalErrorCode;

export interface RingkvClientErrorDetails {
  /** HTTP status of the answer, when a node answered. */
  readonly status?: number;
  /** The node ("host:port") that answered, or that the last attempt went to. */
  readonly node?: string;
  /** Attempts made (1 = no retry). */
  readonly attempts?: number;
  /** Replicas that acknowledged and how many the level required (KV_ERR_QUORUM_UNAVAILABLE). */
  readonly acks?: number;
  readonly required?: number;
  readonly cause?: unknown;
}

export class RingkvClientError extends Error {
  readonly code: RingkvErrorCode;
  readonly status: number | undefined;
  readonly node: string | undefined;
  readonly attempts: number | undefined;
  readonly acks: number | undefined;
  readonly required: number | undefined;

  constructor(code: RingkvErrorCode, message: string, details: RingkvClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RingkvClientError';
    this.code = code;
    this.status = details.status;
    this.node = details.node;
    this.attempts = details.attempts;
    this.acks = details.acks;
    this.required = details.required;
  }

  /** A copy with the attempt count set (the retry loop knows it only at the end). */
  withAttempts(attempts: number): RingkvClientError {
    return new RingkvClientError(this.code, this.message, { ...this.details(), attempts });
  }

  private details(): RingkvClientErrorDetails {
    return {
      ...(this.status !== undefined && { status: this.status }),
      ...(this.node !== undefined && { node: this.node }),
      ...(this.acks !== undefined && { acks: this.acks }),
      ...(this.required !== undefined && { required: this.required }),
      ...(this.cause !== undefined && { cause: this.cause }),
    };
  }
}

/** True when `error` is a RingkvClientError, optionally with one of `codes`. */
export function isRingkvError(error: unknown, ...codes: RingkvErrorCode[]): error is RingkvClientError {
  return error instanceof RingkvClientError && (codes.length === 0 || codes.includes(error.code));
}
