/**
 * `ringkv grade [mp1|mp2|all] [--protocol swim|gossip] [--seed S] [--runs K] [--dbg-log DIR]`: runs
 * the course's graded scenarios in the simulator for seeds S..S+K-1 and grades each run's dbg.log
 * exactly as the original Grader.sh (MP1, 90 points) and KVStoreGrader.sh (MP2, 90 points) would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { GradedRun } from '../report/grade-report.js';
import { formatMp1Report, mp1MaxPoints, mp1Scenarios, type Mp1ScenarioGrade } from '../../sim/seed/mp1-grader.js';
import { runMp1Scenario, type Mp1Protocol } from '../../sim/seed/mp1-scenario.js';
import { formatMp2Report, mp2MaxPoints, mp2Tests, type Mp2TestGrade } from '../../sim/seed/mp2-grader.js';
import { runMp2Test } from '../../sim/seed/mp2-scenario.js';
import { parseChoiceOption, parseIntegerOption } from './options.js';
import { parseReportFile, typedCommand, writeReportFile } from '../report/report-file.js';

interface GradeOptions {
  readonly protocol: Mp1Protocol;
  readonly seed: number;
  readonly runs: number;
  readonly dbgLog?: string;
}

type Print = (line: string) => void;
/** Receives every graded scenario / test with its dbg.log (for --report). */
type Collect = (run: GradedRun) => void;

