/**
 * The benchmark's wrk driver (bench/kv/wrk.ts): its summary parser, and one short real run of wrk
 * (installed by scripts/setup-test-deps.sh) with the generated script against a small HTTP server
 * on 127.0.0.1, checking what the server received against what the driver reports.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseWrkSummary, runWrk, wrkScript } from '../../bench/kv/wrk.js';

describe('bench wrk driver', () => {
  it('parses the summary line and refuses output without one', () => {
    const out = 'Running 1s test\nWRK_DONE {"requests":120,"durationUs":1000000,"p50Us":250.5,"p99Us":900,"errors":2}\n';
    assert.deepEqual(parseWrkSummary(out), { requests: 120, durationUs: 1e6, p50Us: 250.5, p99Us: 900, errors: 2 });
    assert.throws(() => parseWrkSummary('Running 1s test\n'), /no summary line/);
    assert.throws(() => parseWrkSummary('WRK_DONE {"requests":-1,"durationUs":1,"p50Us":1,"p99Us":1,"errors":0}\n'), /requests/);
    assert.throws(() => wrkScript('PUT', 0, 3), /keyspace/);
  });

  it('a PUT run and a GET run: keys cycle through the keyspace, bodies and error statuses as the server saw them', async () => {
    const seen = { PUT: new Map<string, number>(), GET: new Map<string, number>() };
    let badBodies = 0;
    let notFound = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const method = req.method === 'PUT' ? 'PUT' : 'GET';
        seen[method].set(req.url ?? '', (seen[method].get(req.url ?? '') ?? 0) + 1);
        if (method === 'PUT' && Buffer.concat(chunks).toString() !== 'xxx') badBodies++;
        if (method === 'GET' && req.url === '/v1/kv/key-2') {
          notFound++;
          res.writeHead(404).end('{"ok":false}');
        } else res.writeHead(200).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const http = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const put = await runWrk({ http, method: 'PUT', connections: 4, durationS: 1, keyspace: 3, valueBytes: 3 });
      assert.equal(put.client, 'wrk keep-alive x4');
      assert.equal(put.op, 'PUT');
      assert.ok(put.requests > 0 && put.opsPerS > 0 && put.p50Ms > 0 && put.p99Ms >= put.p50Ms);
      assert.equal(put.errors, 0);
      assert.equal(badBodies, 0);
      assert.deepEqual([...seen.PUT.keys()].sort(), ['/v1/kv/key-0', '/v1/kv/key-1', '/v1/kv/key-2']);
      const served = [...seen.PUT.values()].reduce((a, b) => a + b, 0);
      // wrk counts the requests it saw answered; a few may still be in flight when it stops.
      assert.ok(served >= put.requests && served <= put.requests + 4, `server ${served}, wrk ${put.requests}`);
      const get = await runWrk({ http, method: 'GET', connections: 4, durationS: 1, keyspace: 3, valueBytes: 3 });
      assert.equal(get.op, 'GET');
      assert.ok(get.errors > 0, 'responses of 400 and more are errors');
      assert.ok(get.errors <= notFound, `wrk ${get.errors} errors, server ${notFound} not-found answers`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
