/**
 * One-way latency distributions for simulated links, sampled from the network's seeded Rng.
 *
 * Samples are rounded to whole milliseconds: protocol cores may keep times in integer typed arrays,
 * and golden traces read better. A zero-latency delivery still happens after the send, because the
 * event queue orders equal times by insertion.
 */
import { assert } from '../lib/assert.js';
import type { Rng } from '../lib/rng.js';

/** A latency distribution, in virtual milliseconds. */
export type LatencyModel =
  /** Always `ms` (the course's "one tick"). */
  | { readonly kind: 'fixed'; readonly ms: number }
  /** Uniform integer in [minMs, maxMs]. */
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /**
   * Long-tailed: `medianMs · e^(sigma·Z)` with Z standard normal, clamped to [0, maxMs]; roughly
   * what a busy data-centre network looks like (most packets fast, a few very slow).
   */
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number; readonly maxMs: number };

/** The default: a LAN-ish 1..5 ms. */
export const latencyModelDefault: LatencyModel = { kind: 'uniform', minMs: 1, maxMs: 5 };

/** Asserts a model is well formed (caller bug otherwise). */
export function validateLatency(model: LatencyModel): void {
  switch (model.kind) {
    case 'fixed':
      assert(Number.isFinite(model.ms) && model.ms >= 0, `fixed latency must be >= 0 ms, got ${model.ms}`);
      return;
    case 'uniform':
      assert(Number.isInteger(model.minMs) && model.minMs >= 0, `uniform latency minMs must be an integer >= 0, got ${model.minMs}`);
      assert(Number.isInteger(model.maxMs) && model.maxMs >= model.minMs, `uniform latency maxMs must be an integer >= minMs, got ${model.maxMs}`);
      return;
    case 'lognormal':
      assert(Number.isFinite(model.medianMs) && model.medianMs > 0, `lognormal medianMs must be > 0, got ${model.medianMs}`);
      assert(Number.isFinite(model.sigma) && model.sigma >= 0, `lognormal sigma must be >= 0, got ${model.sigma}`);
      assert(Number.isFinite(model.maxMs) && model.maxMs >= 0, `lognormal maxMs must be >= 0, got ${model.maxMs}`);
      return;
  }
}

/** One latency sample in whole milliseconds. Draws nothing from `rng` for a fixed model. */
export function sampleLatencyMs(model: LatencyModel, rng: Rng): number {
  switch (model.kind) {
    case 'fixed':
      return Math.round(model.ms);
    case 'uniform':
      return model.minMs === model.maxMs ? model.minMs : rng.intBetween(model.minMs, model.maxMs);
    case 'lognormal': {
      // Box–Muller; 1 - float() is in (0, 1], so the log is finite.
      const u1 = 1 - rng.float();
      const u2 = rng.float();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const ms = Math.round(model.medianMs * Math.exp(model.sigma * z));
      return ms < 0 ? 0 : ms > model.maxMs ? Math.round(model.maxMs) : ms;
    }
  }
}
