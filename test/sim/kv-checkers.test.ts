/**
 * The KV checkers on hand-made histories and storage snapshots: each kind of violation is
 * detected, and clean histories pass (including the legal surprises: a read of a write in flight,
 * a failed write that surfaces later, a delete's tombstone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientErrorCode, ClientOpType } from '../../src/kv/client-types.js';
import type { Versioned } from '../../src/kv/version.js';
import { Ring } from '../../src/ring/ring.js';
import { checkConvergence, type KvNodeSnapshot } from '../../src/sim/checkers/kv-convergence.js';
import { checkNoLostWrites } from '../../src/sim/checkers/kv-lost-writes.js';
import { checkReadYourWrites } from '../../src/sim/checkers/kv-read-your-writes.js';
import { checkReplies } from '../../src/sim/checkers/kv-replies.js';
import { newOpRecord, type KvOpOutcome, type KvOpRecord } from '../../src/sim/kv-history.js';

const enc = new TextEncoder();
const ver = (ms: number, node = 1) => ({ physicalMs: ms, logical: 0, nodeId: node });

interface Spec {
  readonly op: ClientOpType;
  readonly key?: string;
  readonly value?: string;
  readonly at: number;
  readonly outcome?: KvOpOutcome;
  readonly replied?: number;
  readonly error?: ClientErrorCode;
  /** For reads: the value returned. */
  readonly read?: string;
}

/** A history from specs; requestIds follow the order given; writes get version = issue time. */
function history(...specs: Spec[]): KvOpRecord[] {
  return specs.map((s, i) => {
    const r = newOpRecord(i + 1, s.key ?? 'k', s.op, 'n1', s.value ?? null, s.at);
    r.outcome = s.outcome ?? 'ok';
    if (r.outcome === 'ok' || r.outcome === 'failed') {
      r.repliedAtMs = s.replied ?? s.at + 5;
      r.replies = 1;
    }
    if (r.outcome === 'failed') r.errorCode = s.error ?? 'KV_ERR_QUORUM_UNAVAILABLE';
    if (r.outcome === 'ok' && s.op !== 'read') r.version = ver(s.at);
    if (s.op === 'read' && s.read !== undefined) r.readValue = s.read;
    return r;
  });
}

// --- read-your-writes --------------------------------------------------------------------------

test('read-your-writes: a clean history passes, including reads of writes in flight and of failed writes', () => {
  const h = history(
    { op: 'put', value: 'v1', at: 0 },
    { op: 'read', at: 10, read: 'v1' },
    { op: 'put', value: 'v3', at: 20, replied: 40 },
    { op: 'read', at: 25, read: 'v1' }, // v3 in flight: the old value is still fine
    { op: 'read', at: 26, read: 'v3' }, // ...and so is the new one
    { op: 'put', value: 'v6', at: 50, outcome: 'failed' },
    { op: 'read', at: 60, read: 'v6' }, // a failed write may surface
    { op: 'read', at: 61, read: 'v3' }, // or not
    { op: 'delete', at: 70 },
    { op: 'read', at: 80, outcome: 'failed', error: 'KV_ERR_NOT_FOUND' },
    { op: 'read', key: 'other', at: 81, outcome: 'failed', error: 'KV_ERR_NOT_FOUND' },
    { op: 'read', at: 82, outcome: 'failed', error: 'KV_ERR_QUORUM_UNAVAILABLE' }, // observes nothing
  );
  const r = checkReadYourWrites(h);
  assert.equal(r.violations, 0, JSON.stringify(r.samples));
  assert.equal(r.readsChecked, 7);
});

test('read-your-writes: a read older than the latest acknowledged write is stale', () => {
  const h = history({ op: 'put', value: 'v1', at: 0 }, { op: 'put', value: 'v2', at: 10 }, { op: 'read', at: 20, read: 'v1' });
  const r = checkReadYourWrites(h);
  assert.equal(r.violations, 1);
  assert.equal(r.samples[0]!.kind, 'stale-read');
  assert.equal(r.samples[0]!.requestId, 3);
});

