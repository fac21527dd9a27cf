/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough to check that
 * `/metrics` parses: every sample line is `name{labels} value`, every family has one HELP and one
 * TYPE before its samples, label values are properly quoted and escaped, values are numbers.
 * Returns the families with their type and samples; throws with the line number on any violation.
 */
export interface PromFamily {
  readonly name: string;
  type: string;
  help: string;
  readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)\s*/y;
const suffixes = ['_bucket', '_sum', '_count', '_total', '_created', '_info'];

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (m === null) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!nameRe.test(name)) throw new Error(`bad metric name, ${where}`);
      const f = families.get(name) ?? { name, type: '', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (f.type !== '') throw new Error(`second TYPE, ${where}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type, ${where}`);
        f.type = rest;
      } else f.help = rest;
      families.set(name, f);
      return;
    }
    const m = sampleRe.exec(line);
    if (m === null) throw new Error(`not a sample, ${where}`);
    const [, name, , labelText, valueText] = m as unknown as [string, string, string | undefined, string | undefined, string];
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : valueText === 'NaN' ? NaN : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value, ${where}`);
    const labels: Record<string, string> = {};
    if (labelText !== undefined && labelText !== '') {
      labelRe.lastIndex = 0;
      while (labelRe.lastIndex < labelText.length) {
        const lm = labelRe.exec(labelText);
        if (lm === null) throw new Error(`bad labels, ${where}`);
        labels[lm[1]!] = lm[2]!;
      }
    }
    const base = families.has(name) ? name : suffixes.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find((b) => b !== '' && families.has(b));
    if (base === undefined) throw new Error(`sample without a TYPE line, ${where}`);
    families.get(base)!.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === '') throw new Error(`family ${f.name} has HELP but no TYPE`);
  return families;
}
