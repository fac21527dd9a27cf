/**
 * Connection and server commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, CLIENT, CONFIG, INFO and
 * the ringkv extension RINGKV.CONSISTENCY. Replies follow Redis 7's wording so clients that match
 * on it (ioredis, redis-cli, redis-benchmark) behave as against Redis. docs/resp.md lists them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ConsistencyLevel } from '../../kv/client-types.js';
import type { RespConnectionState, RespServerContext } from './resp-context.js';
import { encodeArray, encodeBulk, encodeBulkArray, encodeError, encodeInteger, respEmptyArray, respNullBulk, respOk, respPong } from './resp-writer.js';

/** The Redis version this server reports (INFO redis_version, HELLO): the command set and replies it follows. */
export const respCompatibleRedisVersion = '7.0.0';

export type RespReply = Buffer | Promise<Buffer>;

export interface RespCommand {
  /** Lowercase name. */
  readonly name: string;
  /** Redis convention: n > 0 exactly n arguments (name included), n < 0 at least -n. */
  readonly arity: number;
  /** Allowed before AUTH. */
  readonly noAuth?: boolean;
  readonly run: (server: RespServerContext, conn: RespConnectionState, args: Buffer[]) => RespReply;
}

export function wrongArgs(name: string): Buffer {
  return encodeError(`ERR wrong number of arguments for '${name}' command`);
}

export const respSyntaxError = encodeError('ERR syntax error');
export const respNoAuth = encodeError('NOAUTH Authentication required.');
const wrongPass = encodeError('WRONGPASS invalid username-password pair or user is disabled.');
const noPassword = encodeError('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');

function unknownSubcommand(sub: Buffer, command: string): Buffer {
  return encodeError(`ERR unknown subcommand '${sub.toString('utf8').slice(0, 128)}'. Try ${command} HELP.`);
}

function upper(b: Buffer | undefined): string {
  return b === undefined ? '' : b.toString('latin1').toUpperCase();
}

/** Constant-time token check (SHA-256 both sides so lengths never leak). */
function tokenMatches(server: RespServerContext, token: Buffer): boolean {
  if (server.authTokenDigest === null) return true;
  return timingSafeEqual(createHash('sha256').update(token).digest(), server.authTokenDigest);
}

/** CLIENT SETNAME / HELLO SETNAME: Redis allows printable ASCII without spaces. */
function validClientName(name: Buffer): boolean {
  for (const b of name) if (b < 0x21 || b > 0x7e) return false;
  return true;
}
const badClientName = encodeError('ERR Client names cannot contain spaces, newlines or special characters.');

const ping: RespCommand = {
  name: 'ping',
  arity: -1,
  run: (_s, _c, args) => {
    if (args.length > 2) return wrongArgs('ping');
    return args.length === 2 ? encodeBulk(args[1]!) : respPong;
  },
};

const echo: RespCommand = { name: 'echo', arity: 2, run: (_s, _c, args) => encodeBulk(args[1]!) };

const quit: RespCommand = {
  name: 'quit',
  arity: -1,
  noAuth: true,
  run: (_s, conn) => {
    conn.closeAfterReply = true;
    return respOk;
  },
};

const select: RespCommand = {
  name: 'select',
  arity: 2,
  run: (_s, _c, args) => {
    const text = args[1]!.toString('latin1');
    if (!/^-?\d{1,18}$/.test(text)) return encodeError('ERR value is not an integer or out of range');
    return Number(text) === 0 ? respOk : encodeError('ERR DB index is out of range');
  },
};

const auth: RespCommand = {
  name: 'auth',
  arity: -2,
  noAuth: true,
  run: (server, conn, args) => {
    if (args.length > 3) return respSyntaxError;
    if (server.authTokenDigest === null) return noPassword;
    const user = args.length === 3 ? args[1]!.toString('utf8') : 'default';
    if (user !== 'default' || !tokenMatches(server, args[args.length - 1]!)) return wrongPass;
    conn.authenticated = true;
    return respOk;
  },
};

