/**
 * The RESP command table and dispatcher. Data commands map onto ringkv client operations:
 *   GET k            -> read    (null bulk when KV_ERR_NOT_FOUND)
 *   SET k v          -> put
 *   SET k v NX       -> create  (null bulk when KV_ERR_EXISTS)
 *   SET k v XX       -> update  (null bulk when KV_ERR_NOT_FOUND)
 *   DEL k [k ...]    -> delete each; integer count of keys deleted
 *   EXISTS k [k ...] -> read each; integer count found
 *   MGET k [k ...]   -> read each; array of bulks / null bulks
 *   MSET k v [k v ...] -> put each (not atomic); +OK or the first error
 * Failed operations reply `-<CLASS> <CODE> <message>`: the second word is the stable ringkv error
 * code (docs/resp.md, "Errors"). Keys and values are checked against the store's limits before
 * any operation starts, so a bad request gets a clear error, never a crash.
 */
import type { ClientError, ClientOp, ClientResult } from '../../kv/client-types.js';
import { kvKeyBytesMax, kvValueBytesMax } from '../../wire/kv-limits.js';
import { adminCommands, respNoAuth, respSyntaxError, wrongArgs, type RespCommand, type RespReply } from './resp-admin.js';
import type { RespConnectionState, RespServerContext } from './resp-context.js';
import { encodeArray, encodeBulk, encodeBulkArray, encodeError, encodeInteger, respEmptyArray, respNullBulk, respOk, respOne, respZero } from './resp-writer.js';

export type { RespCommand, RespReply } from './resp-admin.js';

/** Redis error class (first word of the error reply) for each ringkv error code. */
const errorClass: Record<ClientError['code'], string> = {
  KV_ERR_NOT_FOUND: 'ERR',
  KV_ERR_EXISTS: 'ERR',
  KV_ERR_QUORUM_UNAVAILABLE: 'TRYAGAIN',
  KV_ERR_OVERLOADED: 'BUSY',
  KV_ERR_NOT_READY: 'LOADING',
  KV_ERR_BAD_REQUEST: 'ERR',
};

/** `-<CLASS> <CODE> <message>[ (acks a/r)]` for a failed client operation. */
export function clientErrorReply(error: ClientError): Buffer {
  const cls = errorClass[error.code] ?? 'ERR';
  const acks = error.acks !== undefined && error.required !== undefined ? ` (acks ${error.acks}/${error.required})` : '';
  return encodeError(`${cls} ${error.code} ${error.message}${acks}`);
}

function badRequest(message: string): Buffer {
  return encodeError(`ERR KV_ERR_BAD_REQUEST ${message}`);
}

