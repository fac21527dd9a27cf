/**
 * The configuration of one running node, validated once at startup. The CLI (src/cli/commands/
 * start.ts) assembles it from flags, environment variables (RINGKV_*) and an optional JSON config
 * file, in that order of precedence, then calls `validateRuntimeConfig`; a bad value stops the
 * daemon before it binds anything, with a message naming the field (CONFIG_ERR_INVALID).
 * docs/configuration.md lists every field with its unit, default and trade-off.
 */
import type { Result } from '../lib/result.js';
import { err, ok } from '../lib/result.js';
import { defaultKvConfig, resolveKvConfig } from '../kv/config.js';
import type { KvConfig } from '../kv/config.js';
import { defaultSwimConfig, resolveSwimConfig } from '../membership/swim/index.js';
import type { SwimConfig } from '../membership/swim/index.js';
import { clusterLabelBytesMax, nodeNameBytesMax } from '../wire/limits.js';
import { parseAddress } from '../transport/address.js';
import { pendingWritesMaxDefault } from './pending-writes.js';

/** Everything a node needs to run. Addresses are "ip:port" or "[ipv6]:port". */
export interface RuntimeConfig {
  /** Unique node name; kept in the data directory, a restart must use the same one. */
  readonly name: string;
  /** Where the gossip sockets bind (UDP and TCP on the same port; port 0 = ephemeral). */
  readonly bind: string;
  /** The address peers use to reach this node, when it differs from `bind` (NAT, 0.0.0.0). */
  readonly advertise?: string;
  /** Gossip addresses of nodes to join through; empty = start a new cluster. */
  readonly join: readonly string[];
  /** Directory holding the LMDB store and the node's persisted state. */
  readonly dataDir: string;
  /** Host of the HTTP and RESP listeners. */
  readonly apiHost: string;
  /** HTTP API port (0 = ephemeral, null = disabled). */
  readonly httpPort: number | null;
  /** RESP (Redis protocol) port (0 = ephemeral, null = disabled). */
  readonly respPort: number | null;
  /** Base64 32-byte AES-256-GCM keys; the first seals, all open. Empty = no encryption. */
  readonly encryptKeys: readonly string[];
  /** When set, HTTP requests need `Authorization: Bearer <token>` and RESP clients need AUTH. */
  readonly authToken?: string;
  /** Carried in every packet; nodes with another label never talk to this one. */
  readonly clusterLabel: string;
  /** Byte budget of the local store (KV_ERR_STORAGE_FULL beyond it). */
  readonly storageBytesMax: number;
  /** LMDB map size: the most the data file may grow to, in bytes. */
  readonly storageMapBytes: number;
  /** Longest time a graceful leave waits for its broadcast to go out, in ms. */
  readonly leaveTimeoutMs: number;
  /** Inputs (packets, frames, client operations) waiting for the core; beyond it packets are dropped. */
  readonly inputQueueMax: number;
  /** Writes not yet flushed into LMDB beyond which the node stops draining its input queue. */
  readonly storagePendingWritesMax: number;
  /**
   * How batches reach the disk (docs/storage.md): 'wal' (default) fsyncs a write-ahead log and
   * moves the writes into LMDB at checkpoints, 'background' commits and fsyncs every batch on
   * lmdb-js's write thread, 'commit' on the event loop. All acknowledge only what is on disk.
   */
  readonly storageSync: 'background' | 'wal' | 'commit';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Overrides of the SWIM defaults (docs/configuration.md). */
  readonly membership: Partial<SwimConfig>;
  /** Overrides of the KV defaults (docs/configuration.md). */
  readonly kv: Partial<KvConfig>;
}

export const runtimeDefaults = {
  bind: '127.0.0.1:7946',
  apiHost: '127.0.0.1',
  httpPort: 8080,
  respPort: 6380,
  clusterLabel: '',
  storageBytesMax: 8 * 1024 ** 3,
  storageMapBytes: 16 * 1024 ** 3,
  leaveTimeoutMs: 3_000,
  inputQueueMax: 100_000,
  storagePendingWritesMax: pendingWritesMaxDefault,
  storageSync: 'wal',
  logLevel: 'info',
} as const;

/**
 * ringkv's LAN profile for real nodes, applied under the user's `membership` overrides: memberlist's
 * timing (probe 1 s, timeout 500 ms) with a short suspicion minimum (suspicionMult 1) made safe by
 * waiting for one independent confirmation (suspicionConfirmationsMin 1). Measured in the
 * simulator and on loopback against memberlist's defaults: detection in under half memberlist's
 * time at lower bandwidth, no false positives at 10 % and 20 % loss (docs/benchmarks.md). The
 * simulator and the course scenarios keep memberlist's defaults unless told otherwise.
 */
export const runtimeMembershipProfile: Partial<SwimConfig> = Object.freeze({ suspicionMult: 1, suspicionConfirmationsMin: 1 });

/** The membership configuration a node runs with: the LAN profile, then the user's overrides. */
export function effectiveMembershipConfig(config: RuntimeConfig): Partial<SwimConfig> {
  return { ...runtimeMembershipProfile, ...config.membership };
}

/** Most seeds accepted in `join`. */
export const joinSeedsMax = 64;
/** Most keys in the keyring (rotation needs two or three). */
export const encryptKeysMax = 8;
/** Longest auth token, in bytes. */
export const authTokenBytesMax = 512;

