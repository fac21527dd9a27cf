/**
 * The /v1/kv/{key} routes of the HTTP API over a FakeService: every method and status, key
 * encodings (percent-encoded, slashes, UTF-8), binary values (raw and base64 JSON), the
 * consistency parameter, and the mapping of every KV error code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kvKeyBytesMax } from '../../src/wire/kv-limits.js';
import { raw, startFake } from '../client/fixtures.js';
import type { Fixture } from '../client/fixtures.js';

describe('HTTP API: /v1/kv/{key}', () => {
  let f: Fixture;
  before(async () => {
    f = await startFake();
  });
  after(async () => {
    await f.server.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => raw(f.port, { path, headers });
  const send = (method: string, path: string, body?: string | Uint8Array) => raw(f.port, { method, path, ...(body !== undefined && { body }) });

  it('PUT stores the raw body and GET returns it as JSON with its version', async () => {
    const put = await send('PUT', '/v1/kv/greeting', 'hello');
    assert.equal(put.status, 200);
    assert.match(String(put.headers['content-type']), /^application\/json/);
    const written = put.json() as { ok: boolean; version: { physicalMs: number; logical: number; nodeId: number } };
    assert.equal(written.ok, true);
    assert.deepEqual(Object.keys(written.version).sort(), ['logical', 'nodeId', 'physicalMs']);
    const read = await get('/v1/kv/greeting');
    assert.equal(read.status, 200);
    const body = read.json() as Record<string, unknown>;
    assert.equal(body['key'], 'greeting');
    assert.equal(body['value'], 'hello');
    assert.equal(body['encoding'], 'utf8');
    assert.equal(typeof (body['version'] as Record<string, unknown>)['physicalMs'], 'number');
    assert.equal(f.service.ops.at(-1)?.type, 'read');
  });

  it('GET of a missing key is 404 KV_ERR_NOT_FOUND', async () => {
    const res = await get('/v1/kv/missing');
    assert.equal(res.status, 404);
    assert.deepEqual((res.json() as { error: { code: string } }).error.code, 'KV_ERR_NOT_FOUND');
  });

  it('POST creates (201) and answers 409 KV_ERR_EXISTS the second time', async () => {
    const first = await send('POST', '/v1/kv/created', 'v1');
    assert.equal(first.status, 201);
    assert.equal((first.json() as { ok: boolean }).ok, true);
    const second = await send('POST', '/v1/kv/created', 'v2');
    assert.equal(second.status, 409);
    assert.equal((second.json() as { error: { code: string } }).error.code, 'KV_ERR_EXISTS');
    assert.equal(Buffer.from(f.service.data.get('created')!).toString(), 'v1');
  });

  it('PATCH updates an existing key (200) and answers 404 for a missing one', async () => {
    await send('PUT', '/v1/kv/upd', 'a');
    assert.equal((await send('PATCH', '/v1/kv/upd', 'b')).status, 200);
    assert.equal(Buffer.from(f.service.data.get('upd')!).toString(), 'b');
    const missing = await send('PATCH', '/v1/kv/upd-missing', 'b');
    assert.equal(missing.status, 404);
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'KV_ERR_NOT_FOUND');
  });

  it('DELETE deletes (200 with a version) and answers 404 when the key is gone', async () => {
    await send('PUT', '/v1/kv/del', 'x');
    const res = await send('DELETE', '/v1/kv/del');
    assert.equal(res.status, 200);
    assert.equal((res.json() as { ok: boolean }).ok, true);
    assert.equal(f.service.data.has('del'), false);
    assert.equal((await send('DELETE', '/v1/kv/del')).status, 404);
  });

  it('PUT ?op=create|update|put selects the operation; another op is 400', async () => {
    assert.equal((await send('PUT', '/v1/kv/opkey?op=update', 'a')).status, 404);
    assert.equal((await send('PUT', '/v1/kv/opkey?op=create', 'a')).status, 201);
    assert.equal((await send('PUT', '/v1/kv/opkey?op=create', 'b')).status, 409);
    assert.equal((await send('PUT', '/v1/kv/opkey?op=update', 'c')).status, 200);
    assert.equal((await send('PUT', '/v1/kv/opkey?op=put', 'd')).status, 200);
    const bad = await send('PUT', '/v1/kv/opkey?op=delete', 'e');
    assert.equal(bad.status, 400);
    assert.equal((bad.json() as { error: { code: string } }).error.code, 'HTTP_ERR_BAD_REQUEST');
    assert.equal(Buffer.from(f.service.data.get('opkey')!).toString(), 'd');
  });

  it('keys are percent-decoded: %2F and unescaped slashes are part of the key, UTF-8 works', async () => {
    await send('PUT', '/v1/kv/a%2Fb', 'encoded');
    assert.equal(Buffer.from(f.service.data.get('a/b')!).toString(), 'encoded');
    await send('PUT', '/v1/kv/users/42/name', 'slashes');
    assert.equal(Buffer.from(f.service.data.get('users/42/name')!).toString(), 'slashes');
    const read = await get('/v1/kv/a/b');
    assert.equal((read.json() as { value: string }).value, 'encoded');
    await send('PUT', `/v1/kv/${encodeURIComponent('clé ✓ 😀?#')}`, 'utf');
    assert.equal(Buffer.from(f.service.data.get('clé ✓ 😀?#')!).toString(), 'utf');
    // Dot segments are not resolved: they are part of the key.
    await send('PUT', '/v1/kv/x/../y', 'dots');
    assert.ok(f.service.data.has('x/../y'));
  });

  it('/v1/kv?key= names keys that URL libraries would resolve away ("." and "..")', async () => {
    assert.equal((await send('PUT', '/v1/kv?key=..', 'dotdot')).status, 200);
    assert.equal(Buffer.from(f.service.data.get('..')!).toString(), 'dotdot');
    assert.equal(((await get('/v1/kv?key=..&consistency=one')).json() as { value: string }).value, 'dotdot');
    assert.equal(f.service.ops.at(-1)?.consistency, 'one');
    assert.equal((await send('PUT', `/v1/kv?key=${encodeURIComponent('a b&c')}`, 'q')).status, 200);
    assert.ok(f.service.data.has('a b&c'));
    assert.equal((await get('/v1/kv/x?key=y')).status, 400);
    assert.equal((await get('/v1/kv?key=')).status, 400);
  });

  it('binary values: raw bytes with ?raw=1 or Accept: application/octet-stream, base64 in JSON', async () => {
    const bytes = new Uint8Array([0, 255, 254, 128, 10, 0xc3]);
    await send('PUT', '/v1/kv/bin', bytes);
    assert.deepEqual(new Uint8Array(f.service.data.get('bin')!), bytes);
    const asJson = (await get('/v1/kv/bin')).json() as { value: string; encoding: string };
    assert.equal(asJson.encoding, 'base64');
    assert.deepEqual(new Uint8Array(Buffer.from(asJson.value, 'base64')), bytes);
    for (const res of [await get('/v1/kv/bin?raw=1'), await get('/v1/kv/bin', { accept: 'application/octet-stream' })]) {
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/octet-stream');
      assert.deepEqual(new Uint8Array(res.body), bytes);
      assert.match(String(res.headers['x-ringkv-version']), /^\d+\.\d+\.\d+$/);
    }
    // raw=0 wins over the Accept header.
    const forcedJson = await get('/v1/kv/bin?raw=0', { accept: 'application/octet-stream' });
    assert.match(String(forcedJson.headers['content-type']), /^application\/json/);
  });

  it('an empty value and a value with a BOM round-trip', async () => {
    await send('PUT', '/v1/kv/empty', '');
    assert.equal(((await get('/v1/kv/empty')).json() as { value: string }).value, '');
    await send('PUT', '/v1/kv/bom', '\ufeffx');
    const raw1 = await get('/v1/kv/bom?raw=1');
    assert.deepEqual([...raw1.body], [0xef, 0xbb, 0xbf, 0x78]);
    assert.equal(((await get('/v1/kv/bom')).json() as { value: string }).value, '\ufeffx');
  });

  it('HEAD reads like GET without a body', async () => {
    await send('PUT', '/v1/kv/head', 'abc');
    const res = await raw(f.port, { method: 'HEAD', path: '/v1/kv/head?raw=1' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '3');
    assert.equal(res.body.length, 0);
  });

  it('?consistency= is forwarded to the node; an unknown level is 400 before executing', async () => {
    await send('PUT', '/v1/kv/c?consistency=all', 'x');
    assert.equal(f.service.ops.at(-1)?.consistency, 'all');
    await get('/v1/kv/c?consistency=one');
    assert.equal(f.service.ops.at(-1)?.consistency, 'one');
    await get('/v1/kv/c');
    assert.equal(f.service.ops.at(-1)?.consistency, undefined);
    const before = f.service.ops.length;
    const bad = await get('/v1/kv/c?consistency=most');
    assert.equal(bad.status, 400);
    assert.equal((bad.json() as { error: { code: string } }).error.code, 'HTTP_ERR_BAD_REQUEST');
    assert.equal(f.service.ops.length, before);
  });

  it('empty key, malformed percent-encoding and a too-long key are 400 HTTP_ERR_BAD_REQUEST', async () => {
    const before = f.service.ops.length;
    for (const path of ['/v1/kv/', '/v1/kv', '/v1/kv/%ZZ', '/v1/kv/%E0%A4%A', '/v1/kv/%ED%A0%80', `/v1/kv/${'k'.repeat(kvKeyBytesMax + 1)}`]) {
      const res = await get(path);
      assert.equal(res.status, 400, path);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'HTTP_ERR_BAD_REQUEST', path);
    }
    const put = await send('PUT', `/v1/kv/${encodeURIComponent('é'.repeat(kvKeyBytesMax / 2 + 1))}`, 'x');
    assert.equal(put.status, 400);
    assert.equal(f.service.ops.length, before);
    // Exactly at the limit is fine.
    assert.equal((await send('PUT', `/v1/kv/${encodeURIComponent('é'.repeat(kvKeyBytesMax / 2))}`, 'x')).status, 200);
  });

  it('other methods are 405 HTTP_ERR_METHOD with an Allow header', async () => {
    for (const method of ['OPTIONS', 'TRACE']) {
      const res = await raw(f.port, { method, path: '/v1/kv/x' });
      assert.equal(res.status, 405);
      assert.equal(res.headers['allow'], 'GET, HEAD, PUT, POST, PATCH, DELETE');
      if (method !== 'TRACE') assert.equal((res.json() as { error: { code: string } }).error.code, 'HTTP_ERR_METHOD');
    }
  });

  it('maps every KV error code to its status (429 and NOT_READY with Retry-After)', async () => {
    const cases = [
      ['KV_ERR_NOT_FOUND', 404],
      ['KV_ERR_EXISTS', 409],
      ['KV_ERR_BAD_REQUEST', 400],
      ['KV_ERR_QUORUM_UNAVAILABLE', 503],
      ['KV_ERR_OVERLOADED', 429],
      ['KV_ERR_NOT_READY', 503],
    ] as const;
    for (const [code, status] of cases) {
      f.service.failNext(code);
      const res = await send('PUT', '/v1/kv/err', 'x');
      assert.equal(res.status, status, code);
      const body = res.json() as { error: { code: string; message: string } };
      assert.equal(body.error.code, code);
      assert.equal(typeof body.error.message, 'string');
      if (code === 'KV_ERR_OVERLOADED' || code === 'KV_ERR_NOT_READY') assert.equal(res.headers['retry-after'], '1');
    }
  });
});
