/**
 * Grades MP2 dbg.log files exactly as the course's KVStoreGrader.sh does (original-framework.md
 * §7.2): case-insensitive phrase matches ("create success", "read fail", ...), keys and values
 * matched as case-sensitive substrings, operation times taken from the `[t]` field and sorted as
 * text, successes and failures bucketed into the test windows between operation times.
 */

/** The four MP2 test cases, named as the original .conf files. */
export type Mp2Test = 'create' | 'delete' | 'read' | 'update';

export const mp2Tests: readonly Mp2Test[] = ['create', 'delete', 'read', 'update'];

/** One "TEST n SCORE....: p / m" line. */
export interface Mp2Check {
  readonly name: string;
  readonly points: number;
  readonly max: number;
  /** What the grader counted, for the report. */
  readonly counted: number;
}

export interface Mp2TestGrade {
  readonly test: Mp2Test;
  readonly checks: readonly Mp2Check[];
  readonly points: number;
  readonly max: number;
}

/** Points of the whole MP2 suite. */
export const mp2MaxPoints = 90;

const invalidKey = 'invalidKey';

/** Field n (1-based) of a line split on single spaces, as `cut -d" " -f n`. */
function field(line: string, n: number): string {
  return line.split(' ')[n - 1] ?? '';
}

/** The tick of a log line: its `[t]` field. */
function timeOf(line: string): number {
  return Number.parseInt(field(line, 3).replace('[', '').replace(']', ''), 10);
}

function matching(lines: readonly string[], phrase: string): string[] {
  const lower = phrase.toLowerCase();
  return lines.filter((l) => l.toLowerCase().includes(lower));
}

function gradeCreate(lines: readonly string[]): Mp2Check[] {
  const ops = matching(lines, 'CREATE OPERATION');
  const successes = matching(lines, 'create success');
  let ok = successes.length === ops.length * 4;
  if (ok) {
    for (const op of ops) {
      const key = field(op, 7);
      if (successes.filter((l) => l.includes(key)).length !== 4) {
        ok = false;
        break;
      }
    }
  }
  return [{ name: 'TEST 1', points: ok ? 3 : 0, max: 3, counted: successes.length }];
}

function gradeDelete(lines: readonly string[]): Mp2Check[] {
  const ops = matching(lines, 'DELETE OPERATION');
  const successes = matching(lines, 'delete success');
  let ok = successes.length === (ops.length - 1) * 4;
  if (ok) {
    for (const op of ops) {
      const key = field(op, 7);
      if (key === invalidKey) continue;
      if (successes.filter((l) => l.includes(key)).length !== 4) {
        ok = false;
        break;
      }
    }
  }
  const invalidFails = matching(lines, 'delete fail').filter((l) => l.includes(invalidKey)).length;
  return [
    { name: 'TEST 1', points: ok ? 3 : 0, max: 3, counted: successes.length },
    { name: 'TEST 2', points: invalidFails === 4 ? 4 : 0, max: 4, counted: invalidFails },
  ];
}

/** READ and UPDATE share the grader's logic; only the phrases differ. */
function gradeReadOrUpdate(lines: readonly string[], verb: 'read' | 'update'): Mp2Check[] {
  const opPhrase = `${verb.toUpperCase()} OPERATION`;
  const ops = matching(lines, opPhrase);
  // `cut -f3 | tr | sort`: the op times, sorted as text (fine for the 3-digit times used).
  const times = ops.map((l) => field(l, 3).replace('[', '').replace(']', '')).sort();
  const opAt = (time: string | undefined): string | undefined => (time === undefined ? undefined : ops.find((l) => l.includes(time)));
  const t = times.map((s) => Number.parseInt(s, 10));
  const [t1, t2, t3a, t3b, t4, t5] = [t[0] ?? NaN, t[1] ?? NaN, t[2] ?? NaN, t[3] ?? NaN, t[4] ?? NaN, t[5] ?? NaN];
  const first = opAt(times[0]);
  const key1 = first === undefined ? '' : field(first, 7);
  const value1 = first === undefined ? '' : field(first, 9);
  const third = opAt(times[2]);
  const key3 = third === undefined ? '' : field(third, 7);

  let s1 = 0;
  let s2 = 0;
  let s3b = 0;
  let s4 = 0;
  for (const line of matching(lines, `${verb} success`)) {
    if (!line.includes(key1) || !line.includes(value1)) continue;
    const at = timeOf(line);
    if (at >= t1 && at < t2) s1++;
    else if (at >= t2 && at < t3a) s2++;
    else if (at >= t3b && at < t4) s3b++;
    else if (at >= t4) s4++;
  }
  let f3a = 0;
  let f5 = 0;
  for (const line of matching(lines, `${verb} fail`)) {
    const at = timeOf(line);
    if (at >= t3a && at < t3b) {
      if (line.includes(key3)) f3a++;
    } else if (at >= t5 && line.includes(invalidKey)) f5++;
  }
  const quorumOrAll = (n: number): boolean => n === 3 || n === 4;
  return [
    { name: 'TEST 1', points: quorumOrAll(s1) ? 3 : 0, max: 3, counted: s1 },
    { name: 'TEST 2', points: s2 === 3 ? 9 : 0, max: 9, counted: s2 },
    { name: 'TEST 3 PART 1', points: f3a === 1 ? 9 : 0, max: 9, counted: f3a },
    { name: 'TEST 3 PART 2', points: quorumOrAll(s3b) ? 10 : 0, max: 10, counted: s3b },
    { name: 'TEST 4', points: quorumOrAll(s4) ? 6 : 0, max: 6, counted: s4 },
    { name: 'TEST 5', points: quorumOrAll(f5) ? 3 : 0, max: 3, counted: f5 },
  ];
}

/** Grades one test's dbg.log text. */
export function gradeMp2Log(test: Mp2Test, text: string): Mp2TestGrade {
  const lines = text.split('\n');
  const checks =
    test === 'create' ? gradeCreate(lines) : test === 'delete' ? gradeDelete(lines) : gradeReadOrUpdate(lines, test);
  return {
    test,
    checks,
    points: checks.reduce((s, c) => s + c.points, 0),
    max: checks.reduce((s, c) => s + c.max, 0),
  };
}

/** The grader's output, in its own style, ending with "TOTAL GRADE: n / 90". */
export function formatMp2Report(grades: readonly Mp2TestGrade[]): string {
  const out: string[] = [];
  for (const grade of grades) {
    out.push('', '############################', ` ${grade.test.toUpperCase()} TEST`, '############################', '');
    for (const check of grade.checks) out.push(`${check.name} SCORE..................: ${check.points} / ${check.max}`);
  }
  out.push('', `TOTAL GRADE: ${grades.reduce((s, g) => s + g.points, 0)} / ${mp2MaxPoints}`);
  return out.join('\n');
}
