import { assert } from '../lib/assert.js';
import type { Result } from '../lib/result.js';
import { err, ok } from '../lib/result.js';
import { murmur3 } from '../lib/hash.js';
import { hlcLogicalMax, hlcPhysicalMsMax } from '../wire/kv-limits.js';
import type { KvVersion } from '../wire/kv-types.js';
import type { NodeName } from '../wire/types.js';
import type { KvError } from './errors.js';
import { kvError } from './errors.js';

/**
 * Hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks", OPODIS 2014).
 *
 * A timestamp is (l, c): `physicalMs` = l, the largest physical time this node has heard of, and
 * `logical` = c, a counter that orders events within one l. Plus `nodeId`, which makes the order
 * total so two coordinators can never issue equal versions. Properties (paper, Theorem 1–3):
 *  - `now()` is strictly increasing, even when the physical clock steps backwards;
 *  - after `observe(m)`, every later `now()` is greater than m (causality: a write stamped after
 *    reading m wins over m);
 *  - l stays within the clock drift of real time, so versions still mean "roughly when".
 * Why not raw wall time: a lagging clock would let an older write win; why not vector clocks:
 * we return one value, not siblings (docs/consistency.md).
 */

/** An HLC timestamp: the same shape as a version on the wire. */
export type HlcTimestamp = KvVersion;

/** Default bound on how far a remote timestamp may be ahead of local physical time (CockroachDB uses 500 ms). */
export const hlcMaxDriftMsDefault = 500;

/** Clock configuration. */
export interface HlcConfig {
  /** A remote timestamp more than this many ms ahead of local physical time is rejected. */
  readonly hlcMaxDriftMs: number;
}

/** The smallest timestamp: older than every issued one. */
export const hlcZero: HlcTimestamp = { physicalMs: 0, logical: 0, nodeId: 0 };

const utf8 = new TextEncoder();

/** A 32-bit node id for `name`: murmur3 of its UTF-8 bytes. Only a tie-breaker (see docs/consistency.md). */
export function hlcNodeId(name: NodeName): number {
  return murmur3(utf8.encode(name), 0x484c4331);
}

/** True when `t` has integer fields within their wire ranges. */
export function isHlcTimestamp(t: HlcTimestamp): boolean {
  return (
    Number.isSafeInteger(t.physicalMs) &&
    t.physicalMs >= 0 &&
    t.physicalMs <= hlcPhysicalMsMax &&
    Number.isInteger(t.logical) &&
    t.logical >= 0 &&
    t.logical <= hlcLogicalMax &&
    t.nodeId >>> 0 === t.nodeId
  );
}

/** Total order of timestamps: by physicalMs, then logical, then nodeId. Returns -1, 0 or 1. */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): -1 | 0 | 1 {
  if (a.physicalMs !== b.physicalMs) return a.physicalMs < b.physicalMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.nodeId !== b.nodeId) return a.nodeId < b.nodeId ? -1 : 1;
  return 0;
}

/** Bytes of `encodeHlc`. */
export const hlcEncodedBytes = 12;

/**
 * Compact, order-preserving encoding: 6 bytes physicalMs, 2 bytes logical, 4 bytes nodeId, all
 * big-endian, so comparing encodings byte-wise equals `compareHlc` (usable as a sort key in LMDB).
 * Same layout as the wire's version field.
 */
export function encodeHlc(t: HlcTimestamp): Uint8Array {
  assert(isHlcTimestamp(t), 'encodeHlc needs a valid timestamp');
  const out = new Uint8Array(hlcEncodedBytes);
  const high = Math.floor(t.physicalMs / 4294967296);
  const low = t.physicalMs - high * 4294967296;
  out[0] = high >>> 8;
  out[1] = high & 0xff;
  writeU32(out, 2, low);
  out[6] = t.logical >>> 8;
  out[7] = t.logical & 0xff;
  writeU32(out, 8, t.nodeId);
  return out;
}

/** Decodes `encodeHlc` output; null unless exactly 12 bytes (every 12-byte string is a timestamp). */
export function decodeHlc(bytes: Uint8Array): HlcTimestamp | null {
  if (bytes.length !== hlcEncodedBytes) return null;
  const high = (bytes[0]! << 8) | bytes[1]!;
  return {
    physicalMs: high * 4294967296 + readU32(bytes, 2),
    logical: (bytes[6]! << 8) | bytes[7]!,
    nodeId: readU32(bytes, 8),
  };
}

