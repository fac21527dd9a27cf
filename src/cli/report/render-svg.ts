/**
 * Renders a vega-lite spec to an SVG string on the server (no browser, no canvas): vega-lite
 * compiles it to vega, a headless vega View draws it. The SVG is meant to be inlined in an HTML
 * page next to others, so its element ids are made unique with a per-chart prefix.
 */
import { View, Warn, logger, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Where vega and vega-lite warnings go (default: dropped; tests collect them). */
export type WarningSink = (message: string) => void;

let chartCount = 0;

/** Prefixes every id in `svg` (and each reference to one) with `prefix`. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
}

/** The chart as an SVG document fragment (`<svg ...>...</svg>`). */
export async function renderSvg(spec: TopLevelSpec, onWarning: WarningSink = () => undefined): Promise<string> {
  const log = logger(Warn, 'warn', (_method, level, args) => onWarning(`${level} ${args.map(String).join(' ')}`));
  const compiled = compile(spec, { logger: log }).spec;
  const view = new View(parse(compiled), { renderer: 'none', logger: log });
  try {
    const svg = await view.toSVG();
    return scopeSvgIds(svg, `c${++chartCount}-`);
  } finally {
    view.finalize();
  }
}
