/**
 * `ringkv grade mp1 [--protocol swim|gossip] [--seed S] [--runs K] [--dbg-log DIR]`: runs the course's
 * graded MP1 scenarios in the simulator for seeds S..S+K-1 and grades each run's dbg.log exactly as
 * the original Grader.sh would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatMp1Report, mp1MaxPoints, mp1Scenarios, type Mp1ScenarioGrade } from '../../sim/seed/mp1-grader.js';
import { runMp1Scenario, type Mp1Protocol } from '../../sim/seed/mp1-scenario.js';
import { parseIntegerOption, parseChoiceOption } from './options.js';

interface GradeOptions {
  readonly protocol: Mp1Protocol;
  readonly seed: number;
  readonly runs: number;
  readonly dbgLog?: string;
}

function shortName(grade: Mp1ScenarioGrade): string {
  return grade.scenario === 'singlefailure' ? 'single' : grade.scenario === 'multifailure' ? 'multi' : 'msgdrop';
}

function describeRun(seed: number, grades: readonly Mp1ScenarioGrade[]): string {
  const parts = grades.map(
    (g) => `${shortName(g)} ${g.points}/${g.max} (${g.checks.map((c) => `${c.name.toLowerCase()} ${c.points}`).join(', ')})`,
  );
  const total = grades.reduce((s, g) => s + g.points, 0);
  return `seed ${seed}: ${parts.join(' | ')} => ${total}/${mp1MaxPoints}`;
}

/** Runs K seeds of the three MP1 scenarios; returns how many scored full marks. */
export function gradeMp1(options: GradeOptions, print: (line: string) => void): number {
  let perfect = 0;
  for (let run = 0; run < options.runs; run++) {
    const seed = options.seed + run;
    const grades: Mp1ScenarioGrade[] = [];
    for (const scenario of mp1Scenarios) {
      const result = runMp1Scenario({ scenario, seed, protocol: options.protocol });
      grades.push(result.grade);
      if (options.dbgLog !== undefined) {
        const dir = options.runs === 1 ? options.dbgLog : join(options.dbgLog, `seed-${seed}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${scenario}.dbg.log`), result.log);
      }
    }
    const total = grades.reduce((s, g) => s + g.points, 0);
    if (total === mp1MaxPoints) perfect++;
    if (options.runs === 1) print(formatMp1Report(grades));
    else print(describeRun(seed, grades));
  }
  print(`mp1: ${options.runs} runs, ${perfect} at ${mp1MaxPoints}/${mp1MaxPoints}`);
  return perfect;
}

export function registerGradeCommand(program: Command): void {
  program
    .command('grade')
    .description("run the course's graded scenarios in the simulator and grade them as the original scripts do")
    .argument('[suite]', 'which suite: mp1', 'mp1')
    .option('--protocol <name>', 'membership protocol: swim or gossip', 'swim')
    .option('--seed <n>', 'first seed (runs use seeds S..S+K-1)', '1')
    .option('--runs <k>', 'how many seeds to run', '1')
    .option('--dbg-log <dir>', 'write <scenario>.dbg.log files in the original format into DIR (DIR/seed-S/ when --runs > 1)')
    .action((suite: string, raw: Record<string, string | undefined>) => {
      const choice = parseChoiceOption('suite', suite, ['mp1'] as const);
      const options: GradeOptions = {
        protocol: parseChoiceOption('--protocol', raw['protocol'] ?? 'swim', ['swim', 'gossip'] as const),
        seed: parseIntegerOption('--seed', raw['seed'] ?? '1', 0, 2 ** 32 - 1),
        runs: parseIntegerOption('--runs', raw['runs'] ?? '1', 1, 100_000),
        ...(raw['dbgLog'] === undefined ? {} : { dbgLog: raw['dbgLog'] }),
      };
      if (choice === 'mp1') {
        const perfect = gradeMp1(options, (line) => process.stdout.write(`${line}\n`));
        process.exitCode = perfect === options.runs ? 0 : 1;
      }
    });
}
