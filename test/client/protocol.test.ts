/**
 * The shared HTTP protocol definitions (src/client/http-protocol.ts) and the client's small
 * pieces: the views stay assignable from the runtime's (checked by the compiler), the version
 * header, node addresses, the retry policy and backoff.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNodeAddress } from '../../src/client/address.js';
import { RingkvClientError } from '../../src/client/errors.js';
import {
  formatVersionHeader,
  httpErrorCodes,
  isServerErrorCode,
  kvClientErrorCodes,
  parseVersionHeader,
} from '../../src/client/http-protocol.js';
import type * as Protocol from '../../src/client/http-protocol.js';
import { backoffMs, retriesAnswer, retriesFailure } from '../../src/client/retry.js';
import { httpErrorStatus, kvErrorStatus } from '../../src/api/http/errors.js';
import type { ClientErrorCode, ConsistencyLevel } from '../../src/kv/client-types.js';
import type * as Runtime from '../../src/runtime/service.js';

// Compile-time: what the runtime serves is what the client declares (and the reverse for levels).
type Assignable<From extends To, To> = [From, To];
export type ViewChecks = [
  Assignable<Runtime.MemberView, Protocol.MemberView>,
  Assignable<Runtime.RingView, Protocol.RingView>,
  Assignable<Runtime.HealthView, Protocol.HealthView>,
  Assignable<Runtime.NodeInfo, Protocol.NodeInfo>,
  Assignable<Protocol.Consistency, ConsistencyLevel>,
  Assignable<ConsistencyLevel, Protocol.Consistency>,
];

describe('HTTP protocol definitions', () => {
  it('list every KV client code and HTTP code, each with a status', () => {
    const all: Record<ClientErrorCode, true> = {
      KV_ERR_NOT_FOUND: true,
      KV_ERR_EXISTS: true,
      KV_ERR_QUORUM_UNAVAILABLE: true,
      KV_ERR_OVERLOADED: true,
      KV_ERR_NOT_READY: true,
      KV_ERR_BAD_REQUEST: true,
    };
    assert.deepEqual([...kvClientErrorCodes].sort(), Object.keys(all).sort());
    assert.deepEqual([...httpErrorCodes].sort(), Object.keys(httpErrorStatus).sort());
    assert.deepEqual([...kvClientErrorCodes].sort(), Object.keys(kvErrorStatus).sort());
    for (const code of [...kvClientErrorCodes, ...httpErrorCodes]) assert.ok(isServerErrorCode(code));
    assert.equal(isServerErrorCode('KV_ERR_SOMETHING_NEW'), false);
    assert.equal(isServerErrorCode(42), false);
  });

  it('the version header round-trips and rejects malformed values', () => {
    const v = { physicalMs: 2 ** 48 - 1, logical: 65535, nodeId: 2 ** 32 - 1 };
    assert.equal(formatVersionHeader(v), '281474976710655.65535.4294967295');
    assert.deepEqual(parseVersionHeader(formatVersionHeader(v)), v);
    assert.deepEqual(parseVersionHeader('0.0.0'), { physicalMs: 0, logical: 0, nodeId: 0 });
    for (const bad of ['', '1.2', '1.2.3.4', 'a.b.c', '-1.0.0', '1.65536.0', '1.0.4294967296', '281474976710656.0.0']) {
      assert.equal(parseVersionHeader(bad), null, bad);
    }
  });
});

describe('client addresses', () => {
  it('normalise to an origin and a host:port name', () => {
    assert.deepEqual(parseNodeAddress('127.0.0.1:8001'), { base: 'http://127.0.0.1:8001', name: '127.0.0.1:8001' });
    assert.deepEqual(parseNodeAddress(' localhost:8001 '), { base: 'http://localhost:8001', name: 'localhost:8001' });
    assert.deepEqual(parseNodeAddress('[::1]:8001'), { base: 'http://[::1]:8001', name: '[::1]:8001' });
    assert.deepEqual(parseNodeAddress('http://node-1.example:9000/'), { base: 'http://node-1.example:9000', name: 'node-1.example:9000' });
    assert.deepEqual(parseNodeAddress('https://kv.example'), { base: 'https://kv.example', name: 'kv.example:443' });
    assert.deepEqual(parseNodeAddress('HTTP://H:80'), { base: 'http://h', name: 'h:80' });
  });

  it('refuse anything else with CLIENT_ERR_CONFIG', () => {
    for (const bad of ['', 'host', ':80', 'host:', 'host:0', 'host:65536', 'ws://host:1', 'http://host:1/x', 'http://host:1?q', 'a b:1']) {
      assert.throws(
        () => parseNodeAddress(bad),
        (e: unknown) => e instanceof RingkvClientError && e.code === 'CLIENT_ERR_CONFIG',
        bad,
      );
    }
  });
});

describe('client retry policy', () => {
  it('reads and idempotent writes retry on any failure, create/update only when nothing was applied', () => {
    for (const failure of ['refused', 'lost', 'timeout'] as const) {
      assert.equal(retriesFailure('read', failure), true);
      assert.equal(retriesFailure('idempotent', failure), true);
      assert.equal(retriesFailure('unsafe', failure), failure === 'refused');
    }
    assert.equal(retriesFailure('read', 'closed'), false);
    for (const kind of ['read', 'idempotent', 'unsafe'] as const) {
      assert.equal(retriesAnswer(kind, 'KV_ERR_OVERLOADED'), true);
      assert.equal(retriesAnswer(kind, 'KV_ERR_NOT_READY'), true);
      assert.equal(retriesAnswer(kind, 'KV_ERR_QUORUM_UNAVAILABLE'), kind !== 'unsafe');
      for (const code of ['KV_ERR_NOT_FOUND', 'KV_ERR_EXISTS', 'KV_ERR_BAD_REQUEST', 'HTTP_ERR_UNAUTHORIZED', 'HTTP_ERR_INTERNAL', 'CLIENT_ERR_PROTOCOL'] as const) {
        assert.equal(retriesAnswer(kind, code), false);
      }
    }
  });

  it('backoff doubles from 50 ms to at most 1 s, jittered down to half', () => {
    assert.equal(backoffMs(1, () => 1), 50);
    assert.equal(backoffMs(1, () => 0), 25);
    assert.equal(backoffMs(2, () => 1), 100);
    assert.equal(backoffMs(5, () => 1), 800);
    assert.equal(backoffMs(6, () => 1), 1000);
    assert.equal(backoffMs(1000, () => 1), 1000);
  });

  it('RingkvClientError carries its details', () => {
    const e = new RingkvClientError('KV_ERR_QUORUM_UNAVAILABLE', 'm', { status: 503, node: 'n:1', acks: 1, required: 2 }).withAttempts(3);
    assert.equal(e.name, 'RingkvClientError');
    assert.ok(e instanceof Error);
    assert.deepEqual([e.code, e.status, e.node, e.attempts, e.acks, e.required], ['KV_ERR_QUORUM_UNAVAILABLE', 503, 'n:1', 3, 1, 2]);
  });
});
