/**
 * Watches every node's event feed (runtime.events) for the membership verdicts the benchmark
 * scores: when each survivor marks the crashed node dead, and every verdict about a live node.
 * A verdict is timed with performance.now() in the listener: the feed calls listeners
 * synchronously when the runtime carries the event out, so that is when the node decided.
 *
 * False positive: a 'dead' verdict about a node that was running at that moment (memberlist's
 * "false positive" column). Suspicions of running nodes are counted separately: SWIM expects some
 * (a lost probe) and refutes them; they cost traffic, not correctness.
 */
import type { FeedEntry } from '../../src/runtime/event-feed.js';
import type { BenchNode } from './cluster.js';

export class VerdictObserver {
  /** Dead verdicts about running nodes, (observer, member) pairs. */
  falsePositives = 0;
  /** Suspect verdicts about running nodes. */
  liveSuspicions = 0;
  private readonly running = new Map<string, boolean>();
  private victim: string | undefined;
  private crashedAtMs = NaN;
  /** Survivor name → ms after the crash when it marked the victim dead (first verdict only). */
  private readonly detections = new Map<string, number>();
  private readonly unsubscribes: Array<() => void> = [];
  private counting = true;

  /** Subscribes to one node's feed; call before the node starts. */
  watch(node: BenchNode): void {
    this.running.set(node.name, true);
    this.unsubscribes.push(node.runtime.events.subscribe((entry) => this.onEntry(node.name, entry)));
  }

  /** Call right before crashing `name`: from now on verdicts about it are detections. */
  crashing(name: string): void {
    this.victim = name;
    this.crashedAtMs = performance.now();
    this.running.set(name, false);
  }

  /** Survivors that have marked the victim dead so far. */
  get detectedCount(): number {
    return this.detections.size;
  }

  /** Detection times in s after the crash, ascending. */
  detectionSeconds(): number[] {
    return [...this.detections.values()].map((ms) => ms / 1000).sort((a, b) => a - b);
  }

  /** Stops counting (before the benchmark tears the cluster down) and unsubscribes. */
  stop(): void {
    this.counting = false;
    for (const u of this.unsubscribes.splice(0)) u();
  }

  private onEntry(observer: string, entry: FeedEntry): void {
    if (!this.counting || this.running.get(observer) !== true) return; // a crashed node's last words
    const type = entry.event['type'];
    if (type !== 'dead' && type !== 'suspect') return;
    const member = String(entry.event['member']);
    const memberRunning = this.running.get(member) === true;
    if (type === 'suspect') {
      if (memberRunning) this.liveSuspicions++;
      return;
    }
    if (memberRunning) this.falsePositives++;
    else if (member === this.victim && !this.detections.has(observer)) this.detections.set(observer, performance.now() - this.crashedAtMs);
  }
}
