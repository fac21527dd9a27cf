/**
 * One `ringkv start` child process, as `ringkv cluster` and the integration tests run it: spawned
 * with its flags, its JSON log lines copied to a file (and the last few kept for error messages),
 * and a promise that resolves with its endpoints when it logs `ready`, or rejects when it exits
 * first or the bound passes.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The `ringkv` launcher next to the compiled CLI. */
export const ringkvBinPath = fileURLToPath(new URL('../../../bin/ringkv.js', import.meta.url));

/** Log lines kept in memory per node, for error messages. */
const tailLinesMax = 40;

export interface LocalNodeSpec {
  readonly name: string;
  /** Arguments after `start` (the caller builds --bind, --join, --data-dir, ports, ...). */
  readonly args: readonly string[];
  /** Where the node's stdout and stderr are appended; none = only the in-memory tail. */
  readonly logFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Own process group: a Ctrl-C in the terminal then reaches only the parent, which stops the
   * node itself (otherwise the node would get the terminal's SIGINT and the parent's SIGTERM,
   * and take the second as "exit now").
   */
  readonly detached?: boolean;
}

export interface ReadyInfo {
  readonly name: string;
  readonly gossip: string;
  readonly http: string | null;
  readonly resp: string | null;
  readonly pid: number;
}

export class LocalNode {
  readonly process: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  private readonly tail: string[] = [];
  private readonly log: WriteStream | undefined;
  private readyInfo: ReadyInfo | undefined;
  private readonly readyWaiters: Array<(info: ReadyInfo) => void> = [];
  private readonly lineListeners = new Set<(line: string, parsed: Record<string, unknown> | undefined) => void>();
  private exitStatus: number | string | undefined;

  constructor(readonly spec: LocalNodeSpec) {
    this.log = spec.logFile === undefined ? undefined : createWriteStream(spec.logFile, { flags: 'a' });
    this.process = spawn(process.execPath, [ringkvBinPath, 'start', '--name', spec.name, ...spec.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: spec.detached ?? false,
      env: { ...process.env, ...spec.env },
    });
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        this.exitStatus = code ?? signal ?? 'unknown';
        resolve(this.exitStatus);
      });
      this.process.on('error', (error) => {
        this.onLine(`spawn error: ${error.message}`);
        this.exitStatus = 'spawn-error';
        resolve(this.exitStatus);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get endpoints(): ReadyInfo | undefined {
    return this.readyInfo;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** Resolves when the node logs `ready`; rejects if it exits first or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<ReadyInfo> {
    if (this.readyInfo !== undefined) return Promise.resolve(this.readyInfo);
    return new Promise<ReadyInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${this.spec.name} not ready after ${timeoutMs} ms; last log lines:\n${this.lastLines()}`)), timeoutMs);
      this.readyWaiters.push((info) => {
        clearTimeout(timer);
        resolve(info);
      });
      void this.exited.then((status) => {
        clearTimeout(timer);
        reject(new Error(`node ${this.spec.name} exited (${status}) before it was ready; last log lines:\n${this.lastLines()}`));
      });
    });
  }

  /** Calls `listener` for every later log line (parsed when it is JSON). Returns an unsubscribe function. */
  onLogLine(listener: (line: string, parsed: Record<string, unknown> | undefined) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Sends `signal` and waits (bounded) for the exit; escalates to SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | string> {
    if (!this.running) return this.exitStatus!;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    const status = await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => (this.log === undefined ? resolve() : this.log.end(resolve)));
    return status;
  }

  lastLines(): string {
    return this.tail.join('\n');
  }

  private onLine(line: string): void {
    this.log?.write(`${line}\n`);
    this.tail.push(line);
    if (this.tail.length > tailLinesMax) this.tail.shift();
    let parsed: Record<string, unknown> | undefined;
    if (line.startsWith('{')) {
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
    }
    if (parsed !== undefined && parsed['msg'] === 'ready' && this.readyInfo === undefined) {
      this.readyInfo = {
        name: this.spec.name,
        gossip: String(parsed['gossip']),
        http: typeof parsed['http'] === 'string' ? parsed['http'] : null,
        resp: typeof parsed['resp'] === 'string' ? parsed['resp'] : null,
        pid: Number(parsed['pid']),
      };
      for (const w of this.readyWaiters.splice(0)) w(this.readyInfo);
    }
    for (const l of this.lineListeners) l(line, parsed);
  }
}
