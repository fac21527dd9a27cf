/**
 * The dashboard's embedded assets: the script parses, every element it looks up by id exists in
 * the page, and the page loads nothing from elsewhere (no CDN: the nodes may have no internet).
 */
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { describe, it } from 'node:test';
import { dashboardCss } from '../../src/api/dashboard/assets/dashboard-css.js';
import { dashboardJs } from '../../src/api/dashboard/assets/dashboard-js.js';
import { indexHtml } from '../../src/api/dashboard/assets/index-html.js';

describe('dashboard assets', () => {
  it('the script is valid JavaScript', () => {
    assert.doesNotThrow(() => new Script(dashboardJs, { filename: 'dashboard.js' }));
  });

  it('every id the script looks up exists in the page, exactly once', () => {
    const ids = new Set([...dashboardJs.matchAll(/\$\('([\w-]+)'\)/g)].map((m) => m[1]!));
    assert.ok(ids.size >= 15, `ids used: ${[...ids].join(', ')}`);
    for (const id of ids) assert.equal(indexHtml.split(`id="${id}"`).length - 1, 1, `#${id} in index.html`);
  });

  it('loads only same-origin resources', () => {
    for (const [name, text] of [['index.html', indexHtml], ['dashboard.css', dashboardCss], ['dashboard.js', dashboardJs]] as const) {
      assert.doesNotMatch(text, /(src|href)="(https?:)?\/\//, name);
      assert.doesNotMatch(text, /@import|url\(\s*['"]?https?:/, name);
    }
    assert.doesNotMatch(dashboardJs, /fetch\(\s*'https?:/);
  });
});
