import { AssertionError } from '../lib/assert.js';

/**
 * Throws the project's AssertionError. Hot paths write `if (!ok) assertFailed(\`...\`)` instead of
 * `assert(ok, \`...\`)` because the argument of `assert` is built on every call, and formatting a
 * template string per field would dominate the cost of encoding.
 */
export function assertFailed(why: string): never {
  throw new AssertionError(why);
}