test('read-your-writes: not-found after an acknowledged put is stale; after a delete it is fine', () => {
  const stale = checkReadYourWrites(history({ op: 'create', value: 'v1', at: 0 }, { op: 'read', at: 10, outcome: 'failed', error: 'KV_ERR_NOT_FOUND' }));
  assert.equal(stale.violations, 1);
  assert.equal(stale.samples[0]!.kind, 'stale-read');
  const deleted = checkReadYourWrites(history({ op: 'put', value: 'v1', at: 0 }, { op: 'delete', at: 10 }, { op: 'read', at: 20, outcome: 'failed', error: 'KV_ERR_NOT_FOUND' }));
  assert.equal(deleted.violations, 0);
  const inflightDelete = checkReadYourWrites(history({ op: 'put', value: 'v1', at: 0 }, { op: 'delete', at: 10, replied: 30 }, { op: 'read', at: 12, outcome: 'failed', error: 'KV_ERR_NOT_FOUND' }));
  assert.equal(inflightDelete.violations, 0);
});

test('read-your-writes: a write acknowledged in the same ms the read was issued does not count yet', () => {
  const r = checkReadYourWrites(history({ op: 'put', value: 'v1', at: 0 }, { op: 'put', value: 'v2', at: 10, replied: 20 }, { op: 'read', at: 20, read: 'v1' }));
  assert.equal(r.violations, 0);
});

test('read-your-writes: a value nobody wrote, or written only after the read replied, is a phantom', () => {
  const never = checkReadYourWrites(history({ op: 'put', value: 'v1', at: 0 }, { op: 'read', at: 10, read: 'v99' }));
  assert.equal(never.samples[0]!.kind, 'phantom-value');
  const future = checkReadYourWrites(history({ op: 'read', at: 0, replied: 5, read: 'v2' }, { op: 'put', value: 'v2', at: 10 }));
  assert.equal(future.samples[0]!.kind, 'phantom-value');
});

// --- no lost acknowledged write ----------------------------------------------------------------

function finals(entries: Record<string, Versioned | undefined>): (key: string) => Versioned | undefined {
  return (key) => entries[key];
}

test('lost writes: the latest acknowledged write (or a later failed one) as final state passes', () => {
  const h = history(
    { op: 'put', key: 'a', value: 'v1', at: 0 },
    { op: 'put', key: 'a', value: 'v2', at: 10 },
    { op: 'put', key: 'b', value: 'v3', at: 0 },
    { op: 'update', key: 'b', value: 'v4', at: 10, outcome: 'failed' },
    { op: 'put', key: 'c', value: 'v5', at: 0 },
    { op: 'delete', key: 'c', at: 10 },
    { op: 'put', key: 'd', value: 'v7', at: 0 },
    { op: 'delete', key: 'd', at: 10, outcome: 'orphaned' },
    { op: 'put', key: 'e', value: 'v9', at: 0 },
    { op: 'delete', key: 'e', at: 10 },
  );
  const r = checkNoLostWrites(
    h,
    finals({ a: { value: enc.encode('v2'), version: ver(10) }, b: { value: enc.encode('v4'), version: ver(10) }, c: { value: null, version: ver(10) }, d: { value: null, version: ver(10) }, e: undefined }),
    100,
  );
  assert.equal(r.violations, 0, JSON.stringify(r.samples));
  assert.equal(r.keysChecked, 5);
});

test('lost writes: an older value, no record, or an unexplained tombstone after an acknowledged write is a loss', () => {
  const h = history({ op: 'put', key: 'a', value: 'v1', at: 0 }, { op: 'put', key: 'a', value: 'v2', at: 10 }, { op: 'put', key: 'b', value: 'v3', at: 0 }, { op: 'put', key: 'c', value: 'v4', at: 0 });
  const r = checkNoLostWrites(h, finals({ a: { value: enc.encode('v1'), version: ver(0) }, b: undefined, c: { value: null, version: ver(50) } }), 100);
  assert.equal(r.violations, 3);
  assert.deepEqual(
    r.samples.map((s) => [s.kind, s.key]),
    [
      ['lost-write', 'a'],
      ['lost-write', 'b'],
      ['lost-write', 'c'],
    ],
  );
});

