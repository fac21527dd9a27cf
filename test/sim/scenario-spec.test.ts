/** The fail and partition specs of `ringkv sim` parse to typed values, and bad ones to clear errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPartitionSpec, parseNodeShare, parsePartitionSpec, shareCount } from '../../src/sim/scenario-spec.js';

test('node shares: counts and percentages', () => {
  assert.deepEqual(parseNodeShare('3'), { ok: true, value: { count: 3 } });
  assert.deepEqual(parseNodeShare('1%'), { ok: true, value: { percent: 1 } });
  assert.deepEqual(parseNodeShare('0.5%'), { ok: true, value: { percent: 0.5 } });
  assert.equal(parseNodeShare('x').ok, false);
  assert.equal(parseNodeShare('101%').ok, false);
  assert.equal(parseNodeShare('1.5').ok, false);
  assert.equal(shareCount({ percent: 1 }, 10_000), 100);
  assert.equal(shareCount({ percent: 1 }, 10), 1, 'a non-zero percentage is at least one node');
  assert.equal(shareCount({ percent: 0 }, 10), 0);
  assert.equal(shareCount({ count: 4 }, 10), 4);
});

test('partition specs', () => {
  const p = parsePartitionSpec('30%@20000-40000');
  assert.deepEqual(p, { ok: true, value: { share: { percent: 30 }, startMs: 20000, endMs: 40000 } });
  if (p.ok) assert.equal(formatPartitionSpec(p.value), '30%@20000-40000');
  assert.deepEqual(parsePartitionSpec('2@5-6'), { ok: true, value: { share: { count: 2 }, startMs: 5, endMs: 6 } });
  for (const bad of ['30%', '30%@', '30%@40000-20000', 'x@1-2', '3@1-1', '3@a-b']) {
    const r = parsePartitionSpec(bad);
    assert.equal(r.ok, false, bad);
  }
});
