/**
 * Error responses of the HTTP API: the status of every code, the JSON error body, and the
 * exception handlers throw to answer with one.
 */
import type { ClientError, ClientErrorCode } from '../../kv/client-types.js';
import type { ErrorBody, HttpErrorCode, ServerErrorCode } from '../../client/http-protocol.js';

/** Thrown by handlers to answer with an error; anything else thrown becomes HTTP_ERR_INTERNAL (500). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ServerErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extra: { readonly acks?: number; readonly required?: number } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

/** An HTTP-layer error with its usual status. */
export function httpError(code: HttpErrorCode, message: string, headers: Readonly<Record<string, string>> = {}): HttpError {
  return new HttpError(httpErrorStatus[code], code, message, headers);
}

export const httpErrorStatus: Readonly<Record<HttpErrorCode, number>> = {
  HTTP_ERR_NOT_FOUND: 404,
  HTTP_ERR_METHOD: 405,
  HTTP_ERR_BODY_TOO_LARGE: 413,
  HTTP_ERR_BAD_REQUEST: 400,
  HTTP_ERR_UNAUTHORIZED: 401,
  HTTP_ERR_INTERNAL: 500,
};

export const kvErrorStatus: Readonly<Record<ClientErrorCode, number>> = {
  KV_ERR_NOT_FOUND: 404,
  KV_ERR_EXISTS: 409,
  KV_ERR_BAD_REQUEST: 400,
  KV_ERR_QUORUM_UNAVAILABLE: 503,
  KV_ERR_OVERLOADED: 429,
  KV_ERR_NOT_READY: 503,
};

/** The HTTP answer to a failed client operation. */
export function fromClientError(error: ClientError): HttpError {
  // A code this version does not know (a newer core) still answers, as a server error.
  const status = (kvErrorStatus as Readonly<Record<string, number>>)[error.code] ?? 500;
  const headers: Record<string, string> = {};
  if (error.code === 'KV_ERR_OVERLOADED' || error.code === 'KV_ERR_NOT_READY') headers['retry-after'] = '1';
  const extra: { acks?: number; required?: number } = {};
  if (error.acks !== undefined) extra.acks = error.acks;
  if (error.required !== undefined) extra.required = error.required;
  return new HttpError(status, error.code, error.message, headers, extra);
}
