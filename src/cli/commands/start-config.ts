/**
 * Assembles a node's RuntimeConfig from, in order of precedence: command-line flags, environment
 * variables (RINGKV_*), a JSON config file (--config), and the defaults; then validates it
 * (src/runtime/config.ts). Unknown fields in the file and malformed values are refused with a
 * message naming the field, before the node binds anything.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runtimeDefaults, validateRuntimeConfig } from '../../runtime/config.js';
import type { RuntimeConfig } from '../../runtime/config.js';
import { UsageError } from './options.js';

/** The flags of `ringkv start`, as commander hands them over (strings; repeatable ones as arrays). */
export interface StartFlags {
  readonly config?: string;
  readonly name?: string;
  readonly bind?: string;
  readonly advertise?: string;
  readonly join?: string[];
  readonly dataDir?: string;
  readonly apiHost?: string;
  readonly httpPort?: string;
  readonly respPort?: string;
  readonly encryptKey?: string[];
  readonly authToken?: string;
  readonly clusterLabel?: string;
  readonly logLevel?: string;
  readonly set?: string[];
}

/** Environment variables read, and the config field each sets. */
export const startEnvVars = {
  RINGKV_NAME: 'name',
  RINGKV_BIND: 'bind',
  RINGKV_ADVERTISE: 'advertise',
  RINGKV_JOIN: 'join',
  RINGKV_DATA_DIR: 'dataDir',
  RINGKV_API_HOST: 'apiHost',
  RINGKV_HTTP_PORT: 'httpPort',
  RINGKV_RESP_PORT: 'respPort',
  RINGKV_ENCRYPT_KEYS: 'encryptKeys',
  RINGKV_AUTH_TOKEN: 'authToken',
  RINGKV_CLUSTER_LABEL: 'clusterLabel',
  RINGKV_LOG_LEVEL: 'logLevel',
} as const;

/** Largest config file read, in bytes. */
const configFileBytesMax = 1024 * 1024;

const fileFields = new Set(['name', 'bind', 'advertise', 'join', 'dataDir', 'apiHost', 'httpPort', 'respPort', 'encryptKeys', 'authToken', 'clusterLabel', 'storageBytesMax', 'storageMapBytes', 'leaveTimeoutMs', 'inputQueueMax', 'storagePendingWritesMax', 'storageSync', 'logLevel', 'membership', 'kv']);

/** Top-level fields whose values are strings (or comma-separated lists of strings). */
const textFields = new Set(['name', 'bind', 'advertise', 'join', 'dataDir', 'apiHost', 'encryptKeys', 'authToken', 'clusterLabel', 'storageSync', 'logLevel']);

type Raw = Record<string, unknown>;

