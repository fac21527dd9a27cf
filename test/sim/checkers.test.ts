/**
 * The membership checkers on hand-made event logs and fault timelines: accuracy (false positives
 * and what excuses a dead verdict), completeness (detection times, still-live views) and
 * agreement (full and counting modes). Method: build a FaultTimeline by hand, feed events, compare
 * the returned data; nothing runs a simulation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccuracyChecker } from '../../src/sim/checkers/accuracy.js';
import { checkAgreement } from '../../src/sim/checkers/agreement.js';
import { CompletenessChecker } from '../../src/sim/checkers/completeness.js';
import type { MembershipView, Observer } from '../../src/sim/checkers/view.js';
import { FaultTimeline } from '../../src/sim/timeline.js';
import type { MemberState } from '../../src/wire/types.js';

const names = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8'];
const indexOf = (name: string): number | undefined => {
  const i = names.indexOf(name);
  return i < 0 ? undefined : i;
};

function timeline(): FaultTimeline {
  const t = new FaultTimeline();
  for (let i = 0; i < names.length; i++) t.recordStart(i, i === 8 ? 1000 : 0);
  return t;
}

const dead = (member: string, from: string) => ({ type: 'dead', member, incarnation: 0, from });
const suspect = (member: string, from: string) => ({ type: 'suspect', member, incarnation: 0, from });

test('accuracy: dead verdicts about live nodes are false positives unless a fault excuses them', () => {
  const t = timeline();
  t.recordCrash(2, 100);
  t.recordPause(3, 200, 300);
  const groups = new Int32Array(names.length);
  groups[4] = 1;
  t.recordPartition(groups, 400);
  t.recordHeal(500);
  t.recordBlock(6, 7, 600);
  t.recordLeave(5, 700);
  const c = new AccuracyChecker(t, indexOf, { graceMs: 50 });
  c.observe('n0', dead('n2', 'n0'), 150); // crashed: true positive
  c.observe('n0', dead('n1', 'n0'), 150); // FALSE POSITIVE
  c.observe('n0', dead('n3', 'n0'), 340); // paused until 300, within grace
  c.observe('n0', dead('n3', 'n0'), 351); // FALSE POSITIVE: grace over
  c.observe('n1', dead('n4', 'n0'), 450); // n0 and n4 on different sides
  c.observe('n1', dead('n4', 'n0'), 549); // healed at 500, within grace
  c.observe('n1', dead('n4', 'n0'), 551); // FALSE POSITIVE
  c.observe('n1', dead('n7', 'n6'), 650); // n6 -> n7 blocked
  c.observe('n1', dead('n6', 'n1'), 650); // FALSE POSITIVE: block does not involve n1
  c.observe('n1', dead('n5', 'n1'), 710); // left
  c.observe('n1', dead('n8', 'n1'), 900); // not started yet
  c.observe('n1', suspect('n1', 'n0'), 10); // a suspect false positive
  c.observe('n1', dead('nobody', 'n0'), 10);
  c.observe('n1', { type: 'join', member: 'n1' }, 10); // ignored
  const r = c.report();
  assert.equal(r.falsePositives, 4);
  assert.deepEqual(
    r.falsePositiveSamples.map((f) => `${f.atMs} ${f.member}`),
    ['150 n1', '351 n3', '551 n4', '650 n6'],
  );
  assert.equal(r.suspectFalsePositives, 1);
  assert.equal(r.unknownSubjects, 1);
  assert.deepEqual(r.excusedDead, {
    'subject-down': 1,
    'subject-left': 1,
    'subject-paused': 1,
    'subject-not-started': 1,
    partitioned: 2,
    blocked: 1,
  });
});

test('accuracy: a restarted node is fair game only until the grace after its restart', () => {
  const t = timeline();
  t.recordCrash(1, 100);
  t.recordRestart(1, 200);
  const c = new AccuracyChecker(t, indexOf, { graceMs: 50 });
  c.observe('n0', dead('n1', 'n0'), 240);
  c.observe('n0', dead('n1', 'n0'), 260);
  assert.equal(c.report().falsePositives, 1);
});

function view(states: Record<string, MemberState>): MembershipView {
  return {
    member: (name) => (states[name] === undefined ? undefined : { state: states[name]! }),
    liveCount: () => Object.values(states).filter((s) => s === 'alive' || s === 'suspect').length,
  };
}

test('completeness: detection times per observer, never-detected and still-live views', () => {
  const c = new CompletenessChecker(indexOf, names.length);
  c.track('n2', 100);
  c.observe('n0', dead('n2', 'n0'), 90); // before the crash: not a detection
  c.observe('n0', dead('n2', 'n0'), 300);
  c.observe('n0', dead('n2', 'n0'), 400); // only the first counts
  c.observe('n1', { type: 'leave', member: 'n2' }, 200);
  c.observe('n1', dead('n5', 'n1'), 200); // untracked
  const live: Observer[] = [
    { name: 'n0', view: view({ n0: 'alive', n1: 'alive', n2: 'dead', n3: 'alive' }) },
    { name: 'n1', view: view({ n0: 'alive', n1: 'alive', n2: 'left', n3: 'alive' }) },
    { name: 'n3', view: view({ n0: 'alive', n1: 'alive', n2: 'suspect', n3: 'alive' }) },
  ];
  const r = c.report(live);
  assert.equal(r.subjects.length, 1);
  const s = r.subjects[0]!;
  assert.equal(s.observers, 3);
  assert.equal(s.detectedBy, 2);
  assert.deepEqual([s.firstMs, s.medianMs, s.lastMs], [100, 100, 200]);
  assert.deepEqual(s.neverDetectedSample, ['n3']);
  assert.equal(s.stillLiveInView, 1);
  assert.deepEqual(s.stillLiveSample, ['n3']);
  assert.equal(r.complete, false);
  assert.equal(r.incompleteSubjects, 1);
  assert.deepEqual([r.firstMs, r.medianMs, r.lastMs], [100, 100, 200]);
});

test('completeness: nothing tracked is complete; an undetected node reports NaN times', () => {
  const empty = new CompletenessChecker(indexOf, names.length).report([]);
  assert.equal(empty.complete, true);
  assert.ok(Number.isNaN(empty.firstMs));
  const c = new CompletenessChecker(indexOf, names.length);
  c.track('n2', 100);
  const r = c.report([{ name: 'n0', view: view({ n0: 'alive' }) }]);
  assert.equal(r.complete, true, 'n0 never knew n2: not live in its view');
  assert.ok(Number.isNaN(r.subjects[0]!.firstMs));
  assert.equal(r.subjects[0]!.neverDetected, 1);
});

test('agreement: full and counting comparisons', () => {
  const good = view({ n0: 'alive', n1: 'suspect', n2: 'dead' });
  const live: Observer[] = [
    { name: 'n0', view: good },
    { name: 'n1', view: good },
  ];
  for (const fullCheckNodesMax of [0, 100]) {
    const r = checkAgreement(live, ['n2'], { fullCheckNodesMax });
    assert.equal(r.agreed, true);
    assert.equal(r.method, fullCheckNodesMax === 0 ? 'count' : 'full');
  }
  const stale = view({ n0: 'alive', n1: 'alive', n2: 'alive' });
  const missing = view({ n0: 'alive', n1: 'dead', n2: 'dead' });
  const r = checkAgreement(
    [
      { name: 'n0', view: stale },
      { name: 'n1', view: missing },
    ],
    ['n2'],
  );
  assert.equal(r.agreed, false);
  assert.equal(r.disagreeing, 2);
  assert.deepEqual(r.samples[0], { observer: 'n0', liveCount: 3, missing: [], extra: ['n2'] });
  assert.deepEqual(r.samples[1], { observer: 'n1', liveCount: 1, missing: ['n1'], extra: [] });
  // Counting is exact when every node is either live or listed as not live: here n1's view holds
  // n0 live (n0 is down) and n1 itself dead, and the count alone (1 = 1) would not tell.
  const counted = checkAgreement([{ name: 'n1', view: missing }], ['n0', 'n2'], { fullCheckNodesMax: 0 });
  assert.equal(counted.agreed, false);
  assert.deepEqual(counted.samples[0]?.extra, ['n0']);
});
