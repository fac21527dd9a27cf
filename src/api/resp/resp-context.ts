/**
 * What a RESP command handler sees: the server it runs in and the connection it came from.
 */
import type { ConsistencyLevel } from '../../kv/client-types.js';
import type { NodeService } from '../../runtime/service.js';
import type { KeyOrder } from './resp-key-order.js';

/** Counters of one RESP server since it started. */
export interface RespServerStats {
  /** Connections open now. */
  connections: number;
  /** Requests dispatched (every command, including rejected ones). */
  commands: number;
  /** Error replies sent (`-...`), protocol errors included. */
  errors: number;
  /** Connections closed for malformed input or an exceeded protocol limit. */
  protocolErrors: number;
  /** Connections accepted, in total. */
  connectionsReceived: number;
  /** Connections refused because connectionsMax were open. */
  connectionsRejected: number;
}

/** Per-connection state the commands read and change. */
export interface RespConnectionState {
  /** Unique per server, from 1 (CLIENT ID). */
  readonly id: number;
  /** "host:port" of the peer and of our end. */
  readonly remoteAddr: string;
  readonly localAddr: string;
  /** False until AUTH succeeds when the server has an auth token. */
  authenticated: boolean;
  /** RINGKV.CONSISTENCY: level for this connection's operations; undefined = the node's configured R/W. */
  consistency: ConsistencyLevel | undefined;
  /** CLIENT SETNAME / SETINFO. */
  name: string;
  libName: string;
  libVer: string;
  /** Last command name (CLIENT LIST/INFO). */
  lastCommand: string;
  /** Set by QUIT (and protocol errors): close the connection once this reply is written. */
  closeAfterReply: boolean;
  /** Orders this connection's operations per key (resp-key-order.ts). */
  readonly order: KeyOrder;
}

/** Server-wide facts and services for command handlers. */
export interface RespServerContext {
  readonly service: NodeService;
  /** SHA-256 of the auth token, or null when the server needs no AUTH. */
  readonly authTokenDigest: Buffer | null;
  readonly stats: RespServerStats;
  readonly connectionsMax: number;
  /** Port the server listens on (INFO tcp_port). */
  port(): number;
  /** CLIENT LIST: one state per open connection. */
  connections(): Iterable<RespConnectionState>;
  log(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void;
}