/** A timestamp as text for logs: "physicalMs.logical@nodeId(hex)". */
export function formatHlc(t: HlcTimestamp): string {
  return `${t.physicalMs}.${t.logical}@${t.nodeId.toString(16).padStart(8, '0')}`;
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** One node's hybrid logical clock. Pure: physical time is passed in, never read. */
export class Hlc {
  private l: number;
  private c: number;
  readonly nodeId: number;
  private readonly maxDriftMs: number;

  /**
   * `last`, when given, is the largest timestamp this node may already have issued or stored (for
   * example the newest version on disk after a restart), so the restarted clock never goes back.
   */
  constructor(nodeId: number, config: HlcConfig, last: HlcTimestamp = hlcZero) {
    assert(nodeId >>> 0 === nodeId, 'HLC node id must be a u32');
    assert(Number.isFinite(config.hlcMaxDriftMs) && config.hlcMaxDriftMs >= 0, 'hlcMaxDriftMs must be a non-negative number');
    assert(isHlcTimestamp(last), 'HLC restore point must be a valid timestamp');
    this.nodeId = nodeId;
    this.maxDriftMs = config.hlcMaxDriftMs;
    this.l = last.physicalMs;
    this.c = last.logical;
  }

  /** The last timestamp issued (or restored), without advancing the clock. */
  peek(): HlcTimestamp {
    return { physicalMs: this.l, logical: this.c, nodeId: this.nodeId };
  }

  /**
   * A new timestamp for a local event (a write this node coordinates): paper's "send or local
   * event". Strictly greater than every timestamp issued or observed before.
   */
  now(physicalMs: number): HlcTimestamp {
    const pt = physicalNow(physicalMs);
    if (pt > this.l) {
      this.l = pt;
      this.c = 0;
    } else {
      this.bump();
    }
    return this.peek();
  }

  /**
   * Merges a received timestamp (paper's "receive event") and returns the new local timestamp,
   * greater than both `remote` and everything issued before. A remote timestamp more than
   * `hlcMaxDriftMs` ahead of local physical time is rejected with KV_ERR_CLOCK_DRIFT and leaves the
   * clock untouched: accepting it would drag this clock (and every later write) into the future,
   * and a far-future version could never be overwritten by correct writers.
   */
  observe(remote: HlcTimestamp, physicalMs: number): Result<HlcTimestamp, KvError> {
    assert(isHlcTimestamp(remote), 'observe needs a valid timestamp (the wire decoder checks ranges)');
    const pt = physicalNow(physicalMs);
    if (remote.physicalMs > pt + this.maxDriftMs) {
      return err(kvError('KV_ERR_CLOCK_DRIFT', `remote time ${remote.physicalMs} ms is ${remote.physicalMs - pt} ms ahead of local ${pt} ms (limit ${this.maxDriftMs} ms)`));
    }
    const lOld = this.l;
    const lNew = Math.max(lOld, remote.physicalMs, pt);
    if (lNew === lOld && lNew === remote.physicalMs) {
      this.c = Math.max(this.c, remote.logical);
      this.bump();
    } else if (lNew === lOld) {
      this.bump();
    } else if (lNew === remote.physicalMs) {
      this.l = lNew;
      this.c = remote.logical;
      this.bump();
    } else {
      this.l = lNew;
      this.c = 0;
    }
    return ok(this.peek());
  }

  /** c + 1; on overflow of the 16-bit counter, borrow one millisecond instead (stays monotonic). */
  private bump(): void {
    if (this.c < hlcLogicalMax) {
      this.c += 1;
      return;
    }
    assert(this.l < hlcPhysicalMsMax, 'HLC physical time exhausted');
    this.l += 1;
    this.c = 0;
  }
}

/** Validates and floors the caller's physical time (the simulator's virtual ms, or the runtime's wall clock). */
function physicalNow(physicalMs: number): number {
  assert(Number.isFinite(physicalMs) && physicalMs >= 0 && physicalMs <= hlcPhysicalMsMax, 'physical time must be in [0, 2^48) ms');
  return Math.floor(physicalMs);
}