const hello: RespCommand = {
  name: 'hello',
  arity: -1,
  noAuth: true,
  run: (server, conn, args) => {
    if (args.length >= 2) {
      const text = args[1]!.toString('latin1');
      if (!/^-?\d{1,18}$/.test(text)) return encodeError('ERR Protocol version is not an integer or out of range');
      if (Number(text) !== 2) return encodeError('NOPROTO unsupported protocol version');
    }
    let name: Buffer | undefined;
    for (let i = 2; i < args.length; i++) {
      const opt = upper(args[i]);
      if (opt === 'AUTH' && i + 2 < args.length) {
        const user = args[i + 1]!.toString('utf8');
        if (user !== 'default' || !tokenMatches(server, args[i + 2]!)) return wrongPass;
        conn.authenticated = true;
        i += 2;
      } else if (opt === 'SETNAME' && i + 1 < args.length) {
        name = args[i + 1]!;
        if (!validClientName(name)) return badClientName;
        i += 1;
      } else {
        return encodeError(`ERR Syntax error in HELLO option '${args[i]!.toString('utf8').slice(0, 128)}'`);
      }
    }
    if (!conn.authenticated) {
      return encodeError(
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
      );
    }
    if (name !== undefined) conn.name = name.toString('latin1');
    return encodeArray([
      encodeBulk('server'),
      encodeBulk('redis'),
      encodeBulk('version'),
      encodeBulk(respCompatibleRedisVersion),
      encodeBulk('proto'),
      encodeInteger(2),
      encodeBulk('id'),
      encodeInteger(conn.id),
      encodeBulk('mode'),
      encodeBulk('standalone'),
      encodeBulk('role'),
      encodeBulk('master'),
      encodeBulk('modules'),
      respEmptyArray,
    ]);
  },
};

function clientLine(c: RespConnectionState): string {
  return `id=${c.id} addr=${c.remoteAddr} laddr=${c.localAddr} name=${c.name} db=0 cmd=${c.lastCommand} lib-name=${c.libName} lib-ver=${c.libVer}`;
}

const client: RespCommand = {
  name: 'client',
  arity: -2,
  run: (server, conn, args) => {
    const sub = upper(args[1]);
    switch (sub) {
      case 'ID':
        return args.length === 2 ? encodeInteger(conn.id) : wrongArgs('client|id');
      case 'GETNAME':
        if (args.length !== 2) return wrongArgs('client|getname');
        return conn.name === '' ? respNullBulk : encodeBulk(conn.name);
      case 'SETNAME': {
        if (args.length !== 3) return wrongArgs('client|setname');
        if (!validClientName(args[2]!)) return badClientName;
        conn.name = args[2]!.toString('latin1');
        return respOk;
      }
      case 'SETINFO': {
        if (args.length !== 4) return wrongArgs('client|setinfo');
        const attr = upper(args[2]);
        const value = args[3]!;
        if (attr !== 'LIB-NAME' && attr !== 'LIB-VER') return encodeError(`ERR Unrecognized option '${args[2]!.toString('utf8').slice(0, 128)}'`);
        if (!validClientName(value) && value.length > 0) return encodeError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
        if (attr === 'LIB-NAME') conn.libName = value.toString('latin1');
        else conn.libVer = value.toString('latin1');
        return respOk;
      }
      case 'INFO':
        return args.length === 2 ? encodeBulk(`${clientLine(conn)}\n`) : wrongArgs('client|info');
      case 'LIST': {
        const lines: string[] = [];
        for (const c of server.connections()) lines.push(`${clientLine(c)}\n`);
        return encodeBulk(lines.join(''));
      }
      default:
        return unknownSubcommand(args[1]!, 'CLIENT');
    }
  },
};

/** CONFIG GET answers: what redis-benchmark and common clients ask at connect. */
function configValues(server: RespServerContext): Array<[string, string]> {
  return [
    ['save', ''],
    ['appendonly', 'no'],
    ['databases', '1'],
    ['maxclients', String(server.connectionsMax)],
    ['port', String(server.port())],
  ];
}

