/** Turning a node's answer into a typed result or a RingkvClientError. */
import type { Answer } from './attempt.js';
import { RingkvClientError } from './errors.js';
import { isServerErrorCode, isVersion, octetStream, parseVersionHeader, versionHeader } from './http-protocol.js';
import type { HealthView, MemberView, NodeInfo, RingView, Version } from './http-protocol.js';
import type { Entry, WriteResult } from './types.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function protocolError(answer: Answer, what: string): RingkvClientError {
  return new RingkvClientError('CLIENT_ERR_PROTOCOL', `${answer.node} answered HTTP ${answer.status} with ${what}`, {
    status: answer.status,
    node: answer.node,
  });
}

/** The error a non-success answer carries; CLIENT_ERR_PROTOCOL when it is not a ringkv error body. */
export function answerError(answer: Answer): RingkvClientError {
  const body = tryJson(answer);
  const error = (body as { error?: unknown } | undefined)?.error as Record<string, unknown> | undefined;
  const code = error?.['code'];
  if (error === undefined || !isServerErrorCode(code)) return protocolError(answer, 'no ringkv error body');
  const message = typeof error['message'] === 'string' ? error['message'] : code;
  const acks = error['acks'];
  const required = error['required'];
  return new RingkvClientError(code, `${answer.node}: ${message}`, {
    status: answer.status,
    node: answer.node,
    ...(typeof acks === 'number' && { acks }),
    ...(typeof required === 'number' && { required }),
  });
}

export function decodeEntry(answer: Answer, key: string): Entry {
  const type = answer.headers.get('content-type') ?? '';
  if (type.startsWith(octetStream)) {
    const version = parseVersionHeader(answer.headers.get(versionHeader) ?? '');
    if (version === null) throw protocolError(answer, `a raw value without a valid ${versionHeader} header`);
    return { key, value: answer.body, version };
  }
  const body = json(answer) as Record<string, unknown>;
  const { value, encoding, version } = body;
  if (typeof value !== 'string' || (encoding !== 'utf8' && encoding !== 'base64') || !isVersion(version)) {
    throw protocolError(answer, 'a malformed entry');
  }
  const bytes = encoding === 'utf8' ? new TextEncoder().encode(value) : new Uint8Array(Buffer.from(value, 'base64'));
  return { key, value: bytes, version: copyVersion(version) };
}

export function decodeWrite(answer: Answer): WriteResult {
  const body = json(answer) as Record<string, unknown>;
  if (body['ok'] !== true || !isVersion(body['version'])) throw protocolError(answer, 'a malformed write result');
  return { version: copyVersion(body['version']) };
}

export function decodeMembers(answer: Answer): MemberView[] {
  const members = (json(answer) as Record<string, unknown>)['members'];
  if (!Array.isArray(members) || !members.every((m) => hasString(m, 'name') && hasString(m, 'state'))) {
    throw protocolError(answer, 'a malformed member list');
  }
  return members as MemberView[];
}

export function decodeRing(answer: Answer): RingView {
  const body = json(answer) as Record<string, unknown>;
  if (typeof body['replicationFactor'] !== 'number' || !Array.isArray(body['nodes'])) throw protocolError(answer, 'a malformed ring');
  return body as unknown as RingView;
}

export function decodeHealth(answer: Answer): HealthView {
  const body = json(answer) as Record<string, unknown>;
  if (!['ok', 'joining', 'leaving'].includes(body['status'] as string) || typeof body['name'] !== 'string') {
    throw protocolError(answer, 'a malformed health view');
  }
  return body as unknown as HealthView;
}

export function decodeInfo(answer: Answer): NodeInfo {
  const body = json(answer) as Record<string, unknown>;
  if (!hasString(body, 'name') || !hasString(body, 'version')) throw protocolError(answer, 'a malformed node info');
  return body as unknown as NodeInfo;
}

export function decodeText(value: Uint8Array): string {
  return utf8.decode(value);
}

function json(answer: Answer): unknown {
  const body = tryJson(answer);
  if (body === undefined || typeof body !== 'object' || body === null) throw protocolError(answer, 'a body that is not a JSON object');
  return body;
}

function tryJson(answer: Answer): unknown {
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) return undefined;
  try {
    return JSON.parse(utf8.decode(answer.body)) as unknown;
  } catch {
    return undefined;
  }
}

function hasString(x: unknown, field: string): boolean {
  return typeof x === 'object' && x !== null && typeof (x as Record<string, unknown>)[field] === 'string';
}

function copyVersion(v: Version): Version {
  return { physicalMs: v.physicalMs, logical: v.logical, nodeId: v.nodeId };
}
