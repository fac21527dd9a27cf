/**
 * The small text specs the `sim` command takes for faults, parsed into typed values (typed
 * results: a bad spec is a user error, not a bug).
 *
 *   fail:      `3` (three nodes) or `1%` (one percent of the nodes, rounded, at least one)
 *   partition: `<count|percent>@<startMs>-<endMs>`, e.g. `30%@20000-40000` isolates 30% of the
 *              nodes (chosen by the seed) from the rest between 20 s and 40 s of virtual time.
 */
import { err, ok, type Result } from '../lib/result.js';

/** How many nodes: an absolute count or a percentage of the cluster. */
export type NodeShare = { readonly count: number } | { readonly percent: number };

/** A partition: `share` of the nodes cut off from the rest during [startMs, endMs). */
export interface PartitionSpec {
  readonly share: NodeShare;
  readonly startMs: number;
  readonly endMs: number;
}

/** Help text for the partition syntax (shown by the CLI). */
export const partitionSpecHelp =
  '<count|percent>@<startMs>-<endMs>: isolate that many nodes (chosen by the seed) from the rest ' +
  'during [startMs, endMs) of virtual time, e.g. 30%@20000-40000 or 2@5000-15000';

const shareRe = /^(\d+(?:\.\d+)?)(%?)$/u;

/** Parses `3` or `1%` (percent may be fractional: `0.5%`). */
export function parseNodeShare(text: string): Result<NodeShare, string> {
  const m = shareRe.exec(text.trim());
  if (m === null) return err(`expected a count like 3 or a percentage like 1%, got "${text}"`);
  const value = Number(m[1]);
  if (m[2] === '%') {
    if (!(value >= 0 && value <= 100)) return err(`a percentage must be between 0% and 100%, got "${text}"`);
    return ok({ percent: value });
  }
  if (!Number.isSafeInteger(value)) return err(`a count must be a whole number, got "${text}"`);
  return ok({ count: value });
}

/** How many of `nodes` a share means: a percentage rounds to nearest, and a non-zero one is at least 1. */
export function shareCount(share: NodeShare, nodes: number): number {
  if ('count' in share) return share.count;
  if (share.percent === 0) return 0;
  return Math.max(1, Math.round((nodes * share.percent) / 100));
}

/** Parses `30%@20000-40000`. */
export function parsePartitionSpec(text: string): Result<PartitionSpec, string> {
  const at = text.indexOf('@');
  if (at < 0) return err(`partition spec needs "@": ${partitionSpecHelp}; got "${text}"`);
  const share = parseNodeShare(text.slice(0, at));
  if (!share.ok) return err(`partition spec: ${share.error}`);
  const window = /^(\d+)-(\d+)$/u.exec(text.slice(at + 1).trim());
  if (window === null) return err(`partition spec needs a window <startMs>-<endMs> after "@", got "${text}"`);
  const startMs = Number(window[1]);
  const endMs = Number(window[2]);
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs) || endMs <= startMs) {
    return err(`partition window must have startMs < endMs, got "${text}"`);
  }
  return ok({ share: share.value, startMs, endMs });
}

/** The spec back as text (for reports and reproduce commands). */
export function formatPartitionSpec(spec: PartitionSpec): string {
  return `${formatNodeShare(spec.share)}@${spec.startMs}-${spec.endMs}`;
}

/** A share back as text. */
export function formatNodeShare(share: NodeShare): string {
  return 'count' in share ? String(share.count) : `${share.percent}%`;
}
