/**
 * Prometheus metrics of one node (prom-client, text format 0.0.4 at `/metrics`). Counters the
 * cores already keep (membership, coordinator, transports) are read at scrape time, so the hot
 * path pays nothing for them; per-request counts and latency go through RequestMetrics, which keeps
 * plain counters and builds the families at scrape time.
 * docs/metrics.md lists every family.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClientOp, ClientResult } from '../kv/client-types.js';
import type { NodeEvent } from '../node/types.js';
import type { NodeRuntime } from './node-runtime.js';
import { RequestMetrics } from './request-metrics.js';

type Source = () => number;

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly contentType: string;
  private readonly requests: RequestMetrics;
  private readonly events: Counter<'type'>;
  private readonly kvEventCounts = { hintsReplayed: 0, transferred: 0, antiEntropyRepaired: 0 };

  constructor(private readonly rt: NodeRuntime) {
    this.contentType = this.registry.contentType;
    collectDefaultMetrics({ register: this.registry, prefix: 'ringkv_' });
    const r = this.registry;
    this.requests = new RequestMetrics(r);
    this.events = new Counter({ name: 'ringkv_events_total', help: 'Membership and cluster events seen by this node, by type', labelNames: ['type'], registers: [r] });

    const core = () => rt.nodeCore;
    new Gauge({
      name: 'ringkv_members',
      help: 'Members as this node sees them, by state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const counts = rt.health().members;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    gauge(r, 'ringkv_awareness_score', 'Lifeguard local health multiplier (0 = healthy; higher = this node is slow and stretches its timeouts)', () => core()?.membership.healthScore() ?? 0);
    gauge(r, 'ringkv_incarnation', 'This node\'s incarnation number', () => core()?.incarnation() ?? 0);
    const m = () => core()?.membership.stats;
    counter(r, 'ringkv_membership_probes_total', 'Direct probes sent', () => m()?.probesSent ?? 0);
    counter(r, 'ringkv_membership_probes_failed_total', 'Probes that got no ack (direct and indirect)', () => m()?.probesFailed ?? 0);
    counter(r, 'ringkv_membership_indirect_probes_total', 'Indirect probe requests sent', () => m()?.indirectProbesSent ?? 0);
    counter(r, 'ringkv_membership_suspicions_total', 'Suspicions raised by this node', () => m()?.suspicionsRaised ?? 0);
    counter(r, 'ringkv_membership_suspicions_confirmed_total', 'Suspicions that ended in a dead verdict', () => m()?.suspicionsConfirmed ?? 0);
    counter(r, 'ringkv_membership_refutations_total', 'Times this node refuted a suspicion about itself (false positives it saw)', () => m()?.refutations ?? 0);
    counter(r, 'ringkv_membership_push_pulls_total', 'Push-pull state exchanges started', () => m()?.pushPullsSent ?? 0);
    counter(r, 'ringkv_membership_broadcasts_dropped_total', 'Gossip broadcasts dropped from the full queue', () => m()?.broadcastsDropped ?? 0);
    for (const [channel, t] of [['udp', rt.udp], ['tcp', rt.tcp]] as const) {
      counter(r, `ringkv_transport_${channel}_sent_total`, `${channel.toUpperCase()} datagrams/frames sent`, () => t.stats.sent);
      counter(r, `ringkv_transport_${channel}_sent_bytes_total`, `${channel.toUpperCase()} payload bytes sent`, () => t.stats.bytesSent);
      counter(r, `ringkv_transport_${channel}_received_total`, `${channel.toUpperCase()} datagrams/frames received`, () => t.stats.received);
      counter(r, `ringkv_transport_${channel}_received_bytes_total`, `${channel.toUpperCase()} payload bytes received`, () => t.stats.bytesReceived);
      counter(r, `ringkv_transport_${channel}_send_drops_total`, `${channel.toUpperCase()} sends dropped (queue full, bad address, socket error)`, () => t.stats.sendDrops);
      counter(r, `ringkv_transport_${channel}_open_failures_total`, `${channel.toUpperCase()} inputs that failed to decrypt (wrong or missing key)`, () => t.stats.openFailures);
    }
    new Counter({
      name: 'ringkv_wire_decode_errors_total',
      help: 'Received datagrams/frames dropped by the decoder, by wire error code (WIRE_ERR_LABEL_MISMATCH: another cluster)',
      labelNames: ['code'],
      registers: [r],
      collect() {
        this.reset();
        for (const [code, n] of Object.entries(rt.stats.decodeErrors)) this.inc({ code }, n ?? 0);
      },
    });
    counter(r, 'ringkv_inputs_dropped_total', 'Packets dropped because the input queue was full', () => rt.stats.inputsDropped);
    gauge(r, 'ringkv_storage_pending_writes', 'Writes (distinct keys) not yet flushed into LMDB (storageSync wal: logged, awaiting their checkpoint)', () => rt.storage.pendingWrites);
    counter(r, 'ringkv_storage_commit_seconds_total', 'Event-loop time spent committing batches to the store (storageSync commit: including the fsync; wal: encoding the log frame)', () => rt.stats.commitMs / 1000);
    counter(r, 'ringkv_storage_backlog_waits_total', 'Times the node paused its input queue until the disk caught up', () => rt.stats.backlogWaits);
    const kv = () => core()?.stats;
    counter(r, 'ringkv_kv_hints_stored_total', 'Hints stored for replicas that did not acknowledge a write', () => kv()?.coordinator.hintsStored ?? 0);
    counter(r, 'ringkv_kv_hints_replayed_total', 'Hints delivered to their target', () => this.kvEventCounts.hintsReplayed);
    gauge(r, 'ringkv_kv_hints_held', 'Hints waiting for their target', () => core()?.hintsHeld ?? 0);
    counter(r, 'ringkv_kv_read_repairs_total', 'Read repairs sent to stale replicas', () => kv()?.coordinator.readRepairs ?? 0);
    counter(r, 'ringkv_kv_anti_entropy_repaired_total', 'Keys repaired by Merkle anti-entropy', () => this.kvEventCounts.antiEntropyRepaired);
    counter(r, 'ringkv_kv_transferred_total', 'Keys handed to new owners (rebalancing, re-replication)', () => this.kvEventCounts.transferred);
    counter(r, 'ringkv_kv_served_total', 'Replica operations served for coordinators', () => kv()?.replica.served ?? 0);
    counter(r, 'ringkv_kv_timeouts_total', 'Client operations that reached their deadline', () => kv()?.coordinator.timedOut ?? 0);
    counter(r, 'ringkv_kv_speculative_retries_total', 'Reads that asked the remaining home replicas because the first ones were slow (readSpeculativeRetryMs)', () => kv()?.coordinator.speculativeRetries ?? 0);
    gauge(r, 'ringkv_kv_inflight_requests', 'Client operations in flight at this coordinator', () => core()?.inflightRequests ?? 0);
    gauge(r, 'ringkv_kv_keys', 'Keys stored locally (tombstones included)', () => rt.storage.stats().keys);
    gauge(r, 'ringkv_kv_tombstones', 'Tombstones stored locally', () => rt.storage.stats().tombstones);
    gauge(r, 'ringkv_kv_bytes', 'Approximate bytes stored locally', () => rt.storage.stats().bytes);
  }

  observeRequest(op: ClientOp, result: ClientResult, elapsedMs: number): void {
    this.requests.observe(op.type, result.ok ? 'ok' : result.error.code, op.consistency ?? 'default', elapsedMs / 1000);
  }

  onEvent(event: NodeEvent): void {
    this.events.inc({ type: event.type });
    if (event.type === 'kv-hints-replayed') this.kvEventCounts.hintsReplayed += event.count;
    else if (event.type === 'kv-transferred') this.kvEventCounts.transferred += event.count;
    else if (event.type === 'kv-anti-entropy') this.kvEventCounts.antiEntropyRepaired += event.repaired;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function gauge(registry: Registry, name: string, help: string, source: Source): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(source());
    },
  });
}

/** A counter whose value lives elsewhere (a core's monotonic stats), read at scrape time. */
function counter(registry: Registry, name: string, help: string, source: Source): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source());
    },
  });
}