/** Reply when something broke its contract (execute() threw or rejected, a handler threw): a bug, logged, never a crash. */
function internalError(server: RespServerContext, command: string, err: unknown): Buffer {
  server.log('warn', 'resp: command failed', { command, error: String(err) });
  return encodeError(`ERR RESP_ERR_INTERNAL ${String(err)}`);
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The key as a string (strict UTF-8), or an error reply: ringkv keys are text of at most kvKeyBytesMax bytes. */
export function decodeKey(bytes: Buffer): string | Buffer {
  if (bytes.length > kvKeyBytesMax) return badRequest(`key is ${bytes.length} bytes, limit ${kvKeyBytesMax}`);
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  try {
    return decoder.decode(bytes);
  } catch {
    return badRequest('key is not valid UTF-8');
  }
}

/** Decodes every key, or returns the first error reply. */
function decodeKeys(args: readonly Buffer[], from: number): string[] | Buffer {
  const keys: string[] = [];
  for (let i = from; i < args.length; i++) {
    const key = decodeKey(args[i]!);
    if (typeof key !== 'string') return key;
    keys.push(key);
  }
  return keys;
}

/** Runs one operation in this connection's per-key order, with its consistency level. */
function runOp(server: RespServerContext, conn: RespConnectionState, type: ClientOp['type'], key: string, value?: Uint8Array): Promise<ClientResult> {
  const op: ClientOp = {
    type,
    key,
    ...(value !== undefined ? { value } : {}),
    ...(conn.consistency !== undefined ? { consistency: conn.consistency } : {}),
  };
  return conn.order.run(key, type !== 'read', () => {
    try {
      return server.service.execute(op);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

const get: RespCommand = {
  name: 'get',
  arity: 2,
  run: (server, conn, args) => {
    const key = decodeKey(args[1]!);
    if (typeof key !== 'string') return key;
    return runOp(server, conn, 'read', key).then((r) => {
      if (r.ok) return encodeBulk(r.value ?? new Uint8Array(0));
      return r.error.code === 'KV_ERR_NOT_FOUND' ? respNullBulk : clientErrorReply(r.error);
    });
  },
};

const expiryOptions = new Set(['EX', 'PX', 'EXAT', 'PXAT']);

const set: RespCommand = {
  name: 'set',
  arity: -3,
  run: (server, conn, args) => {
    let nx = false;
    let xx = false;
    let getOpt = false;
    let expiry = false;
    for (let i = 3; i < args.length; i++) {
      const opt = args[i]!.toString('latin1').toUpperCase();
      if (opt === 'NX') nx = true;
      else if (opt === 'XX') xx = true;
      else if (opt === 'GET') getOpt = true;
      else if (opt === 'KEEPTTL') expiry = true;
      else if (expiryOptions.has(opt) && i + 1 < args.length) {
        expiry = true;
        i++;
      } else return respSyntaxError;
    }
    if (nx && xx) return respSyntaxError;
    if (expiry) return encodeError('ERR ringkv does not support expiry (EX, PX, EXAT, PXAT, KEEPTTL)');
    if (getOpt) return encodeError('ERR ringkv does not support SET with GET');
    const key = decodeKey(args[1]!);
    if (typeof key !== 'string') return key;
    const value = args[2]!;
    if (value.length > kvValueBytesMax) return badRequest(`value is ${value.length} bytes, limit ${kvValueBytesMax}`);
    const type = nx ? 'create' : xx ? 'update' : 'put';
    return runOp(server, conn, type, key, value).then((r) => {
      if (r.ok) return respOk;
      if ((nx && r.error.code === 'KV_ERR_EXISTS') || (xx && r.error.code === 'KV_ERR_NOT_FOUND')) return respNullBulk;
      return clientErrorReply(r.error);
    });
  },
};

/**
 * Runs `type` on each key (concurrently, each in per-key order) and folds the results: the first
 * failure other than KV_ERR_NOT_FOUND becomes the reply; otherwise `done` builds it.
 */
function eachKey(server: RespServerContext, conn: RespConnectionState, args: Buffer[], type: 'read' | 'delete', done: (results: ClientResult[]) => Buffer): RespReply {
  const keys = decodeKeys(args, 1);
  if (!Array.isArray(keys)) return keys;
  return Promise.all(keys.map((k) => runOp(server, conn, type, k))).then((results) => {
    for (const r of results) if (!r.ok && r.error.code !== 'KV_ERR_NOT_FOUND') return clientErrorReply(r.error);
    return done(results);
  });
}

function countOk(results: readonly ClientResult[]): Buffer {
  const n = results.reduce((sum, r) => sum + (r.ok ? 1 : 0), 0);
  return n === 0 ? respZero : n === 1 ? respOne : encodeInteger(n);
}

const del: RespCommand = { name: 'del', arity: -2, run: (s, c, args) => eachKey(s, c, args, 'delete', countOk) };
const unlink: RespCommand = { name: 'unlink', arity: -2, run: (s, c, args) => eachKey(s, c, args, 'delete', countOk) };
const exists: RespCommand = { name: 'exists', arity: -2, run: (s, c, args) => eachKey(s, c, args, 'read', countOk) };
const mget: RespCommand = {
  name: 'mget',
  arity: -2,
  run: (s, c, args) => eachKey(s, c, args, 'read', (results) => encodeArray(results.map((r) => (r.ok ? encodeBulk(r.value ?? new Uint8Array(0)) : respNullBulk)))),
};

/** MSET k v [k v ...]: independent puts (not atomic, unlike Redis); +OK when all succeed, else the first error. */
const mset: RespCommand = {
  name: 'mset',
  arity: -3,
  run: (server, conn, args) => {
    if (args.length % 2 !== 1) return wrongArgs('mset');
    const keys: string[] = [];
    for (let i = 1; i < args.length; i += 2) {
      const key = decodeKey(args[i]!);
      if (typeof key !== 'string') return key;
      const value = args[i + 1]!;
      if (value.length > kvValueBytesMax) return badRequest(`value is ${value.length} bytes, limit ${kvValueBytesMax}`);
      keys.push(key);
    }
    return Promise.all(keys.map((k, j) => runOp(server, conn, 'put', k, args[2 * j + 2]!))).then((results) => {
      for (const r of results) if (!r.ok) return clientErrorReply(r.error);
      return respOk;
    });
  },
};

/** COMMAND [COUNT | LIST | DOCS | INFO ...]: minimal valid replies (redis-cli asks at connect). */
const command: RespCommand = {
  name: 'command',
  arity: -1,
  run: (_s, _c, args) => {
    if (args.length === 1) return respEmptyArray;
    const sub = args[1]!.toString('latin1').toUpperCase();
    switch (sub) {
      case 'COUNT':
        return encodeInteger(commandTable.size);
      case 'LIST':
        return encodeBulkArray([...commandTable.keys()]);
      case 'DOCS':
        return respEmptyArray;
      case 'INFO':
        return encodeArray(args.slice(2).map(() => respNullBulk));
      default:
        return encodeError(`ERR unknown subcommand '${args[1]!.toString('utf8').slice(0, 128)}'. Try COMMAND HELP.`);
    }
  },
};

const commandTable = new Map<string, RespCommand>([get, set, del, unlink, exists, mget, mset, command, ...adminCommands].map((c) => [c.name, c]));

/** Names of the supported commands (lowercase). */
export function respCommandNames(): string[] {
  return [...commandTable.keys()];
}

/** Redis 7's reply to an unknown command, byte for byte. */
export function unknownCommandReply(args: readonly Buffer[]): Buffer {
  let list = '';
  for (let i = 1; i < args.length && list.length < 128; i++) list += `'${args[i]!.toString('utf8').slice(0, 128 - list.length)}' `;
  return encodeError(`ERR unknown command '${args[0]!.toString('utf8').slice(0, 128)}', with args beginning with: ${list}`);
}

/**
 * Runs one request. The reply is synchronous for commands that need no operation and a promise
 * (never rejecting) otherwise. Connection state changes (AUTH, SELECT, RINGKV.CONSISTENCY, QUIT)
 * happen synchronously, so they apply to the requests after them in a pipeline.
 */
export function dispatch(server: RespServerContext, conn: RespConnectionState, args: Buffer[]): RespReply {
  const name = args[0]!.toString('latin1').toLowerCase();
  const cmd = commandTable.get(name);
  if (cmd === undefined) return unknownCommandReply(args);
  conn.lastCommand = name;
  if (cmd.arity > 0 ? args.length !== cmd.arity : args.length < -cmd.arity) return wrongArgs(name);
  if (!conn.authenticated && cmd.noAuth !== true) return respNoAuth;
  try {
    const reply = cmd.run(server, conn, args);
    return reply instanceof Promise ? reply.catch((err: unknown) => internalError(server, name, err)) : reply;
  } catch (err) {
    return internalError(server, name, err);
  }
}
