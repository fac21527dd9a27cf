/**
 * RESP (Redis protocol) server over a NodeService, so redis-cli, ioredis and redis-benchmark work
 * unchanged against a ringkv node (docs/resp.md).
 *
 * Per connection:
 * - input goes through the incremental parser (resp-parser.ts); each complete request is
 *   dispatched at once (resp-commands.ts), so pipelined requests run concurrently, ordered per
 *   key (resp-key-order.ts);
 * - replies are queued in request order and written in that order whatever order the operations
 *   complete in; ready replies are written together once per event-loop turn (cork/uncork: one
 *   writev for a pipelined batch);
 * - backpressure: reading pauses while `inflightPerConnectionMax` replies are pending or the
 *   socket's write buffer is full, and resumes when both clear;
 * - a protocol error (malformed input, a limit exceeded) gets `-ERR Protocol error: ...` after the
 *   replies to the requests before it, then the connection is closed, as Redis does.
 * Socket errors close that connection only; nothing here throws into the event loop.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import type { NodeService } from '../../runtime/service.js';
import { dispatch } from './resp-commands.js';
import type { RespConnectionState, RespServerContext, RespServerStats } from './resp-context.js';
import { KeyOrder } from './resp-key-order.js';
import { RespParser } from './resp-parser.js';
import { encodeError } from './resp-writer.js';

/** Default most open connections per server. */
export const respConnectionsMaxDefault = 10_000;

/**
 * Default most pending replies (commands dispatched, reply not yet written) per connection; reading
 * pauses at this many. Bounds a connection's reply memory to about this many values (1 MiB each at
 * most) beyond the socket's write buffer, while leaving room for deep pipelines (redis-benchmark -P 16).
 */
export const respInflightPerConnectionMaxDefault = 128;

/** Milliseconds a connection we ended (QUIT, protocol error, refused) may stay open for the peer to read our last reply. */
export const respCloseGraceMs = 5_000;

export type RespLogFn = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface RespServerOptions {
  /** Interface to bind, e.g. '127.0.0.1'. */
  host: string;
  /** TCP port; 0 picks an ephemeral one (see `RespServer.address`). */
  port: number;
  service: NodeService;
  /** When set, every command except AUTH, HELLO and QUIT needs `AUTH <token>` (or `AUTH default <token>`) first. */
  authToken?: string;
  /** Most open connections; more are refused with `-ERR max number of clients reached`. Default respConnectionsMaxDefault. */
  connectionsMax?: number;
  /** Most pending replies per connection before reading pauses. Default respInflightPerConnectionMaxDefault. */
  inflightPerConnectionMax?: number;
  log?: RespLogFn;
}

export interface RespServer {
  /** Where the server listens (the real port when 0 was asked). */
  readonly address: { readonly host: string; readonly port: number };
  /** Live counters (read-only view). */
  readonly stats: Readonly<RespServerStats>;
  /** Stops accepting, destroys every connection, resolves once the listener is closed. Idempotent. */
  close(): Promise<void>;
}

interface Slot {
  reply: Buffer | undefined;
  /** Close the connection once this reply is written (QUIT, protocol error). */
  close: boolean;
}

const quietSocketErrors = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

