/**
 * Grades an MP1 dbg.log exactly as the course's Grader.sh does (original-framework.md §7.1): the
 * same greps, cuts and counts, reimplemented over the log text so that a run graded here gets the
 * points the original script would give it.
 *
 * Grader.sh uses `grep PATTERN` with the failed node's address as a basic regular expression, so
 * '.' matches any character; we build the same regular expressions.
 */

/** The three graded MP1 scenarios, named as the original test-case files. */
export type Mp1Scenario = 'singlefailure' | 'multifailure' | 'msgdropsinglefailure';

export const mp1Scenarios: readonly Mp1Scenario[] = ['singlefailure', 'multifailure', 'msgdropsinglefailure'];

/** One "Checking X....n/m" line. */
export interface Mp1Check {
  readonly name: 'Join' | 'Completeness' | 'Accuracy';
  readonly points: number;
  readonly max: number;
  /** The text Grader.sh prints after the dots (it misprints 10/10 for a 15-point join on one path). */
  readonly shown: string;
}

/** The grade of one scenario's log. */
export interface Mp1ScenarioGrade {
  readonly scenario: Mp1Scenario;
  readonly checks: readonly Mp1Check[];
  readonly points: number;
  readonly max: number;
  /** Addresses of the nodes the log says failed. */
  readonly failedNodes: readonly string[];
}

/** Points per scenario in Grader.sh. */
export const mp1MaxPoints = 90;

/** Field `n` (1-based) of `line` split on single spaces, as `cut -d" " -f n`. */
function field(line: string, n: number): string {
  return line.split(' ')[n - 1] ?? '';
}

/** Fields from..to (1-based, inclusive) joined by spaces, as `cut -d" " -f a-b`. */
function fields(line: string, from: number, to: number): string {
  return line.split(' ').slice(from - 1, to).join(' ');
}

/** `sort -u` of lines. */
function uniqueLines(lines: readonly string[]): string[] {
  return [...new Set(lines)].sort();
}

/** Grader.sh greps with the address as a basic regular expression ('.' matches any character). */
function grepRegex(address: string): RegExp {
  return new RegExp(address);
}

function logLines(text: string): string[] {
  return text.split('\n');
}

/** The join check, 10 or 15 points (msg-drop scenario), exactly as Grader.sh computes it. */
function gradeJoin(lines: readonly string[], max: number): Mp1Check {
  const joined = lines.filter((l) => l.includes('joined'));
  const pairs = new Set(joined.map((l) => `${field(l, 2)} ${fields(l, 4, 7)}`));
  if (pairs.size === 100) {
    // Grader.sh prints "10/10" on this path even when it awards 15.
    return { name: 'Join', points: max, max, shown: '10/10' };
  }
  const observers = uniqueLines(joined.map((l) => field(l, 2)));
  let complete = 0;
  for (const observer of observers) {
    const prefix = new RegExp(`^ ${observer}`);
    const self = grepRegex(observer);
    const seen = new Set(
      joined
        .filter((l) => prefix.test(l))
        .map((l) => fields(l, 4, 7))
        .filter((l) => !self.test(l)),
    );
    if (seen.size === 9) complete++;
  }
  const points = complete === 10 ? max : 0;
  return { name: 'Join', points, max, shown: `${points}/${max}` };
}

/** Grades one scenario's dbg.log text. */
export function gradeMp1Log(scenario: Mp1Scenario, text: string): Mp1ScenarioGrade {
  const lines = logLines(text);
  const failedNodes = uniqueLines(lines.filter((l) => l.includes('Node failed at time'))).map(
    (l) => l.trim().split(/\s+/)[0] ?? '',
  );
  const removed = uniqueLines(lines.filter((l) => l.includes('removed')));
  const checks: Mp1Check[] = [];
  if (scenario === 'multifailure') {
    checks.push(gradeJoin(lines, 10));
    let completeness = 0;
    let iterations = 0;
    for (const node of failedNodes) {
      const re = grepRegex(node);
      if (removed.filter((l) => re.test(l)).length >= 5) completeness += 2;
      iterations++;
      if (iterations > 5) break;
    }
    checks.push({ name: 'Completeness', points: completeness, max: 10, shown: `${completeness}/10` });
    let accuracy = 0;
    for (const node of failedNodes) {
      const re = grepRegex(node);
      if (removed.filter((l) => !re.test(l)).length === 20) accuracy += 2;
      if (accuracy > 9) break;
    }
    checks.push({ name: 'Accuracy', points: accuracy, max: 10, shown: `${accuracy}/10` });
  } else {
    const dropScenario = scenario === 'msgdropsinglefailure';
    checks.push(gradeJoin(lines, dropScenario ? 15 : 10));
    // With one failed node Grader.sh's `grep $failednode` uses that one address; with none, grep
    // gets no pattern and matches nothing useful, so completeness fails.
    const failed = failedNodes.length === 1 ? failedNodes[0]! : undefined;
    const re = failed === undefined ? undefined : grepRegex(failed);
    const failCount = re === undefined ? 0 : removed.filter((l) => re.test(l)).length;
    const completenessMax = dropScenario ? 15 : 10;
    const completeness = failCount >= 9 ? completenessMax : 0;
    checks.push({ name: 'Completeness', points: completeness, max: completenessMax, shown: `${completeness}/${completenessMax}` });
    if (!dropScenario) {
      const wrong = re === undefined ? removed.length : removed.filter((l) => !re.test(l)).length;
      const accuracy = wrong === 0 && failCount > 0 ? 10 : 0;
      checks.push({ name: 'Accuracy', points: accuracy, max: 10, shown: `${accuracy}/10` });
    }
  }
  const points = checks.reduce((sum, c) => sum + c.points, 0);
  return { scenario, checks, points, max: 30, failedNodes };
}

const scenarioTitles: Record<Mp1Scenario, string> = {
  singlefailure: 'Single Failure Scenario',
  multifailure: 'Multi Failure Scenario',
  msgdropsinglefailure: 'Message Drop Single Failure Scenario',
};

/** The check line as Grader.sh prints it: name, dots to column 31, points. */
export function formatCheck(check: Mp1Check): string {
  const label = `Checking ${check.name}`;
  return `${label}${'.'.repeat(Math.max(1, 31 - label.length))}${check.shown}`;
}

/** The whole Grader.sh output for three scenario grades, ending with "Final grade N". */
export function formatMp1Report(grades: readonly Mp1ScenarioGrade[]): string {
  const bar = '============================================';
  const out = [bar, 'Grading Started', bar];
  grades.forEach((grade, i) => {
    if (i > 0) out.push(bar);
    out.push(scenarioTitles[grade.scenario], '============================');
    for (const check of grade.checks) out.push(formatCheck(check));
  });
  out.push(bar, `Final grade ${grades.reduce((s, g) => s + g.points, 0)}`);
  return out.join('\n');
}
