/** Validation of command-line option values, with messages that name the option. */

/** A bad command-line value. The CLI prints its message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'CLI_ERR_USAGE';
}

/** An integer option within [min, max], or a clear error. */
export function parseIntegerOption(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${name} must be an integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return n;
}

/** A number option within [min, max], or a clear error. */
export function parseNumberOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a number between ${min} and ${max}, got "${value}"`);
  }
  return n;
}

/** One of a fixed set of values, or a clear error. */
export function parseChoiceOption<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}