class Connection {
  readonly state: RespConnectionState;
  private readonly parser = new RespParser();
  private readonly slots: Array<Slot | undefined> = [];
  private head = 0;
  private readPaused = false;
  private writeBlocked = false;
  /** No more requests are taken (QUIT, protocol error, peer ended, server closing). */
  private closing = false;
  private peerEnded = false;
  private ended = false;
  private flushScheduled = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly ctx: RespServerContext,
    private readonly inflightMax: number,
    id: number,
  ) {
    this.state = {
      id,
      remoteAddr: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`,
      localAddr: `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`,
      authenticated: ctx.authTokenDigest === null,
      consistency: undefined,
      name: '',
      libName: '',
      libVer: '',
      lastCommand: 'NULL',
      closeAfterReply: false,
      order: new KeyOrder(),
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      // The peer half-closed: answer what it sent, then end our side (see pump).
      this.peerEnded = true;
      this.pump();
    });
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.pump();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!quietSocketErrors.has(err.code ?? '')) ctx.log('warn', 'resp: socket error', { client: this.state.remoteAddr, error: err.message });
    });
  }

  /** Pending replies: dispatched, not yet written. */
  private get pending(): number {
    return this.slots.length - this.head;
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return; // after QUIT or a protocol error: read and discard, so the peer sees our reply, not a reset
    const err = this.parser.feed(chunk);
    if (err !== null) {
      this.protocolError(err.message);
      return;
    }
    this.pump();
  }

  /**
   * Takes and dispatches complete requests while the in-flight and write budgets allow. Once the
   * peer has half-closed and every request it sent is answered, ends our side.
   */
  private pump(): void {
    let exhausted = false;
    while (!this.closing && !this.writeBlocked && this.pending < this.inflightMax) {
      const r = this.parser.next();
      if (r === null) {
        exhausted = true;
        break;
      }
      if (r.kind === 'error') {
        this.protocolError(r.message);
        break;
      }
      this.handle(r.args);
    }
    this.updateFlow();
    if (this.peerEnded && this.pending === 0 && (exhausted || this.closing)) this.endSocket();
  }

  private handle(args: Buffer[]): void {
    this.ctx.stats.commands++;
    const reply = dispatch(this.ctx, this.state, args);
    const slot: Slot = { reply: undefined, close: this.state.closeAfterReply };
    if (slot.close) this.closing = true;
    this.slots.push(slot);
    if (reply instanceof Promise) {
      void reply.then((buf) => {
        slot.reply = buf;
        this.scheduleFlush();
      });
    } else {
      slot.reply = reply;
      this.scheduleFlush();
    }
  }

  private protocolError(message: string): void {
    this.ctx.stats.protocolErrors++;
    this.ctx.log('info', 'resp: protocol error, closing connection', { client: this.state.remoteAddr, error: message });
    this.closing = true;
    this.slots.push({ reply: encodeError(`ERR Protocol error: ${message}`), close: true });
    this.scheduleFlush();
  }

  private updateFlow(): void {
    const read = this.closing || (!this.writeBlocked && this.pending < this.inflightMax);
    if (read && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    } else if (!read && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current callback and its promise jobs, not a loop iteration later: replies resolved
    // by one batch of the node (a setImmediate callback) are written together before the next poll.
    process.nextTick(() => this.flush());
  }

  /** Writes every ready reply at the head of the queue, in order, as one corked batch. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.socket.destroyed || this.ended) return;
    const stats = this.ctx.stats;
    let closeNow = false;
    this.socket.cork();
    while (this.head < this.slots.length) {
      const slot = this.slots[this.head]!;
      if (slot.reply === undefined) break;
      this.slots[this.head] = undefined;
      this.head++;
      if (slot.reply[0] === 0x2d) stats.errors++;
      this.socket.write(slot.reply);
      if (slot.close) {
        closeNow = true;
        break;
      }
    }
    this.socket.uncork();
    if (this.head === this.slots.length) {
      this.slots.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
    if (closeNow) {
      this.endSocket();
      return;
    }
    if (this.socket.writableNeedDrain) this.writeBlocked = true;
    this.pump();
  }

  private endSocket(): void {
    if (this.ended) return;
    this.ended = true;
    this.closing = true;
    this.socket.end();
    this.updateFlow();
    this.graceTimer = setTimeout(() => this.socket.destroy(), respCloseGraceMs);
    this.graceTimer.unref();
  }

  /** Called on 'close' and by server.close(). */
  dispose(): void {
    this.closing = true;
    this.ended = true;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.socket.destroy();
  }
}

export function startRespServer(options: RespServerOptions): Promise<RespServer> {
  const log: RespLogFn = options.log ?? (() => {});
  const connectionsMax = options.connectionsMax ?? respConnectionsMaxDefault;
  const inflightMax = options.inflightPerConnectionMax ?? respInflightPerConnectionMaxDefault;
  if (!Number.isInteger(connectionsMax) || connectionsMax < 1) return Promise.reject(new RangeError(`connectionsMax must be a positive integer, got ${connectionsMax}`));
  if (!Number.isInteger(inflightMax) || inflightMax < 1) return Promise.reject(new RangeError(`inflightPerConnectionMax must be a positive integer, got ${inflightMax}`));
  const stats: RespServerStats = { connections: 0, commands: 0, errors: 0, protocolErrors: 0, connectionsReceived: 0, connectionsRejected: 0 };
  const open = new Set<Connection>();
  /** Sockets refused at connectionsMax, until they close. */
  const refused = new Set<net.Socket>();
  let nextId = 1;
  let listenPort = options.port;

  const ctx: RespServerContext = {
    service: options.service,
    authTokenDigest: options.authToken === undefined ? null : createHash('sha256').update(options.authToken, 'utf8').digest(),
    stats,
    connectionsMax,
    port: () => listenPort,
    connections: function* () {
      for (const c of open) yield c.state;
    },
    log,
  };

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => {
    if (open.size >= connectionsMax) {
      stats.connectionsRejected++;
      stats.errors++;
      refused.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => refused.delete(socket));
      socket.resume(); // discard what it sends, so its FIN is seen and the socket closes
      socket.end('-ERR max number of clients reached\r\n');
      setTimeout(() => socket.destroy(), respCloseGraceMs).unref();
      log('warn', 'resp: connection refused, connectionsMax reached', { connectionsMax });
      return;
    }
    stats.connectionsReceived++;
    stats.connections++;
    const conn = new Connection(socket, ctx, inflightMax, nextId++);
    open.add(conn);
    socket.on('close', () => {
      open.delete(conn);
      stats.connections--;
      conn.dispose();
    });
  });
  server.on('error', (err) => log('warn', 'resp: server error', { error: err.message }));

  return new Promise<RespServer>((resolve, reject) => {
    const onListenError = (err: Error): void => reject(err);
    server.once('error', onListenError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onListenError);
      listenPort = (server.address() as AddressInfo).port;
      log('info', 'resp: listening', { host: options.host, port: listenPort });
      let closed: Promise<void> | undefined;
      resolve({
        address: { host: options.host, port: listenPort },
        stats,
        close: () => {
          closed ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const c of open) c.dispose();
            for (const s of refused) s.destroy();
          });
          return closed;
        },
      });
    });
  });
}
