/**
 * The MP2 grader must award what the course's KVStoreGrader.sh awards. Fixtures: dbg.log files
 * from runs of the user's C++ solution under the original framework (90/90 there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gradeMp2Log, mp2Tests, type Mp2Test } from '../../../src/sim/seed/mp2-grader.js';

function fixture(name: Mp2Test): string {
  return readFileSync(new URL(`../../../../test/fixtures/seed-logs/mp2/${name}.dbg.log`, import.meta.url), 'utf8');
}

test('the sample logs of the user 90/90 solution score full marks in every test', () => {
  const expected: Record<Mp2Test, number> = { create: 3, delete: 7, read: 40, update: 40 };
  for (const t of mp2Tests) {
    const grade = gradeMp2Log(t, fixture(t));
    assert.equal(grade.points, expected[t], `${t}: ${JSON.stringify(grade.checks)}`);
    assert.equal(grade.max, expected[t]);
  }
});

test('a fourth read success in the single-failure window fails TEST 2 (exactly quorum + coordinator)', () => {
  const text = fixture('read');
  const extra = text + '\n 9.0.0.0:0 [176] server: read success at time 176, transID=999, key=04juu, value=value19';
  const grade = gradeMp2Log('read', extra);
  assert.equal(grade.checks.find((c) => c.name === 'TEST 2')!.points, 0);
});

test('a replica logging a read fail in the two-failure window fails TEST 3 PART 1', () => {
  const extra = fixture('read') + '\n 7.0.0.0:0 [226] server: read fail at time 226, transID=732, key=04juu';
  assert.equal(gradeMp2Log('read', extra).checks.find((c) => c.name === 'TEST 3 PART 1')!.points, 0);
});

test('an extra create success (e.g. from re-replication) fails the CREATE test', () => {
  const extra = fixture('create') + '\n 3.0.0.0:0 [200] server: create success at time 200, transID=1, key=04juu, value=value19';
  assert.equal(gradeMp2Log('create', extra).points, 0);
});
