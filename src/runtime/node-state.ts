import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A node's identity persisted in its data directory, so that a restart on the same directory
 * (1) keeps its name, or is refused by the runtime when started with another one, and (2) starts
 * with an incarnation above every incarnation it ever used, so its fresh `alive` announcement
 * overrides any stale `suspect`/`dead` rumour about its previous life (SWIM §4.2 / Lifeguard).
 *
 * Storage: a small JSON file, `node-state.json`, in the data directory (next to the LMDB
 * environment, which the runtime keeps in a subdirectory). Kept out of LMDB on purpose: it is read
 * before the store is opened, it is tiny and rarely written, and a separate file can be inspected
 * and repaired by hand. Every change is written atomically and durably before the call returns:
 * write `node-state.json.tmp`, fsync it, rename it over `node-state.json`, fsync the directory. A
 * crash at any point leaves either the old or the new file, never a torn one; a leftover temp file
 * is deleted at open. A file that does not parse is reported (NodeStateCorruptError) rather than
 * silently replaced, since replacing it could lower the incarnation.
 *
 * Writes are synchronous (one or two fsyncs, typically a few ms): at start-up (`nextIncarnation`,
 * `setName`) and when a refutation raises the incarnation (`recordIncarnation`), which is rare.
 * One process per data directory.
 */

/** The file's name in the data directory. */
export const nodeStateFileName = 'node-state.json';

/** Largest incarnation: incarnations are u32 on the wire. */
export const incarnationMax = 0xffffffff;

const formatVersion = 1;

/** What the file holds. */
export interface NodeStateData {
  /** The node name that owns the directory, once set. */
  readonly name?: string;
  /** Highest incarnation the node ever used (0: never started). */
  readonly incarnation: number;
  /** The cluster label the node ran with, once set. */
  readonly clusterLabel?: string;
}

/** The state file exists but is not a valid node-state file: needs an operator. */
export class NodeStateCorruptError extends Error {
  override readonly name = 'NodeStateCorruptError';
  readonly code = 'RUNTIME_ERR_NODE_STATE_CORRUPT';
}

/** The persisted node state of one data directory. All setters are durable before returning. */
export interface NodeState {
  /** The stored node name, if any (the runtime compares it with its configured name). */
  readonly name: string | undefined;
  /** The stored cluster label, if any. */
  readonly clusterLabel: string | undefined;
  /** Highest incarnation stored so far. */
  readonly incarnation: number;
  /** A snapshot of everything stored. */
  load(): NodeStateData;
  /** Stores the node name. */
  setName(name: string): void;
  /** Stores the cluster label. */
  setClusterLabel(label: string): void;
  /** Returns stored + 1, after storing it durably: the incarnation to start with. */
  nextIncarnation(): number;
  /** Stores max(stored, n): call when the node raised its incarnation (a refutation). */
  recordIncarnation(n: number): void;
}

/** The JSON-file implementation of NodeState. */
export class NodeStateStore implements NodeState {
  private data: NodeStateData;

  private constructor(
    private readonly dir: string,
    data: NodeStateData,
  ) {
    this.data = data;
  }

  /** Opens (creating the directory if needed) the state of data directory `dir`. */
  static open(dir: string): NodeStateStore {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, nodeStateFileName);
    // A temp file is only left by a crash before its rename: the main file is still the valid one.
    rmSync(`${file}.tmp`, { force: true });
    const data = existsSync(file) ? parseState(readFileSync(file, 'utf8'), file) : { incarnation: 0 };
    return new NodeStateStore(dir, data);
  }

  get name(): string | undefined {
    return this.data.name;
  }

  get clusterLabel(): string | undefined {
    return this.data.clusterLabel;
  }

  get incarnation(): number {
    return this.data.incarnation;
  }

  load(): NodeStateData {
    return { ...this.data };
  }

  setName(name: string): void {
    if (name !== this.data.name) this.save({ ...this.data, name });
  }

  setClusterLabel(label: string): void {
    if (label !== this.data.clusterLabel) this.save({ ...this.data, clusterLabel: label });
  }

  nextIncarnation(): number {
    const next = this.data.incarnation + 1;
    if (next > incarnationMax) throw new RangeError(`incarnation space exhausted (stored ${this.data.incarnation})`);
    this.save({ ...this.data, incarnation: next });
    return next;
  }

  recordIncarnation(n: number): void {
    if (!isIncarnation(n)) throw new RangeError(`incarnation must be an integer in [0, ${incarnationMax}], got ${n}`);
    if (n > this.data.incarnation) this.save({ ...this.data, incarnation: n });
  }

  /** Writes `data` atomically and durably, then adopts it. */
  private save(data: NodeStateData): void {
    const file = join(this.dir, nodeStateFileName);
    const tmp = `${file}.tmp`;
    const text = `${JSON.stringify({ format: formatVersion, ...data })}\n`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    fsyncDirectory(this.dir);
    this.data = data;
  }
}

/** Opens the node state of data directory `dataDir` (see NodeStateStore). */
export function openNodeState(dataDir: string): NodeStateStore {
  return NodeStateStore.open(dataDir);
}

function isIncarnation(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= incarnationMax;
}

function parseState(text: string, file: string): NodeStateData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NodeStateCorruptError(`${file} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NodeStateCorruptError(`${file} does not hold a JSON object`);
  const o = raw as Record<string, unknown>;
  if (o['format'] !== formatVersion) throw new NodeStateCorruptError(`${file} has unknown format ${JSON.stringify(o['format'])}`);
  if (!isIncarnation(o['incarnation'])) throw new NodeStateCorruptError(`${file} has an invalid incarnation ${JSON.stringify(o['incarnation'])}`);
  const name = o['name'];
  const clusterLabel = o['clusterLabel'];
  if (name !== undefined && typeof name !== 'string') throw new NodeStateCorruptError(`${file} has a non-string name`);
  if (clusterLabel !== undefined && typeof clusterLabel !== 'string') throw new NodeStateCorruptError(`${file} has a non-string clusterLabel`);
  return { incarnation: o['incarnation'], ...(name !== undefined && { name }), ...(clusterLabel !== undefined && { clusterLabel }) };
}

/** Makes a rename in `dir` durable (POSIX: fsync the directory; not possible on Windows). */
function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
