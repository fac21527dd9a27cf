/** Writing responses: JSON bodies, raw bytes and error bodies, always with a Content-Length. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpError } from './errors.js';

export const jsonContentType = 'application/json; charset=utf-8';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  sendBytes(res, status, jsonContentType, Buffer.from(JSON.stringify(body) + '\n', 'utf8'), headers);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  contentType: string,
  bytes: Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', bytes.byteLength);
  res.setHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(bytes);
}

/**
 * Answers with an error body. When the request body was not read to its end (an early 401, 404,
 * 413, ...), the connection is closed after the answer rather than reading the rest.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  const headers: Record<string, string> = { ...error.headers };
  if (hasUnreadBody(req)) headers['connection'] = 'close';
  sendJson(res, error.status, error.body(), headers);
}

/** True when the request announced a body that was not read to its end. */
export function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
