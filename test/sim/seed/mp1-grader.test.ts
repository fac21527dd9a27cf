/**
 * The MP1 grader must award what the course's Grader.sh awards. The fixtures are dbg.log files
 * from real runs of the user's C++ solution under the original framework
 * (shared/seed/sample-logs/mp1), graded there with the original script.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DbgLog, joinedMessage, removedMessage, seedAddress } from '../../../src/sim/seed/dbg-log.js';
import { formatMp1Report, gradeMp1Log, type Mp1Scenario } from '../../../src/sim/seed/mp1-grader.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../../../test/fixtures/seed-logs/mp1/${name}.dbg.log`, import.meta.url), 'utf8');
}

test('sample single-failure log scores 30 (join 10, completeness 10, accuracy 10)', () => {
  const grade = gradeMp1Log('singlefailure', fixture('singlefailure'));
  assert.deepEqual(grade.checks.map((c) => c.points), [10, 10, 10]);
});

test('sample multi-failure log: each of 5 failed nodes removed by 5 survivors exactly once', () => {
  const grade = gradeMp1Log('multifailure', fixture('multifailure'));
  assert.equal(grade.failedNodes.length, 5);
  assert.deepEqual(grade.checks.map((c) => c.points), [10, 10, 10]);
});

test('sample msg-drop log: join and completeness are worth 15 each, no accuracy check', () => {
  const grade = gradeMp1Log('msgdropsinglefailure', fixture('msgdropsinglefailure'));
  assert.deepEqual(grade.checks.map((c) => c.name), ['Join', 'Completeness']);
  assert.equal(grade.points, grade.checks.reduce((s, c) => s + c.points, 0));
});

function syntheticLog(opts: { failed: number[]; removals: Array<[number, number, number]>; multi?: boolean }): string {
  const log = new DbgLog();
  for (let id = 1; id <= 10; id++) log.log(seedAddress(id), 0, 'APP');
  for (let o = 1; o <= 10; o++) {
    for (let m = 1; m <= 10; m++) if (o !== m) log.log(seedAddress(o), 3, joinedMessage(seedAddress(m), 3));
  }
  for (const f of opts.failed) log.log(seedAddress(f), 100, opts.multi ? 'Node failed at time = 100' : 'Node failed at time=100');
  for (const [observer, member, tick] of opts.removals) log.log(seedAddress(observer), tick, removedMessage(seedAddress(member), tick));
  return log.toString();
}

test('dbg.log format: magic line, empty second line, first address blank, no trailing newline', () => {
  const log = new DbgLog();
  log.log(seedAddress(1), 0, 'APP');
  log.log(seedAddress(2), 0, 'APP');
  assert.equal(log.toString(), '131\n\n [0] APP\n 2.0.0.0:0 [0] APP');
});

test('single failure: a false removal costs accuracy; nine removals give completeness', () => {
  const removals: Array<[number, number, number]> = [];
  for (let o = 1; o <= 10; o++) if (o !== 7) removals.push([o, 7, 120]);
  const good = gradeMp1Log('singlefailure', syntheticLog({ failed: [7], removals }));
  assert.deepEqual(good.checks.map((c) => c.points), [10, 10, 10]);
  const bad = gradeMp1Log('singlefailure', syntheticLog({ failed: [7], removals: [...removals, [2, 3, 130]] }));
  assert.deepEqual(bad.checks.map((c) => c.points), [10, 10, 0]);
});

test('multi failure: removing a failed node twice (at two times) breaks accuracy for the others', () => {
  const failed = [3, 4, 5, 6, 7];
  const removals: Array<[number, number, number]> = [];
  for (const o of [1, 2, 8, 9, 10]) for (const f of failed) removals.push([o, f, 125]);
  const good = gradeMp1Log('multifailure', syntheticLog({ failed, removals, multi: true }));
  assert.equal(good.points, 30);
  const twice = gradeMp1Log('multifailure', syntheticLog({ failed, removals: [...removals, [1, 3, 160]], multi: true }));
  assert.equal(twice.checks[2]!.points, 2, 'only node 3 itself still sees exactly 20 lines without it');
});

test('report is printed in the original style', () => {
  const removals: Array<[number, number, number]> = [];
  for (let o = 1; o <= 10; o++) if (o !== 7) removals.push([o, 7, 120]);
  const grades = (['singlefailure'] as Mp1Scenario[]).map((s) => gradeMp1Log(s, syntheticLog({ failed: [7], removals })));
  const text = formatMp1Report(grades);
  assert.match(text, /Checking Join\.{18}10\/10/);
  assert.match(text, /Checking Completeness\.{10}10\/10/);
  assert.match(text, /Checking Accuracy\.{14}10\/10/);
  assert.match(text, /Final grade 30$/);
});