export function buildStartConfig(flags: StartFlags, env: NodeJS.ProcessEnv): RuntimeConfig {
  const raw: Raw = {};
  if (flags.config !== undefined) Object.assign(raw, readConfigFile(flags.config));
  for (const [variable, field] of Object.entries(startEnvVars)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    raw[field] = field === 'join' || field === 'encryptKeys' ? splitList(value) : value;
  }
  const fromFlags: Raw = {
    name: flags.name,
    bind: flags.bind,
    advertise: flags.advertise,
    join: flags.join?.flatMap(splitList),
    dataDir: flags.dataDir,
    apiHost: flags.apiHost,
    httpPort: flags.httpPort,
    respPort: flags.respPort,
    encryptKeys: flags.encryptKey?.flatMap(splitList),
    authToken: flags.authToken,
    clusterLabel: flags.clusterLabel,
    logLevel: flags.logLevel,
  };
  for (const [k, v] of Object.entries(fromFlags)) if (v !== undefined) raw[k] = v;
  for (const assignment of flags.set ?? []) applySet(raw, assignment);

  const bind = str(raw, 'bind') ?? runtimeDefaults.bind;
  const name = str(raw, 'name') ?? `${hostname()}-${bind.slice(bind.lastIndexOf(':') + 1)}`;
  const config: RuntimeConfig = {
    name,
    bind,
    ...(str(raw, 'advertise') !== undefined && { advertise: str(raw, 'advertise')! }),
    join: list(raw, 'join'),
    dataDir: str(raw, 'dataDir') ?? join('data', name),
    apiHost: str(raw, 'apiHost') ?? runtimeDefaults.apiHost,
    httpPort: port(raw, 'httpPort', runtimeDefaults.httpPort),
    respPort: port(raw, 'respPort', runtimeDefaults.respPort),
    encryptKeys: list(raw, 'encryptKeys'),
    ...(str(raw, 'authToken') !== undefined && { authToken: str(raw, 'authToken')! }),
    clusterLabel: str(raw, 'clusterLabel') ?? runtimeDefaults.clusterLabel,
    storageBytesMax: num(raw, 'storageBytesMax') ?? runtimeDefaults.storageBytesMax,
    storageMapBytes: num(raw, 'storageMapBytes') ?? Math.max(runtimeDefaults.storageMapBytes, num(raw, 'storageBytesMax') ?? 0),
    leaveTimeoutMs: num(raw, 'leaveTimeoutMs') ?? runtimeDefaults.leaveTimeoutMs,
    inputQueueMax: num(raw, 'inputQueueMax') ?? runtimeDefaults.inputQueueMax,
    storagePendingWritesMax: num(raw, 'storagePendingWritesMax') ?? runtimeDefaults.storagePendingWritesMax,
    storageSync: (str(raw, 'storageSync') ?? runtimeDefaults.storageSync) as RuntimeConfig['storageSync'],
    logLevel: (str(raw, 'logLevel') ?? runtimeDefaults.logLevel) as RuntimeConfig['logLevel'],
    membership: obj(raw, 'membership'),
    kv: obj(raw, 'kv'),
  };
  const valid = validateRuntimeConfig(config);
  if (!valid.ok) throw new UsageError(`invalid configuration: ${valid.error.message}`);
  return valid.value;
}

function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--config: cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.length > configFileBytesMax) throw new UsageError(`--config: ${path} is larger than ${configFileBytesMax} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config: ${path} must hold a JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!fileFields.has(key)) throw new UsageError(`--config: unknown field "${key}" in ${path} (fields: ${[...fileFields].join(', ')})`);
  }
  return parsed as Raw;
}

/** `--set membership.probeIntervalMs=500`, `--set kv.writeQuorum=3`, `--set leaveTimeoutMs=1000`. */
function applySet(raw: Raw, assignment: string): void {
  const m = /^([A-Za-z]+)(?:\.([A-Za-z]+))?=(.*)$/.exec(assignment);
  if (m === null) throw new UsageError(`--set ${assignment}: expected field=value or section.field=value`);
  const [, first, second, text] = m as unknown as [string, string, string | undefined, string];
  // Text fields keep the text as given: `--set clusterLabel=2024` is the label "2024", not a number.
  const value: unknown = second === undefined && textFields.has(first) ? text : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text === 'true' ? true : text === 'false' ? false : text;
  if (second === undefined) {
    if (!fileFields.has(first) || first === 'membership' || first === 'kv') throw new UsageError(`--set ${assignment}: unknown field "${first}"`);
    raw[first] = value;
    return;
  }
  if (first !== 'membership' && first !== 'kv') throw new UsageError(`--set ${assignment}: sections are membership and kv`);
  const section = (raw[first] ??= {}) as Raw;
  section[second] = value;
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function str(raw: Raw, field: string): string | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new UsageError(`invalid configuration: ${field} must be a string`);
  return v;
}

function num(raw: Raw, field: string): number | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new UsageError(`invalid configuration: ${field} must be a number`);
  return n;
}

function port(raw: Raw, field: string, fallback: number): number | null {
  const v = raw[field];
  if (v === 'off' || v === false) return null;
  return num(raw, field) ?? fallback;
}

function list(raw: Raw, field: string): string[] {
  const v = raw[field];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return splitList(v);
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new UsageError(`invalid configuration: ${field} must be a list of strings`);
  return v as string[];
}

function obj(raw: Raw, field: string): Raw {
  const v = raw[field];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`invalid configuration: ${field} must be an object`);
  return v as Raw;
}