/** Redis-style glob (`*`, `?`, `[...]`) to an anchored, case-insensitive RegExp. */
function globToRegExp(glob: string): RegExp {
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) src += '\\[';
      else {
        src += `[${glob.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else src += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  try {
    return new RegExp(`^${src}$`, 'i');
  } catch {
    return /^$/;
  }
}

const config: RespCommand = {
  name: 'config',
  arity: -2,
  run: (server, _c, args) => {
    const sub = upper(args[1]);
    if (sub === 'GET') {
      if (args.length < 3) return wrongArgs('config|get');
      const patterns = args.slice(2).map((a) => globToRegExp(a.toString('utf8')));
      const out: string[] = [];
      for (const [name, value] of configValues(server)) {
        if (patterns.some((p) => p.test(name))) out.push(name, value);
      }
      return encodeBulkArray(out);
    }
    if (sub === 'SET' || sub === 'RESETSTAT' || sub === 'REWRITE') return encodeError(`ERR ringkv does not support CONFIG ${sub}`);
    return unknownSubcommand(args[1]!, 'CONFIG');
  },
};

/** Keeps an INFO value on its line. */
function infoValue(v: string | number): string {
  return String(v).replace(/[\r\n]+/g, ' ');
}

function infoSections(server: RespServerContext): Array<[string, Array<[string, string | number]>]> {
  const info = server.service.info();
  const health = server.service.health();
  const uptimeS = Math.floor(info.uptimeMs / 1000);
  const s = server.stats;
  return [
    [
      'Server',
      [
        ['redis_version', respCompatibleRedisVersion],
        ['redis_mode', 'standalone'],
        ['ringkv_version', info.version],
        ['os', `${process.platform} ${process.arch}`],
        ['arch_bits', 64],
        ['process_id', process.pid],
        ['tcp_port', server.port()],
        ['uptime_in_seconds', uptimeS],
        ['uptime_in_days', Math.floor(uptimeS / 86400)],
      ],
    ],
    [
      'Clients',
      [
        ['connected_clients', s.connections],
        ['maxclients', server.connectionsMax],
      ],
    ],
    [
      'Memory',
      [
        ['used_memory', info.bytes],
        ['used_memory_rss', process.memoryUsage.rss()],
      ],
    ],
    [
      'Persistence',
      [
        ['loading', 0],
        ['aof_enabled', 0],
      ],
    ],
    [
      'Stats',
      [
        ['total_connections_received', s.connectionsReceived],
        ['total_commands_processed', s.commands],
        ['rejected_connections', s.connectionsRejected],
        ['total_error_replies', s.errors],
        ['protocol_errors', s.protocolErrors],
      ],
    ],
    [
      'Replication',
      [
        ['role', 'master'],
        ['connected_slaves', 0],
      ],
    ],
    ['Keyspace', [['db0', `keys=${info.keys},expires=0,avg_ttl=0`]]],
    [
      'Ringkv',
      [
        ['ringkv_node', info.name],
        ['ringkv_addr', info.addr],
        ['ringkv_status', health.status],
        ['ringkv_incarnation', info.incarnation],
        ['ringkv_uptime_ms', info.uptimeMs],
        ['ringkv_keys', info.keys],
        ['ringkv_tombstones', info.tombstones],
        ['ringkv_bytes', info.bytes],
        ['ringkv_inflight_requests', info.inflightRequests],
        ['ringkv_hints_held', info.hintsHeld],
        ['ringkv_members_alive', health.members.alive],
        ['ringkv_members_suspect', health.members.suspect],
        ['ringkv_members_dead', health.members.dead],
        ['ringkv_members_left', health.members.left],
        ['ringkv_http', info.endpoints.http ?? ''],
        ['ringkv_resp', info.endpoints.resp ?? ''],
      ],
    ],
  ];
}

/** INFO [section ...]: Redis INFO text (`# Section` headers, `field:value` lines, CRLF). */
export function infoText(server: RespServerContext, sections: readonly string[]): string {
  const wanted = sections.map((s) => s.toLowerCase());
  const all = wanted.length === 0 || wanted.some((s) => s === 'all' || s === 'default' || s === 'everything');
  const parts: string[] = [];
  for (const [title, fields] of infoSections(server)) {
    if (!all && !wanted.includes(title.toLowerCase())) continue;
    parts.push(`# ${title}\r\n${fields.map(([k, v]) => `${k}:${infoValue(v)}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

const info: RespCommand = {
  name: 'info',
  arity: -1,
  run: (server, _c, args) => encodeBulk(infoText(server, args.slice(1).map((a) => a.toString('utf8')))),
};

const levels: readonly string[] = ['one', 'quorum', 'all'];

const consistency: RespCommand = {
  name: 'ringkv.consistency',
  arity: -1,
  run: (_s, conn, args) => {
    if (args.length > 2) return wrongArgs('ringkv.consistency');
    if (args.length === 1) return encodeBulk(conn.consistency ?? 'default');
    const level = args[1]!.toString('latin1').toLowerCase();
    if (level === 'default') conn.consistency = undefined;
    else if (levels.includes(level)) conn.consistency = level as ConsistencyLevel;
    else return encodeError('ERR RINGKV.CONSISTENCY takes one, quorum, all or default');
    return respOk;
  },
};

export const adminCommands: readonly RespCommand[] = [ping, echo, quit, select, auth, hello, client, config, info, consistency];
