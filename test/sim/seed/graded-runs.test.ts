/**
 * The course's graded scenarios, run in the simulator for a bounded set of seeds (the full
 * 200-seed runs are `ringkv grade --runs 200`): every run must score full marks, and the dbg.log
 * files we write must get the same points from the course grader's own shell pipelines
 * (scripts/mp1-shell-grade.sh) as from our TypeScript grader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mp1Scenarios } from '../../../src/sim/seed/mp1-grader.js';
import { runMp1Scenario } from '../../../src/sim/seed/mp1-scenario.js';
import { mp2Tests } from '../../../src/sim/seed/mp2-grader.js';
import { runMp2Test } from '../../../src/sim/seed/mp2-scenario.js';

const shellGrader = fileURLToPath(new URL('../../../../scripts/mp1-shell-grade.sh', import.meta.url));
const mp2ShellGrader = fileURLToPath(new URL('../../../../scripts/mp2-shell-grade.sh', import.meta.url));

test('MP1 with SWIM: seeds 1..60 all score 90/90', () => {
  for (let seed = 1; seed <= 60; seed++) {
    for (const scenario of mp1Scenarios) {
      const r = runMp1Scenario({ scenario, seed, protocol: 'swim' });
      assert.equal(r.grade.points, 30, `seed ${seed} ${scenario}: ${JSON.stringify(r.grade.checks)} (reproduce: ringkv grade mp1 --seed ${seed})`);
    }
  }
});

test('MP1 with gossip heartbeating: seeds 1..15 all score 90/90', () => {
  for (let seed = 1; seed <= 15; seed++) {
    for (const scenario of mp1Scenarios) {
      const r = runMp1Scenario({ scenario, seed, protocol: 'gossip' });
      assert.equal(r.grade.points, 30, `seed ${seed} ${scenario}: ${JSON.stringify(r.grade.checks)} (reproduce: ringkv grade mp1 --protocol gossip --seed ${seed})`);
    }
  }
});

test('MP1 dbg.log files get the same points from the shell pipelines of Grader.sh', () => {
  for (const seed of [1, 2, 3]) {
    const dir = mkdtempSync(join(tmpdir(), 'ringkv-mp1-'));
    try {
      let expected = 0;
      for (const scenario of mp1Scenarios) {
        const r = runMp1Scenario({ scenario, seed, protocol: 'swim' });
        writeFileSync(join(dir, `${scenario}.dbg.log`), r.log);
        expected += r.grade.points;
      }
      const out = execFileSync('bash', [shellGrader, dir], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
      assert.match(out, new RegExp(`^total ${expected}$`, 'm'), `seed ${seed}: shell grader said\n${out}`);
      assert.equal(expected, 90, `seed ${seed}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('MP2: seeds 1..8 all score 90/90 (CREATE 3, DELETE 7, READ 40, UPDATE 40)', () => {
  for (let seed = 1; seed <= 8; seed++) {
    for (const t of mp2Tests) {
      const r = runMp2Test({ test: t, seed });
      assert.equal(r.grade.points, r.grade.max, `seed ${seed} ${t}: ${JSON.stringify(r.grade.checks)} (reproduce: ringkv grade mp2 --seed ${seed})`);
    }
  }
});

test('MP2 dbg.log files get the same points from the shell pipelines of KVStoreGrader.sh', () => {
  for (const seed of [1, 2]) {
    const dir = mkdtempSync(join(tmpdir(), 'ringkv-mp2-'));
    try {
      let expected = 0;
      for (const t of mp2Tests) {
        const r = runMp2Test({ test: t, seed });
        writeFileSync(join(dir, `${t}.dbg.log`), r.log);
        expected += r.grade.points;
      }
      const out = execFileSync('bash', [mp2ShellGrader, dir], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
      assert.match(out, new RegExp(`^total ${expected}$`, 'm'), `seed ${seed}: shell grader said\n${out}`);
      assert.equal(expected, 90, `seed ${seed}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('the same seed writes the identical dbg.log twice (determinism)', () => {
  assert.equal(runMp1Scenario({ scenario: 'multifailure', seed: 5, protocol: 'swim' }).log, runMp1Scenario({ scenario: 'multifailure', seed: 5, protocol: 'swim' }).log);
  assert.equal(runMp2Test({ test: 'read', seed: 5 }).log, runMp2Test({ test: 'read', seed: 5 }).log);
});
