/**
 * The runtime's clock: epoch milliseconds that never go backwards. The cores require `nowMs` to be
 * monotonic (membership timers) and the KV layer's hybrid logical clock wants wall-clock time, so
 * we take `performance.timeOrigin + performance.now()`: epoch-based at process start, then driven
 * by the monotonic clock, immune to NTP steps during the process's life. A step between restarts
 * is what the HLC's observed-version floor (storage-clock.ts) covers.
 */
export function monotonicEpochMs(): number {
  return Math.floor(performance.timeOrigin + performance.now());
}
