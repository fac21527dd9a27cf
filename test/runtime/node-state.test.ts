/**
 * Persisted node state (src/runtime/node-state.ts): incarnations only move up across restarts
 * (SWIM: a restarted node must announce itself above any incarnation it used before), the name is
 * kept, and the file is replaced atomically.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { incarnationMax, NodeStateCorruptError, nodeStateFileName, openNodeState } from '../../src/runtime/node-state.js';

const root = mkdtempSync(join(tmpdir(), 'ringkv-node-state-test-'));
let dirs = 0;
const freshDir = (): string => join(root, `d${dirs++}`);

after(() => rmSync(root, { recursive: true, force: true }));

describe('node state', () => {
  it('starts empty; nextIncarnation returns stored + 1, durably, across reopen', () => {
    const dir = freshDir();
    const s = openNodeState(dir);
    assert.deepEqual(s.load(), { incarnation: 0 });
    assert.equal(s.name, undefined);
    assert.equal(s.nextIncarnation(), 1);
    assert.equal(s.nextIncarnation(), 2);
    assert.equal(openNodeState(dir).nextIncarnation(), 3);
    assert.equal(openNodeState(dir).nextIncarnation(), 4);
    assert.equal(openNodeState(dir).incarnation, 4);
  });

  it('recordIncarnation stores the maximum, so a restart starts above a refutation', () => {
    const dir = freshDir();
    const s = openNodeState(dir);
    assert.equal(s.nextIncarnation(), 1);
    s.recordIncarnation(10);
    s.recordIncarnation(5);
    assert.equal(s.incarnation, 10);
    const again = openNodeState(dir);
    assert.equal(again.incarnation, 10);
    assert.equal(again.nextIncarnation(), 11);
    assert.throws(() => again.recordIncarnation(-1), RangeError);
    assert.throws(() => again.recordIncarnation(1.5), RangeError);
    assert.throws(() => again.recordIncarnation(incarnationMax + 1), RangeError);
    again.recordIncarnation(incarnationMax);
    assert.throws(() => again.nextIncarnation(), RangeError);
    assert.equal(openNodeState(dir).incarnation, incarnationMax);
  });

  it('keeps the name and cluster label, so the runtime can refuse another name on the same directory', () => {
    const dir = freshDir();
    const s = openNodeState(dir);
    s.setName('node-a');
    s.setClusterLabel('prod');
    s.nextIncarnation();
    const again = openNodeState(dir);
    assert.equal(again.name, 'node-a');
    assert.equal(again.clusterLabel, 'prod');
    assert.deepEqual(again.load(), { name: 'node-a', incarnation: 1, clusterLabel: 'prod' });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, nodeStateFileName), 'utf8')), { format: 1, name: 'node-a', incarnation: 1, clusterLabel: 'prod' });
  });

  it('ignores and removes a leftover temp file (a crash before the rename keeps the previous state)', () => {
    const dir = freshDir();
    openNodeState(dir).recordIncarnation(7);
    const tmp = join(dir, `${nodeStateFileName}.tmp`);
    writeFileSync(tmp, '{"format":1,"incarnation":3');
    const s = openNodeState(dir);
    assert.equal(s.incarnation, 7);
    assert.ok(!existsSync(tmp));
    assert.equal(s.nextIncarnation(), 8);
    assert.ok(!existsSync(tmp));
  });

  it('reports a damaged file instead of replacing it (replacing it could lower the incarnation)', () => {
    for (const text of ['', '{"format":1,"incarnation":', '[]', '{"format":2,"incarnation":1}', '{"format":1,"incarnation":-1}', '{"format":1,"incarnation":1,"name":5}']) {
      const dir = freshDir();
      openNodeState(dir);
      writeFileSync(join(dir, nodeStateFileName), text);
      assert.throws(() => openNodeState(dir), NodeStateCorruptError, text);
    }
  });
});
