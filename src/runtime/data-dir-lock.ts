/**
 * One process per data directory. LMDB itself lets several processes open one environment, but two
 * ringkv nodes on one directory would each believe they own the data and the incarnation. The
 * lock is a `LOCK` file created exclusively with our pid; a lock left by a process that no longer
 * runs (kill -9, power loss) is taken over, which is what a restart after a crash needs.
 */
import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  readonly code = 'RUNTIME_ERR_DATA_DIR_LOCKED';
}

export interface DataDirLock {
  release(): void;
}

/**
 * Lock files this process holds (real paths). A LOCK holding our own pid is ours only if listed
 * here; otherwise it was left by an earlier process that had the same pid (containers restart
 * the daemon with the same pid) and is stale.
 */
const heldByThisProcess = new Set<string>();

export function lockDataDir(dir: string): DataDirLock {
  const path = join(realpathSync(dir), 'LOCK');
  if (heldByThisProcess.has(path)) throw new DataDirLockedError(`data directory ${dir} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldByThisProcess.add(path);
      let released = false;
      return {
        release() {
          if (released) return; // a second release must not remove a later lock of this process
          released = true;
          heldByThisProcess.delete(path);
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
        throw new DataDirLockedError(`data directory ${dir} is in use by process ${owner}`);
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new DataDirLockedError(`could not lock data directory ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
