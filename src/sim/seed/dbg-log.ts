/**
 * The course framework's dbg.log, byte for byte (original-framework.md §5), so that the original
 * graders award the same points to our runs.
 *
 * Format: the first write is the magic number (sum of the ASCII codes of "CS425" = 305, printed as
 * hex: "131") and a newline; every entry is then written as "\n <address> [<tick>] <message>", so
 * line 2 is empty, entries start with one space, and the file has no trailing newline. A quirk of
 * the original Log.cpp leaves the address empty on the very first entry (" [0] APP").
 */

/** Magic first line of every dbg.log: 305 ("CS425") in hex. */
export const dbgLogMagic = '131';

/** The address string the framework prints for node id `id` (little-endian int bytes, port 0). */
export function seedAddress(id: number): string {
  return `${id}.0.0.0:0`;
}

/** An append-only dbg.log being written. */
export class DbgLog {
  private readonly parts: string[] = [`${dbgLogMagic}\n`];
  private entries = 0;

  /** Appends one entry, as the framework's LOG(addr, fmt, ...) does at global time `tick`. */
  log(address: string, tick: number, message: string): void {
    // The original leaves the address empty on its very first LOG call (a dangling-else bug).
    const prefix = this.entries === 0 ? '' : `${address} `;
    this.parts.push(`\n ${prefix}[${tick}] ${message}`);
    this.entries++;
  }

  /** How many entries have been written. */
  get entryCount(): number {
    return this.entries;
  }

  /** The whole file's text. */
  toString(): string {
    return this.parts.join('');
  }
}

/** The framework's logNodeAdd message. */
export function joinedMessage(addedAddress: string, tick: number): string {
  return `Node ${addedAddress} joined at time ${tick}`;
}

/** The framework's logNodeRemove message. */
export function removedMessage(removedAddress: string, tick: number): string {
  return `Node ${removedAddress} removed at time ${tick}`;
}
