/**
 * Human text for a membership simulation report (`ringkv sim` without --json): aligned label /
 * value lines, numbers with thousands separators, and the command that replays the run.
 */
import type { MembershipRunReport } from '../../sim/membership-report.js';

/** Crashed nodes listed one by one when there are at most this many. */
const perNodeLinesMax = 10;
const labelWidth = 28;

/** The flags that reproduce a run (the seed included), as one shell command. */
export interface ReproduceFlags {
  readonly nodes: number;
  readonly seed: number;
  readonly protocol: string;
  readonly durationMs: number;
  readonly loss: number;
  readonly fail: string;
  readonly failAtMs: number;
  readonly partition: string | undefined;
  readonly converged: boolean | undefined;
}

/** `ringkv sim --nodes … --seed …`: replays the run bit for bit. */
export function reproduceCommand(f: ReproduceFlags): string {
  const parts = ['ringkv sim', `--nodes ${f.nodes}`, `--seed ${f.seed}`, `--protocol ${f.protocol}`, `--duration-ms ${f.durationMs}`];
  if (f.loss !== 0) parts.push(`--loss ${f.loss}`);
  if (f.fail !== '0') parts.push(`--fail ${f.fail}`, `--fail-at-ms ${f.failAtMs}`);
  if (f.partition !== undefined) parts.push(`--partition ${f.partition}`);
  if (f.converged === true) parts.push('--converged');
  if (f.converged === false) parts.push('--no-converged');
  return parts.join(' ');
}

/** Formats the report as aligned lines (without the leading seed line, printed before the run). */
export function formatSimReport(r: MembershipRunReport): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padEnd(labelWidth)}${value}`);
  };
  row('nodes', `${int(r.nodes)} (${r.protocol})`);
  if (r.converged) row('start', r.convergedAuto ? 'started from a converged view (automatic above 500 nodes)' : 'started from a converged view');
  else row('start', 'nodes joined through n0, staggered');
  row('virtual time', `${int(r.durationMs)} ms`);
  row('loss', `${r.loss}`);
  row('partition', r.partition === null ? 'none' : `${r.partition} (${r.partitionedNodes.length} nodes isolated)`);
  row('failed', r.failedNodes.length === 0 ? 'none' : `${r.failedNodes.length} node(s) at ${int(r.failAtMs)} ms`);

  const d = r.detection;
  if (d.subjects.length > 0) {
    row('detection (ms after crash)', `first ${ms(d.firstMs)}   median ${ms(d.medianMs)}   last ${ms(d.lastMs)}`);
    if (d.subjects.length <= perNodeLinesMax) {
      for (const s of d.subjects) {
        row(`  ${s.member}`, `first ${ms(s.firstMs)}   median ${ms(s.medianMs)}   last ${ms(s.lastMs)}   detected by ${int(s.detectedBy)}/${int(s.observers)}`);
      }
    }
    const never = d.subjects.reduce((a, s) => a + s.neverDetected, 0);
    const stillLive = d.subjects.reduce((a, s) => a + s.stillLiveInView, 0);
    row('  never detected', `${int(never)} (observer, crashed node) pairs`);
    row('  still alive in a view', `${int(stillLive)} pairs${stillLive > 0 ? `, e.g. ${sampleStillLive(r)}` : ''}`);
  }
  const a = r.accuracy;
  row('false positives', `${int(a.falsePositives)} dead verdicts about live nodes${a.falsePositives > 0 ? `, e.g. ${a.falsePositiveSamples.slice(0, 3).map((f) => `${f.observer}: ${f.member} dead at ${f.atMs} ms`).join('; ')}` : ''}`);
  row('suspect false positives', `${int(a.suspectFalsePositives)}`);
  const g = r.agreement;
  row('agreement', g.agreed ? `all ${int(g.expectedLive)} live nodes agree` : `${int(g.disagreeing)} of ${int(g.expectedLive)} live nodes disagree (quiescent for ${int(r.quiescentMs)} ms)`);
  const t = r.traffic;
  row('per node per virtual s', `${fixed(t.msgsPerNodePerSec, 2)} msgs   ${int(t.bytesPerNodePerSec)} bytes   (${fixed(t.protocolMsgsPerNodePerSec, 2)} protocol messages)`);
  row('  datagrams', `${fixed(t.datagramsPerNodePerSec, 2)} msgs   ${int(t.datagramBytesPerNodePerSec)} bytes`);
  row('  stream frames', `${fixed(t.streamFramesPerNodePerSec, 3)} msgs   ${int(t.streamBytesPerNodePerSec)} bytes`);
  row('total', `${int(r.totalMessages)} msgs   ${int(r.totalBytes)} bytes   ${int(r.eventsProcessed)} events`);
  const drops = Object.entries(r.drops).filter(([, n]) => n > 0);
  row('dropped', drops.length === 0 ? 'none' : drops.map(([k, n]) => `${k} ${int(n)}`).join(', '));
  if (r.wallMs !== null) {
    row('wall time', `${fixed(r.wallMs / 1000, 1)} s   (${int(r.simMsgsPerWallSec ?? 0)} simulated msgs per wall s, ${int(r.eventsPerWallSec ?? 0)} events/s)`);
  }
  row('result', r.violations.length === 0 ? 'PASS' : `FAIL: ${r.violations.join('; ')}`);
  return lines;
}

function sampleStillLive(r: MembershipRunReport): string {
  const s = r.detection.subjects.find((x) => x.stillLiveInView > 0);
  return s === undefined ? '' : `${s.member} in ${s.stillLiveSample.slice(0, 3).join(', ')}`;
}

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

function ms(n: number): string {
  return Number.isFinite(n) ? int(n) : 'never';
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}
