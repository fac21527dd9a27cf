/** Waiting helpers: every wait is on a condition with a bound, never an unbounded loop. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` every `pollMs` until it holds; false when `timeoutMs` passed first (the caller
 * decides whether that is an error or a figure, e.g. "never detected"). `refresh`, when given,
 * runs before each check (e.g. an HTTP poll whose answer the condition reads).
 */
export async function waitUntil(condition: () => boolean, timeoutMs: number, pollMs: number, refresh?: () => Promise<void>): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    if (condition()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(pollMs);
  }
}
