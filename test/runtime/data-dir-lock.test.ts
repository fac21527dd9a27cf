/**
 * One process per data directory (src/runtime/data-dir-lock.ts): a LOCK file with the owner's pid.
 * A live other process's lock is refused, a dead process's lock (kill -9) is taken over, a
 * directory this process already holds is refused, and release removes only our own lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataDirLockedError, lockDataDir } from '../../src/runtime/data-dir-lock.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-lock-test-'));
let dirs = 0;
const children: ChildProcess[] = [];

function freshDir(): string {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir);
  return dir;
}

const lockFile = (dir: string): string => join(dir, 'LOCK');
const lockOwner = (dir: string): string => readFileSync(lockFile(dir), 'utf8').trim();

/** A live node process that idles until killed. */
function spawnIdle(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function isLocked(e: unknown): boolean {
  return e instanceof DataDirLockedError && e.code === 'RUNTIME_ERR_DATA_DIR_LOCKED';
}

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  rmSync(root, { recursive: true, force: true });
});

describe('data directory lock', () => {
  it('writes our pid to LOCK and removes it on release', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    assert.equal(lockOwner(dir), String(process.pid));
    lock.release();
    assert.ok(!existsSync(lockFile(dir)));
    lock.release(); // idempotent
    // Free again after release.
    lockDataDir(dir).release();
  });

  it('refuses a second lock of the same directory in this process, until released', () => {
    const dir = freshDir();
    const first = lockDataDir(dir);
    assert.throws(() => lockDataDir(dir), isLocked);
    // The failed attempt left the first lock in place.
    assert.equal(lockOwner(dir), String(process.pid));
    // The same directory through another path (a symlink) is the same lock.
    const alias = join(root, `alias${dirs++}`);
    symlinkSync(dir, alias);
    assert.throws(() => lockDataDir(alias), isLocked);
    first.release();
    const second = lockDataDir(alias);
    // A stale handle released twice must not remove the newer lock.
    first.release();
    assert.equal(lockOwner(dir), String(process.pid));
    second.release();
    assert.ok(!existsSync(lockFile(dir)));
  });

  it('refuses a directory locked by another live process', async () => {
    const dir = freshDir();
    const child = spawnIdle();
    assert.ok(child.pid !== undefined);
    writeFileSync(lockFile(dir), `${child.pid}\n`);
    assert.throws(
      () => lockDataDir(dir),
      (e: unknown) => isLocked(e) && (e as Error).message.includes(String(child.pid)),
    );
    assert.equal(lockOwner(dir), String(child.pid), 'the other process keeps its lock');
    // Once that process is gone (kill -9: it never removed its LOCK) the lock is taken over.
    child.kill('SIGKILL');
    await exited(child);
    const lock = lockDataDir(dir);
    assert.equal(lockOwner(dir), String(process.pid));
    lock.release();
  });

  it('takes over a lock left by a process that exited', async () => {
    const dir = freshDir();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid;
    assert.ok(pid !== undefined);
    await exited(child);
    writeFileSync(lockFile(dir), `${pid}\n`);
    const lock = lockDataDir(dir);
    assert.equal(lockOwner(dir), String(process.pid));
    lock.release();
    assert.ok(!existsSync(lockFile(dir)));
  });

  it('takes over a LOCK with our own pid that this process does not hold (a previous life with the same pid)', () => {
    const dir = freshDir();
    writeFileSync(lockFile(dir), `${process.pid}\n`);
    const lock = lockDataDir(dir);
    assert.equal(lockOwner(dir), String(process.pid));
    assert.throws(() => lockDataDir(dir), isLocked);
    lock.release();
  });

  it('takes over an empty or unreadable LOCK (a crash between create and write)', () => {
    for (const content of ['', 'garbage', '-5', '0', '1.5']) {
      const dir = freshDir();
      writeFileSync(lockFile(dir), content);
      const lock = lockDataDir(dir);
      assert.equal(lockOwner(dir), String(process.pid), JSON.stringify(content));
      lock.release();
    }
  });

  it('release leaves a LOCK that no longer holds our pid alone', async () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    const child = spawnIdle();
    assert.ok(child.pid !== undefined);
    // Someone replaced the lock file (an operator, or another process after a takeover).
    writeFileSync(lockFile(dir), `${child.pid}\n`);
    lock.release();
    assert.equal(lockOwner(dir), String(child.pid));
    child.kill('SIGKILL');
    await exited(child);
  });

  it('release after the LOCK file vanished does not throw', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    rmSync(lockFile(dir));
    lock.release();
    lockDataDir(dir).release();
  });

  it('fails on a directory that does not exist', () => {
    assert.throws(() => lockDataDir(join(root, 'missing')), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT');
  });
});