export interface RuntimeConfigError {
  readonly code: 'CONFIG_ERR_INVALID';
  readonly field: string;
  readonly message: string;
}

function bad(field: string, message: string): Result<never, RuntimeConfigError> {
  return err({ code: 'CONFIG_ERR_INVALID', field, message: `${field}: ${message}` });
}

const encoder = new TextEncoder();

/** Checks every field and the SWIM / KV overrides; returns the config unchanged when valid. */
export function validateRuntimeConfig(c: RuntimeConfig): Result<RuntimeConfig, RuntimeConfigError> {
  const nameBytes = encoder.encode(c.name).length;
  if (nameBytes === 0 || nameBytes > nodeNameBytesMax) return bad('name', `must be 1..${nodeNameBytesMax} UTF-8 bytes`);
  if ([...c.name].some((ch) => ch.trim() === '' || ch.charCodeAt(0) < 0x20)) return bad('name', 'must not contain spaces or control characters');
  const bind = parseAddress(c.bind);
  if (!bind.ok) return bad('bind', bind.error.message);
  if (c.advertise !== undefined) {
    const adv = parseAddress(c.advertise);
    if (!adv.ok) return bad('advertise', adv.error.message);
    if (adv.value.port === 0) return bad('advertise', 'needs a real port, not 0');
    if (bind.value.port === 0) return bad('bind', 'needs a fixed port when advertise is set (peers must know it)');
  } else if (isUnspecifiedHost(bind.value.host)) {
    return bad('advertise', `required when bind is ${c.bind}: peers cannot send to an unspecified address`);
  }
  if (c.join.length > joinSeedsMax) return bad('join', `at most ${joinSeedsMax} seeds`);
  for (const seed of c.join) {
    const parsed = parseAddress(seed);
    if (!parsed.ok) return bad('join', `${seed}: ${parsed.error.message}`);
  }
  if (c.dataDir.length === 0) return bad('dataDir', 'required');
  if (!parseAddress(`${c.apiHost.includes(':') ? `[${c.apiHost}]` : c.apiHost}:1`).ok) return bad('apiHost', `${c.apiHost} is not an IPv4 or IPv6 address`);
  for (const [field, port] of [['httpPort', c.httpPort], ['respPort', c.respPort]] as const) {
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65_535)) return bad(field, 'must be a port 0..65535');
  }
  if (c.httpPort !== null && c.httpPort !== 0 && c.httpPort === c.respPort) return bad('respPort', 'must differ from httpPort');
  if (c.encryptKeys.length > encryptKeysMax) return bad('encryptKeys', `at most ${encryptKeysMax} keys`);
  for (const [i, key] of c.encryptKeys.entries()) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length !== 32) {
      return bad('encryptKeys', `key ${i + 1} is not the base64 encoding of 32 bytes (generate one with \`ringkv keygen\`)`);
    }
  }
  if (c.authToken !== undefined) {
    const len = encoder.encode(c.authToken).length;
    if (len < 8 || len > authTokenBytesMax) return bad('authToken', `must be 8..${authTokenBytesMax} bytes`);
  }
  if (encoder.encode(c.clusterLabel).length > clusterLabelBytesMax) return bad('clusterLabel', `at most ${clusterLabelBytesMax} bytes`);
  if (!Number.isSafeInteger(c.storageBytesMax) || c.storageBytesMax < 1024 * 1024) return bad('storageBytesMax', 'must be an integer >= 1 MiB');
  if (!Number.isSafeInteger(c.storageMapBytes) || c.storageMapBytes < c.storageBytesMax) return bad('storageMapBytes', 'must be an integer >= storageBytesMax');
  if (!Number.isInteger(c.leaveTimeoutMs) || c.leaveTimeoutMs < 0 || c.leaveTimeoutMs > 60_000) return bad('leaveTimeoutMs', 'must be 0..60000 ms');
  if (!Number.isInteger(c.inputQueueMax) || c.inputQueueMax < 100 || c.inputQueueMax > 10_000_000) return bad('inputQueueMax', 'must be 100..10000000');
  if (c.storageSync !== 'background' && c.storageSync !== 'wal' && c.storageSync !== 'commit') return bad('storageSync', 'must be background, wal or commit');
  if (!Number.isInteger(c.storagePendingWritesMax) || c.storagePendingWritesMax < 1 || c.storagePendingWritesMax > 10_000_000) return bad('storagePendingWritesMax', 'must be 1..10000000');
  if (!['debug', 'info', 'warn', 'error'].includes(c.logLevel)) return bad('logLevel', 'must be debug, info, warn or error');
  // Own fields only: `in` would also accept Object.prototype names (toString, constructor, __proto__).
  for (const field of Object.keys(c.membership)) if (!Object.hasOwn(defaultSwimConfig, field)) return bad(`membership.${field}`, 'unknown field');
  for (const field of Object.keys(c.kv)) if (!Object.hasOwn(defaultKvConfig, field)) return bad(`kv.${field}`, 'unknown field');
  const swim = resolveSwimConfig(effectiveMembershipConfig(c));
  if (!swim.ok) return bad(`membership.${String(swim.error.field)}`, swim.error.message);
  const kv = resolveKvConfig(c.kv);
  if (!kv.ok) return bad(`kv.${kv.error.field}`, kv.error.message);
  return ok(c);
}

function isUnspecifiedHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