test('lost writes: a final value nobody wrote is a phantom; excused keys are not judged', () => {
  const h = history({ op: 'put', key: 'a', value: 'v1', at: 0 }, { op: 'put', key: 'b', value: 'v2', at: 0 });
  const r = checkNoLostWrites(h, finals({ a: { value: enc.encode('zz'), version: ver(5) }, b: undefined }), 100, new Set(['b']));
  assert.equal(r.violations, 1);
  assert.equal(r.samples[0]!.kind, 'phantom-value');
  assert.equal(r.keysExcused, 1);
});

// --- convergence -------------------------------------------------------------------------------

const placement = { replicationFactor: 3, tokensPerNode: 8 };
const names = ['n0', 'n1', 'n2', 'n3', 'n4'];

/** Snapshots where `holders(key)` says which nodes hold which record. */
function cluster(records: Record<string, Record<string, Versioned>>, ringOf: (name: string) => string[] = () => names): KvNodeSnapshot[] {
  return names.map((name) => ({ name, ringNodes: ringOf(name), get: (key: string) => records[key]?.[name] }));
}

const ring = Ring.build(names, placement.tokensPerNode);
const rec = (ms: number): Versioned => ({ value: enc.encode(`v${ms}`), version: ver(ms) });

function onOwners(key: string, r: Versioned): Record<string, Versioned> {
  return Object.fromEntries(ring.preferenceList(key, 3).map((o) => [o, r]));
}

test('convergence: every key on exactly its N owners with one record passes', () => {
  const c = checkConvergence(cluster({ a: onOwners('a', rec(1)), b: onOwners('b', { value: null, version: ver(2) }) }), ['a', 'b', 'never-written'], placement, 0);
  assert.equal(c.converged, true, JSON.stringify(c.samples));
  assert.equal(c.keysHeld, 2);
});

test('convergence: a missing owner, an extra holder, and differing records are each found', () => {
  const owners = ring.preferenceList('a', 3);
  const outsider = names.find((n) => !owners.includes(n))!;
  const under = { ...onOwners('a', rec(1)) };
  delete under[owners[0]!];
  const over = { ...onOwners('b', rec(1)), [names.find((n) => !ring.preferenceList('b', 3).includes(n))!]: rec(1) };
  const divergent = { ...onOwners('c', rec(1)), [ring.preferenceList('c', 3)[2]!]: rec(2) };
  const c = checkConvergence(cluster({ a: under, b: over, c: divergent }), ['a', 'b', 'c'], placement, 0);
  assert.equal(c.converged, false);
  assert.equal(c.keysUnderReplicated, 1);
  assert.equal(c.keysOverReplicated, 1);
  assert.equal(c.keysDivergent, 1);
  assert.equal(c.violations, 3);
  assert.ok(outsider !== undefined);
});

test('convergence: a node whose ring differs from the live set is reported', () => {
  const c = checkConvergence(cluster({}, (name) => (name === 'n2' ? ['n0', 'n1', 'n2', 'n3', 'n4', 'n9'] : names)), ['a'], placement, 0);
  assert.equal(c.converged, false);
  assert.equal(c.ringMismatches, 1);
  assert.match(c.samples[0]!.detail, /n2's ring.*extra \[n9\]/);
});

// --- exactly one reply -------------------------------------------------------------------------

test('replies: one each passes; missing, duplicated and unknown replies are violations; orphans are excused', () => {
  const clean = history({ op: 'put', value: 'v1', at: 0 }, { op: 'read', at: 1, read: 'v1' }, { op: 'delete', at: 2, outcome: 'orphaned' });
  const ok = checkReplies(clean, 0, 100);
  assert.equal(ok.violations, 0);
  assert.equal(ok.orphaned, 1);
  const bad = history({ op: 'put', value: 'v1', at: 0, outcome: 'pending' }, { op: 'read', at: 1, read: 'v1' });
  bad[1]!.replies = 2;
  const r = checkReplies(bad, 3, 100);
  assert.equal(r.missing, 1);
  assert.equal(r.duplicated, 1);
  assert.equal(r.unknown, 3);
  assert.equal(r.violations, 3);
});
