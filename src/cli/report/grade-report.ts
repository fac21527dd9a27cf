/**
 * `ringkv grade --report FILE`: the grade table of every graded run, and for the first seeds one
 * membership timeline per scenario / test (who joined when, who removed whom when), read back
 * from the run's dbg.log.
 */
import { mp1DropFirstTick, mp1DropLastTick, mp1DropProbability } from '../../sim/seed/mp1-scenario.js';
import { gradeTimelineChart, type TickSpan } from './charts-grade.js';
import { parseDbgLog, timelineOf } from './grade-data.js';
import { renderSvg, type WarningSink } from './render-svg.js';
import { escapeHtml, reportPage, type ReportSection } from './report-html.js';

/** Seeds whose runs get timelines (all runs get a row in the table). */
export const gradeTimelineSeedsMax = 3;
/** Rows of the grade table; further runs are counted, not listed. */
export const gradeTableRowsMax = 1_000;

/** One graded scenario (mp1) or test (mp2) of one seed. */
export interface GradedRun {
  readonly suite: 'mp1' | 'mp2';
  readonly seed: number;
  /** Scenario (mp1) or test (mp2) name. */
  readonly name: string;
  readonly points: number;
  readonly max: number;
  readonly checks: readonly { readonly name: string; readonly points: number; readonly max: number }[];
  /** The run's dbg.log; kept only for the runs that get a timeline. */
  readonly log: string | null;
}

/** Collects graded runs as `grade` produces them, keeping logs only for the first seeds. */
export class GradeReportCollector {
  readonly runs: GradedRun[] = [];
  /** Runs added, listed or not. */
  total = 0;
  private readonly seedsWithLogs = new Set<number>();

  add(run: GradedRun): void {
    this.total++;
    const keep = this.seedsWithLogs.has(run.seed) || this.seedsWithLogs.size < gradeTimelineSeedsMax;
    if (keep) this.seedsWithLogs.add(run.seed);
    if (this.runs.length < gradeTableRowsMax || keep) this.runs.push(keep ? run : { ...run, log: null });
  }
}

/** What the page says about how the runs were made. */
export interface GradeReportContext {
  readonly command: string;
  readonly seeds: string;
  /** What the command printed. */
  readonly summary: readonly string[];
  readonly totalRuns: number;
  readonly onWarning?: WarningSink;
}

/** Chart titles start with this (tests look for it). */
export const gradeTimelineTitlePrefix = 'Membership timeline';

const aboutTable = 'Points per scenario (mp1) or test (mp2) as the course graders award them, check by check. Rows short of full points are shaded.';
const aboutTimeline =
  'One row per node, x = course ticks (one tick = 100 virtual ms). Left: when each node started, joined the group, and learned that others joined ("+k": k joins at that tick). ' +
  'Right, zoomed on the failures: dashed rules and crosses where nodes failed, red triangles where a node removed others from its list ("−3,4": it removed nodes 3 and 4). ' +
  'A correct run removes every failed node in every survivor, and nothing else.';

function gradeTable(runs: readonly GradedRun[], total: number): string {
  const rows = runs.map((r) => {
    const checks = r.checks.map((c) => `${c.name} ${c.points}/${c.max}`).join(', ');
    const cls = r.points < r.max ? ' class="short"' : '';
    return `<tr${cls}><td>${escapeHtml(r.suite)}</td><td class="num">${r.seed}</td><td>${escapeHtml(r.name)}</td><td>${escapeHtml(checks)}</td><td class="num">${r.points}/${r.max}</td></tr>`;
  });
  const more = total > runs.length ? `<p class="about">${escapeHtml(`${total - runs.length} more runs are not listed (see the summary above).`)}</p>` : '';
  return `<table class="grades"><thead><tr><th>suite</th><th>seed</th><th>scenario / test</th><th>checks</th><th>points</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

/** The message-drop window of the mp1 msgdropsinglefailure scenario. */
function lossWindowOf(run: GradedRun): TickSpan | null {
  if (run.suite !== 'mp1' || run.name !== 'msgdropsinglefailure') return null;
  return { fromTick: mp1DropFirstTick, toTick: mp1DropLastTick + 1, label: `${mp1DropProbability * 100}% of messages dropped` };
}

/** The grade report page. */
export async function gradeReportHtml(runs: readonly GradedRun[], ctx: GradeReportContext): Promise<string> {
  const sections: ReportSection[] = [{ id: 'grades', title: 'Grades', about: aboutTable, extra: { html: gradeTable(runs, ctx.totalRuns) } }];
  const withLogs = runs.filter((r) => r.log !== null);
  const seedsShown = new Set(withLogs.map((r) => r.seed));
  for (const run of withLogs) {
    const timeline = timelineOf(parseDbgLog(run.log!));
    const title = `${gradeTimelineTitlePrefix}: ${run.suite} ${run.name}, seed ${run.seed}`;
    const subtitle = `${run.points}/${run.max} points; ${timeline.failTicks.length === 0 ? 'no node failed' : `nodes failed at tick ${timeline.failTicks.join(', ')}`}`;
    const id = `${run.suite}-${run.name}-${run.seed}`;
    const svg = await renderSvg(gradeTimelineChart(title, subtitle, timeline, lossWindowOf(run)), ctx.onWarning);
    sections.push({ id, title: `${run.suite} ${run.name}, seed ${run.seed}`, about: aboutTimeline, svg });
  }
  const distinctSeeds = new Set(runs.map((r) => r.seed)).size;
  if (distinctSeeds > seedsShown.size) {
    sections.push({ id: 'more', title: 'Other seeds', about: '', note: `Timelines are drawn for the first ${seedsShown.size} seed(s) only; the table and the summary cover every run.` });
  }
  return reportPage({ title: 'ringkv grade report', command: ctx.command, seed: ctx.seeds, summary: ctx.summary, sections });
}
