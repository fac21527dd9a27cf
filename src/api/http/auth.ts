/**
 * Bearer-token authentication. Tokens are compared in constant time: both sides are hashed to
 * SHA-256 first, so crypto.timingSafeEqual gets equal-length buffers and the comparison reveals
 * neither the token's content nor its length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Paths served without a token (load balancers and Prometheus scrape them). */
export const publicPaths: ReadonlySet<string> = new Set(['/health', '/metrics']);

/** A predicate telling whether a request carries the token; always true when no token is configured. */
export function bearerAuth(token: string | undefined): (req: IncomingMessage) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return false;
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (m === null) return false;
    return timingSafeEqual(digest(m[1]!), expected);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
