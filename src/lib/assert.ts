/**
 * Assertions for invariants (programmer errors). They stay on in production: a broken invariant
 * in a replicated store is worse than a crash. Expected failures are typed results, never asserts.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
  readonly code = 'RINGKV_ERR_ASSERTION';
}

export function assert(condition: unknown, why: string): asserts condition {
  if (!condition) throw new AssertionError(why);
}

/** Marks a switch branch that the type system proves unreachable. */
export function unreachable(value: never, why = 'unreachable'): never {
  throw new AssertionError(`${why}: ${JSON.stringify(value)}`);
}
