/**
 * Runs a benchmark child process (redis-benchmark, `ringkv sim`) to completion, collecting its
 * output and its wall time. Output is bounded: a child that prints more than the bound is a bug in
 * the caller's flags, not something to buffer without end.
 */
import { spawn } from 'node:child_process';

/** Most output kept per stream, in characters. */
export const childOutputCharsMax = 16 * 1024 * 1024;

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawn to exit, measured with process.hrtime, in ms. */
  readonly wallMs: number;
  readonly pid: number | undefined;
}

export interface ChildOptions {
  /** Called with the pid right after spawn (e.g. to poll /proc/<pid>/status). */
  readonly onSpawn?: (pid: number) => void;
  /** SIGKILL after this long, in ms (none when omitted). */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < childOutputCharsMax) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < childOutputCharsMax) stderr += s;
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr, wallMs, pid: child.pid });
    });
  });
}
