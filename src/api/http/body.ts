/**
 * Reading a request body with a hard bound: a declared Content-Length above the bound is refused
 * before reading anything, and a streamed (chunked) body is refused as soon as it passes the
 * bound, without buffering the rest (the connection is then closed, see respond.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpError } from './errors.js';

/** Requests that asked `Expect: 100-continue`: the interim answer is sent when the body is wanted. */
const awaitingContinue = new WeakSet<IncomingMessage>();

export function markExpectContinue(req: IncomingMessage): void {
  awaitingContinue.add(req);
}

/** Refuses a declared body above `limitBytes` (HTTP_ERR_BODY_TOO_LARGE) without reading it. */
export function checkDeclaredLength(req: IncomingMessage, limitBytes: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    throw tooLarge(limitBytes);
  }
}

/** The whole body, at most `limitBytes`; rejects with an HttpError (413, or 400 when the client aborts). */
export function readBody(req: IncomingMessage, res: ServerResponse, limitBytes: number): Promise<Uint8Array> {
  checkDeclaredLength(req, limitBytes);
  if (awaitingContinue.delete(req)) res.writeContinue();
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error !== null) {
        req.pause();
        reject(error);
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
      }
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.byteLength;
      if (total > limitBytes) finish(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(null);
    const onError = (): void => finish(httpError('HTTP_ERR_BAD_REQUEST', 'request body aborted'));
    const onClose = (): void => finish(httpError('HTTP_ERR_BAD_REQUEST', 'request body aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(limitBytes: number) {
  return httpError('HTTP_ERR_BODY_TOO_LARGE', `request body larger than ${limitBytes} bytes`);
}
