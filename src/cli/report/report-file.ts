/**
 * The `--report FILE` flag of `ringkv sim` and `ringkv grade`: checked before the run (so a long
 * run does not end at an unwritable path), the typed command for the report header, and the
 * write. Small and free of the renderer, so commands load it eagerly; vega is loaded only when a
 * report is asked for.
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../commands/options.js';

/** The report file named by `--report`, or undefined; a UsageError (exit 2) when it cannot be written. */
export function parseReportFile(raw: Readonly<Record<string, unknown>>): string | undefined {
  const file = raw['report'];
  if (file === undefined) return undefined;
  if (typeof file !== 'string' || file.trim() === '') throw new UsageError('--report needs a file name, e.g. --report report.html');
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    // Does not exist yet: fine, its directory must be writable.
  }
  if (isDirectory) throw new UsageError(`--report ${file} is a directory; give a file name, e.g. ${file.replace(/\/$/, '')}/report.html`);
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch {
    throw new UsageError(`--report ${file}: cannot write into ${dirname(file)}`);
  }
  return file;
}

/** argv as one shell command line, quoting what a shell would split or expand. */
export function shellCommand(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The command as typed, for the report header. */
export function typedCommand(): string {
  return shellCommand(['ringkv', ...process.argv.slice(2)]);
}

/** Writes the page (UTF-8). */
export function writeReportFile(path: string, html: string): void {
  writeFileSync(path, html, 'utf8');
}
