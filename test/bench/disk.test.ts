/**
 * `npm run bench -- disk` end to end, tiny: the table has a row per file kind and writer count,
 * and the test files are gone afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const runPath = fileURLToPath(new URL('../../bench/run.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ringkv-disk-bench-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** Bounds the whole run (40 small appends per writer). */
const diskBenchTimeoutMs = 60_000;

describe('bench disk', () => {
  it('prints a row per file kind and writer count, and removes its files', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [runPath, 'disk', '--dir', dir, '--appends', '40', '--bytes', '100', '--writers', '1,2', '--runs', '1'], { timeout: diskBenchTimeoutMs });
    const rows = stdout.split('\n').filter((l) => /^\| (growing|zero-filled) \|/.test(l));
    assert.deepEqual(rows.map((r) => r.split('|').slice(1, 3).map((c) => c.trim())), [['growing', '1'], ['zero-filled', '1'], ['growing', '2'], ['zero-filled', '2']]);
    for (const r of rows) assert.ok(Number(r.split('|')[3]) > 0, r);
    assert.deepEqual(readdirSync(dir), []);
  });
});
