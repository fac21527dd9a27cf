/**
 * `ringkv grade --report`: the grade table plus one membership timeline per mp1 scenario, read
 * back from the runs' dbg.logs; and the dbg.log parser on a hand-made log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grade } from '../../src/cli/commands/grade.js';
import { nodeLabel, parseDbgLog, timelineOf } from '../../src/cli/report/grade-data.js';
import { GradeReportCollector, gradeReportHtml, gradeTimelineTitlePrefix } from '../../src/cli/report/grade-report.js';
import { DbgLog, joinedMessage, removedMessage, seedAddress } from '../../src/sim/seed/dbg-log.js';

test('the dbg.log parser reads starts, joins, removals and failures', () => {
  const log = new DbgLog();
  log.log(seedAddress(1), 0, 'APP');
  log.log(seedAddress(1), 0, 'Starting up group...');
  log.log(seedAddress(2), 1, 'Trying to join...');
  log.log(seedAddress(2), 2, 'Joined the group...');
  log.log(seedAddress(1), 2, joinedMessage(seedAddress(2), 2));
  log.log(seedAddress(3), 2, joinedMessage(seedAddress(2), 2));
  log.log(seedAddress(3), 2, joinedMessage(seedAddress(1), 2));
  log.log(seedAddress(2), 100, 'Node failed at time=100');
  log.log(seedAddress(1), 130, removedMessage(seedAddress(2), 130));
  log.log(seedAddress(3), 131, removedMessage(seedAddress(2), 131));
  const events = parseDbgLog(log.toString());
  assert.deepEqual(
    events.map((e) => `${nodeLabel(e.node)} ${e.tick} ${e.kind} ${e.subject === null ? '-' : nodeLabel(e.subject)}`),
    ['node 1 0 start -', 'node 2 1 start -', 'node 2 2 joined-group -', 'node 1 2 saw-join node 2', 'node 3 2 saw-join node 2', 'node 3 2 saw-join node 1', 'node 2 100 failed -', 'node 1 130 removed node 2', 'node 3 131 removed node 2'],
  );
  const t = timelineOf(events);
  assert.deepEqual(t.nodes, ['node 1', 'node 2', 'node 3']);
  assert.deepEqual(t.failTicks, [100]);
  assert.equal(t.lastJoinTick, 2);
  assert.deepEqual(t.faultRange, { first: 100, last: 131 });
  assert.equal(t.marks.find((m) => m.node === 'node 3' && m.kind === 'learned of joins')?.text, '+2');
  assert.equal(t.marks.find((m) => m.node === 'node 1' && m.kind === 'removed')?.text, '−2');
});

test('grade mp1 --report: the grade table and one timeline per scenario', async () => {
  const collector = new GradeReportCollector();
  const printed: string[] = [];
  const perfect = grade('mp1', { protocol: 'swim', seed: 1, runs: 1 }, (line) => printed.push(line), (run) => collector.add(run));
  assert.ok(perfect, printed.join('\n'));
  assert.deepEqual(
    collector.runs.map((r) => `${r.name} ${r.points}/${r.max}`),
    ['singlefailure 30/30', 'multifailure 30/30', 'msgdropsinglefailure 30/30'],
  );
  for (const run of collector.runs) {
    // Every survivor removed every failed node, and nobody else: what full points mean.
    const t = timelineOf(parseDbgLog(run.log!));
    const failed = new Set(t.marks.filter((m) => m.kind === 'failed').map((m) => m.node));
    assert.ok(failed.size >= 1, run.name);
    for (const node of t.nodes.filter((n) => !failed.has(n))) {
      const removed = new Set(t.marks.filter((m) => m.node === node && m.kind === 'removed').flatMap((m) => m.text.slice(1).split(',')).map((id) => `node ${id}`));
      assert.deepEqual([...removed].sort(), [...failed].sort(), `${run.name}: ${node} removed exactly the failed nodes`);
    }
  }
  const warnings: string[] = [];
  const html = await gradeReportHtml(collector.runs, { command: 'ringkv grade mp1 --report x.html', seeds: '1', summary: printed.flatMap((p) => p.split('\n')), totalRuns: collector.total, onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings, []);
  assert.equal(html.match(/<svg[\s>]/g)?.length, 3);
  for (const scenario of ['singlefailure', 'multifailure', 'msgdropsinglefailure']) {
    assert.ok(html.includes(`>${gradeTimelineTitlePrefix}: mp1 ${scenario}, seed 1</text>`), scenario);
    assert.ok(html.includes(`<td>${scenario}</td>`), `${scenario} in the table`);
  }
  assert.ok(html.includes('Final grade 90'), 'the header has what the command printed');
});