function logDir(options: GradeOptions, seed: number): string | undefined {
  if (options.dbgLog === undefined) return undefined;
  const dir = options.runs === 1 ? options.dbgLog : join(options.dbgLog, `seed-${seed}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function describeMp1(grades: readonly Mp1ScenarioGrade[]): string {
  const short = { singlefailure: 'single', multifailure: 'multi', msgdropsinglefailure: 'msgdrop' } as const;
  return grades
    .map((g) => `${short[g.scenario]} ${g.points}/${g.max} (${g.checks.map((c) => `${c.name.toLowerCase()} ${c.points}`).join(', ')})`)
    .join(' | ');
}

function describeMp2(grades: readonly Mp2TestGrade[]): string {
  return grades.map((g) => `${g.test} ${g.points}/${g.max}${g.points === g.max ? '' : ` (${g.checks.map((c) => `${c.name.toLowerCase()} ${c.points}/${c.max} counted ${c.counted}`).join(', ')})`}`).join(' | ');
}

/** One seed of MP1: three scenarios. Returns the points. */
function runMp1Seed(options: GradeOptions, seed: number, print: Print, collect: Collect | undefined): number {
  const dir = logDir(options, seed);
  const grades = mp1Scenarios.map((scenario) => {
    const result = runMp1Scenario({ scenario, seed, protocol: options.protocol });
    if (dir !== undefined) writeFileSync(join(dir, `${scenario}.dbg.log`), result.log);
    const g = result.grade;
    collect?.({ suite: 'mp1', seed, name: scenario, points: g.points, max: g.max, checks: g.checks, log: result.log });
    return g;
  });
  const total = grades.reduce((s, g) => s + g.points, 0);
  print(options.runs === 1 ? formatMp1Report(grades) : `mp1 seed ${seed}: ${describeMp1(grades)} => ${total}/${mp1MaxPoints}`);
  return total;
}

/** One seed of MP2: four tests. Returns the points. */
function runMp2Seed(options: GradeOptions, seed: number, print: Print, collect: Collect | undefined): number {
  const dir = logDir(options, seed);
  const grades = mp2Tests.map((test) => {
    const result = runMp2Test({ test, seed });
    if (dir !== undefined) writeFileSync(join(dir, `${test}.dbg.log`), result.log);
    const g = result.grade;
    collect?.({ suite: 'mp2', seed, name: test, points: g.points, max: g.max, checks: g.checks, log: result.log });
    return g;
  });
  const total = grades.reduce((s, g) => s + g.points, 0);
  print(options.runs === 1 ? formatMp2Report(grades) : `mp2 seed ${seed}: ${describeMp2(grades)} => ${total}/${mp2MaxPoints}`);
  return total;
}

/**
 * Runs the chosen suites for K seeds and prints the summary lines; returns true if every run was
 * perfect. `collect` (for --report) receives every graded scenario / test with its dbg.log.
 */
export function grade(suite: 'mp1' | 'mp2' | 'all', options: GradeOptions, print: Print, collect?: Collect): boolean {
  let perfect1 = 0;
  let perfect2 = 0;
  let perfectBoth = 0;
  for (let run = 0; run < options.runs; run++) {
    const seed = options.seed + run;
    const p1 = suite === 'mp2' ? mp1MaxPoints : runMp1Seed(options, seed, print, collect);
    const p2 = suite === 'mp1' ? mp2MaxPoints : runMp2Seed(options, seed, print, collect);
    if (p1 === mp1MaxPoints) perfect1++;
    if (p2 === mp2MaxPoints) perfect2++;
    if (p1 + p2 === mp1MaxPoints + mp2MaxPoints) perfectBoth++;
  }
  if (suite !== 'mp2') print(`mp1: ${options.runs} runs, ${perfect1} at ${mp1MaxPoints}/${mp1MaxPoints}`);
  if (suite !== 'mp1') print(`mp2: ${options.runs} runs, ${perfect2} at ${mp2MaxPoints}/${mp2MaxPoints}`);
  const max = mp1MaxPoints + mp2MaxPoints;
  if (suite === 'all') print(`grade: ${options.runs} runs, ${perfectBoth} at ${max}/${max}`);
  return perfectBoth === options.runs;
}

export function registerGradeCommand(program: Command): void {
  program
    .command('grade')
    .description("run the course's graded scenarios (MP1 membership, MP2 key-value) in the simulator and grade them as the original scripts do")
    .argument('[suite]', 'mp1, mp2, or all', 'all')
    .option('--protocol <name>', 'membership protocol for mp1: swim or gossip', 'swim')
    .option('--seed <n>', 'first seed (runs use seeds S..S+K-1)', '1')
    .option('--runs <k>', 'how many seeds to run', '1')
    .option('--dbg-log <dir>', 'write the original dbg.log files into DIR (DIR/seed-S/ when --runs > 1)')
    .option('--report <file>', 'write an HTML report to FILE: the grade table and, per scenario / test, a timeline of joins and removals (docs/reports.md)')
    .action(async (suiteArg: string, raw: Record<string, string | undefined>) => {
      const suite = parseChoiceOption('suite', suiteArg, ['mp1', 'mp2', 'all'] as const);
      const options: GradeOptions = {
        protocol: parseChoiceOption('--protocol', raw['protocol'] ?? 'swim', ['swim', 'gossip'] as const),
        seed: parseIntegerOption('--seed', raw['seed'] ?? '1', 0, 2 ** 32 - 1),
        runs: parseIntegerOption('--runs', raw['runs'] ?? '1', 1, 100_000),
        ...(raw['dbgLog'] === undefined ? {} : { dbgLog: raw['dbgLog'] }),
      };
      const reportFile = parseReportFile(raw);
      if (reportFile === undefined) {
        const allPerfect = grade(suite, options, (line) => process.stdout.write(`${line}\n`));
        process.exitCode = allPerfect ? 0 : 1;
        return;
      }
      // The renderer is loaded only when a report is asked for.
      const { GradeReportCollector, gradeReportHtml } = await import('../report/grade-report.js');
      const collector = new GradeReportCollector();
      const printed: string[] = [];
      const allPerfect = grade(
        suite,
        options,
        (line) => {
          printed.push(line);
          process.stdout.write(`${line}\n`);
        },
        (run) => collector.add(run),
      );
      const last = options.seed + options.runs - 1;
      const html = await gradeReportHtml(collector.runs, {
        command: typedCommand(),
        seeds: options.runs === 1 ? String(options.seed) : `${options.seed}..${last}`,
        summary: printed.flatMap((p) => p.split('\n')),
        totalRuns: collector.total,
      });
      writeReportFile(reportFile, html);
      process.stdout.write(`report written to ${reportFile}\n`);
      process.exitCode = allPerfect ? 0 : 1;
    });
}
