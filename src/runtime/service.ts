/**
 * What a running node offers to its APIs (src/api: HTTP, RESP, dashboard) and to the CLI: client
 * operations and read-only views. The runtime (node-runtime.ts) implements it over a NodeCore;
 * API tests use an in-memory fake (test/helpers/fake-service.ts).
 */
import type { ClientOp, ClientResult } from '../kv/client-types.js';
import type { MemberState } from '../wire/types.js';

/** Endpoints a node advertises in its membership metadata, so any node can list everyone's APIs. */
export interface NodeEndpoints {
  /** "host:port" of the HTTP API, if enabled. */
  readonly http?: string;
  /** "host:port" of the RESP (Redis protocol) server, if enabled. */
  readonly resp?: string;
}

/** One member as this node sees it. */
export interface MemberView {
  readonly name: string;
  /** Gossip address (UDP and TCP, same port). */
  readonly addr: string;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly endpoints: NodeEndpoints;
  /** True for the node answering. */
  readonly self: boolean;
}

/** One token range: keys whose ring position p satisfies start < p <= end (wrapping when start >= end). */
export interface RangeView {
  readonly start: number;
  readonly end: number;
  /** The preference list: primary first, then the next distinct nodes clockwise (N in all, or fewer). */
  readonly replicas: readonly string[];
}

/** The ring as this node routes requests. */
export interface RingView {
  readonly tokensPerNode: number;
  readonly replicationFactor: number;
  /** Per node: tokens held and the fraction of the ring it is primary for (sums to 1). */
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly tokens: number; readonly primaryShare: number }>;
  /** Every token range in ring order (nodes x tokensPerNode entries). */
  readonly ranges: readonly RangeView[];
}

/** /health and RESP PING: whether this node can serve requests. */
export interface HealthView {
  /** 'ok': joined and serving; 'joining': no peer reached yet; 'leaving': shutting down. */
  readonly status: 'ok' | 'joining' | 'leaving';
  readonly name: string;
  readonly members: { readonly alive: number; readonly suspect: number; readonly dead: number; readonly left: number };
  readonly uptimeMs: number;
}

/** Node figures for RESP INFO and the dashboard. */
export interface NodeInfo {
  readonly name: string;
  readonly addr: string;
  readonly version: string;
  readonly uptimeMs: number;
  readonly incarnation: number;
  /** Keys stored locally (tombstones included) and approximate bytes. */
  readonly keys: number;
  readonly tombstones: number;
  readonly bytes: number;
  readonly inflightRequests: number;
  readonly hintsHeld: number;
  readonly endpoints: NodeEndpoints;
}

/** A running node, as its APIs see it. */
export interface NodeService {
  /** Runs one client operation through this node as coordinator. Never rejects: failures are typed results. */
  execute(op: ClientOp): Promise<ClientResult>;
  members(): MemberView[];
  ring(): RingView;
  health(): HealthView;
  info(): NodeInfo;
  /** Prometheus text exposition (version 0.0.4) of every metric of this process. */
  metricsText(): Promise<string>;
  /** Content type of `metricsText()`. */
  readonly metricsContentType: string;
}
