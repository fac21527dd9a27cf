/**
 * The report page: one self-contained HTML file (inline CSS, inline SVG, no script, nothing
 * fetched), with a header (command, replay command, seed, the summary the CLI printed) and one
 * section per chart. Every string from outside is escaped; SVG comes from render-svg.ts.
 */

/** Text made safe for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** HTML built by a report module from escaped parts (e.g. a table), marked so it is not escaped again. */
export interface TrustedHtml {
  readonly html: string;
}

/** One section: a heading, how to read it, then a chart (SVG) or a note, and optional HTML. */
export interface ReportSection {
  readonly id: string;
  readonly title: string;
  /** How to read the chart, in plain text (escaped). */
  readonly about: string;
  /** The chart, from renderSvg; omitted when there is nothing to draw (then `note` says why). */
  readonly svg?: string;
  readonly note?: string;
  readonly extra?: TrustedHtml;
}

/** The whole page. */
export interface ReportPage {
  readonly title: string;
  /** The command as it was typed. */
  readonly command: string;
  /** The command that replays the run bit for bit, when it differs from `command`. */
  readonly replay?: string;
  readonly seed: string;
  /** The lines the CLI printed (its summary), shown as is. */
  readonly summary: readonly string[];
  readonly sections: readonly ReportSection[];
}

const css = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 12px; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; font-family: Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
pre.summary { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 10px 12px; font-size: 12px; overflow-x: auto; }
p.about { color: #444; margin: 0 0 8px; max-width: 900px; }
p.note { color: #8a5a00; background: #fff8e6; border: 1px solid #f0dca8; padding: 6px 10px; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
nav ul { columns: 2; margin: 6px 0 0; padding-left: 18px; }
table.grades { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.grades th, table.grades td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
table.grades th { background: #f2f2f2; font-weight: normal; color: #555; }
table.grades td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.grades tr.short td { background: #fff1f0; }
`;

function checkedSvg(svg: string): string {
  if (!svg.startsWith('<svg') || /<script|<foreignObject|\son[a-z]+=/i.test(svg)) throw new Error('refusing to inline an SVG that is not a plain vega drawing');
  return svg;
}

function section(s: ReportSection): string {
  const parts = [`<section id="${escapeHtml(s.id)}">`, `<h2>${escapeHtml(s.title)}</h2>`, `<p class="about">${escapeHtml(s.about)}</p>`];
  if (s.note !== undefined) parts.push(`<p class="note">${escapeHtml(s.note)}</p>`);
  if (s.svg !== undefined) parts.push(`<figure>${checkedSvg(s.svg)}</figure>`);
  if (s.extra !== undefined) parts.push(s.extra.html);
  parts.push('</section>');
  return parts.join('\n');
}

/** The page as HTML text. */
export function reportPage(page: ReportPage): string {
  const facts: [string, string][] = [['command', page.command]];
  if (page.replay !== undefined && page.replay !== page.command) facts.push(['replay', page.replay]);
  facts.push(['seed', page.seed]);
  const nav = page.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(page.title)}</h1>`,
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`,
    `<pre class="summary">${escapeHtml(page.summary.join('\n'))}</pre>`,
    `<nav><ul>${nav}</ul></nav>`,
    ...page.sections.map(section),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
