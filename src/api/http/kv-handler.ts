/**
 * /v1/kv/{key}: GET/HEAD read, PUT put (or `?op=create|update|put`), POST create, PATCH update,
 * DELETE delete. Request bodies are the raw value bytes, whatever their content type. The key,
 * the consistency level and the body size are checked before the operation reaches the node.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientOp, ClientOpType, ClientResult } from '../../kv/client-types.js';
import type { NodeService } from '../../runtime/service.js';
import { kvValueBytesMax } from '../../wire/kv-limits.js';
import { formatVersionHeader, octetStream, versionHeader } from '../../client/http-protocol.js';
import type { Consistency, EntryBody, Version, WriteBody } from '../../client/http-protocol.js';
import { readBody } from './body.js';
import { fromClientError, httpError } from './errors.js';
import { sendBytes, sendJson } from './respond.js';
import { consistencyParam, flagParam, kvKey } from './target.js';
import type { Target } from './target.js';

export const kvMethods: readonly string[] = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'];

const putOps: readonly ClientOpType[] = ['put', 'create', 'update'];

export async function handleKv(req: IncomingMessage, res: ServerResponse, target: Target, service: NodeService): Promise<void> {
  const method = req.method ?? '';
  if (!kvMethods.includes(method)) {
    throw httpError('HTTP_ERR_METHOD', `${method} not allowed on /v1/kv/{key}`, { allow: kvMethods.join(', ') });
  }
  const key = kvKey(target);
  const consistency = consistencyParam(target.query);
  switch (method) {
    case 'GET':
    case 'HEAD':
      return read(res, service, key, consistency, flagParam(target.query, 'raw', acceptsOctetStream(req.headers.accept)));
    case 'DELETE':
      return write(res, service, op('delete', key, consistency), 200);
    default: {
      const type = writeType(method, target.query);
      const value = await readBody(req, res, kvValueBytesMax);
      return write(res, service, op(type, key, consistency, value), type === 'create' ? 201 : 200);
    }
  }
}

async function read(
  res: ServerResponse,
  service: NodeService,
  key: string,
  consistency: Consistency | undefined,
  raw: boolean,
): Promise<void> {
  const result = await service.execute(op('read', key, consistency));
  if (!result.ok) throw fromClientError(result.error);
  if (result.value === undefined) throw new Error(`read of ${JSON.stringify(key)} succeeded without a value`);
  const version = versionOf(result);
  if (raw) {
    sendBytes(res, 200, octetStream, result.value, { [versionHeader]: formatVersionHeader(version) });
    return;
  }
  const bytes = Buffer.from(result.value.buffer, result.value.byteOffset, result.value.byteLength);
  const utf8 = isUtf8(bytes);
  const body: EntryBody = {
    key,
    value: bytes.toString(utf8 ? 'utf8' : 'base64'),
    encoding: utf8 ? 'utf8' : 'base64',
    version,
  };
  sendJson(res, 200, body);
}

async function write(res: ServerResponse, service: NodeService, clientOp: ClientOp, status: number): Promise<void> {
  const result = await service.execute(clientOp);
  if (!result.ok) throw fromClientError(result.error);
  const body: WriteBody = { ok: true, version: versionOf(result) };
  sendJson(res, status, body);
}

function writeType(method: string, query: URLSearchParams): ClientOpType {
  if (method === 'POST') return 'create';
  if (method === 'PATCH') return 'update';
  const requested = query.get('op');
  if (requested === null) return 'put';
  if (!(putOps as readonly string[]).includes(requested)) throw httpError('HTTP_ERR_BAD_REQUEST', `op must be one of ${putOps.join(', ')}`);
  return requested as ClientOpType;
}

function op(type: ClientOpType, key: string, consistency: Consistency | undefined, value?: Uint8Array): ClientOp {
  return {
    type,
    key,
    ...(value === undefined ? {} : { value }),
    ...(consistency === undefined ? {} : { consistency }),
  };
}

function versionOf(result: ClientResult & { ok: true }): Version {
  if (result.version === undefined) throw new Error('operation succeeded without a version');
  const { physicalMs, logical, nodeId } = result.version;
  return { physicalMs, logical, nodeId };
}

/** True when the Accept header lists application/octet-stream (with a non-zero q). */
export function acceptsOctetStream(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type !== octetStream) return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
