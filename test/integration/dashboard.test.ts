/**
 * The live dashboard in a real browser (Debian's Chromium driven by playwright-core): a 3-node
 * cluster of real `ringkv start` processes; node 1's dashboard shows three alive members, the ring
 * in three colours, key counts from every node and the request rate; after `kill -9` of node 3
 * the page shows it dead and lists the dead event. A screenshot of that state is saved to
 * test-output/dashboard/dashboard-dead-node.png.
 *
 * Chromium is a test dependency like redis-cli (scripts/setup-test-deps.sh installs it): when
 * /usr/bin/chromium is missing this test FAILS rather than skipping.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { LocalCluster, memberStates, waitFor } from '../helpers/local-cluster.js';

// The page functions below run in the browser; the project compiles without the DOM library.
declare const document: {
  querySelectorAll(selector: string): { readonly length: number };
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

const chromiumPath = '/usr/bin/chromium';
const outputDir = join('test-output', 'dashboard');
const screenshotPath = join(outputDir, 'dashboard-dead-node.png');
const uiTimeoutMs = 30_000;

describe('the dashboard in a browser', { timeout: 180_000 }, () => {
  const cluster = new LocalCluster('dashboard');
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: run scripts/setup-test-deps.sh (apt-get install chromium)`);
    await cluster.add('n1', { join: null });
    await cluster.add('n2');
    await cluster.add('n3');
    await waitFor('n1 to see 3 alive members', async () => [...(await memberStates(cluster.node('n1').info.http!)).values()].filter((s) => s === 'alive').length === 3);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(uiTimeoutMs);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await cluster.destroy();
  });

  it('shows three alive members, the ring in three colours, key counts and the request rate', async () => {
    const http = cluster.node('n1').info.http!;
    const res = await page.goto(`http://${http}/`);
    assert.equal(res?.status(), 200);
    await page.waitForFunction(() => document.querySelectorAll('[data-member][data-state="alive"]').length === 3, null, { timeout: uiTimeoutMs });
    await page.waitForSelector('#connection[data-connection="ok"]');
    assert.equal(await page.textContent('#node-name'), 'n1');
    assert.equal(await page.getAttribute('[data-member="n1"]', 'data-self'), 'true');

    await page.waitForFunction(() => document.querySelectorAll('#ring path[data-ring-node]').length === 3, null, { timeout: uiTimeoutMs });
    const fills = await page.$$eval('#ring path[data-ring-node]', (paths) => paths.map((p) => p.getAttribute('fill')));
    assert.equal(new Set(fills).size, 3, `three distinct colours, got ${fills.join(', ')}`);
    const shares = await page.$$eval('#ring-legend [data-legend-node] .share', (els) => els.map((e) => parseFloat(e.textContent ?? '')));
    assert.equal(shares.length, 3);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.5, `shares sum to 100%: ${shares.join(', ')}`);

    // Writes through n1: the rate and every node's key count (N = 3: all hold every key) move.
    for (let i = 0; i < 30; i++) {
      const put = await fetch(`http://${http}/v1/kv/dash-${i}`, { method: 'PUT', body: `value ${i}`, signal: AbortSignal.timeout(5_000) });
      assert.equal(put.status, 200);
    }
    await page.waitForFunction(() => Number(document.querySelector('#ops-total')?.getAttribute('data-total')) >= 30, null, { timeout: uiTimeoutMs });
    await page.waitForFunction(
      () => ['n1', 'n2', 'n3'].every((n) => Number(document.querySelector(`[data-node-keys="${n}"]`)?.getAttribute('data-keys')) >= 30),
      null,
      { timeout: uiTimeoutMs },
    );
    await page.waitForSelector('#events [data-event-type="join"]');
  });

  it('shows node 3 dead after kill -9, with the dead event, and saves a screenshot', async () => {
    await cluster.node('n3').process.stop('SIGKILL');
    await page.waitForSelector('[data-member="n3"][data-state="dead"]', { timeout: uiTimeoutMs });
    await page.waitForSelector('#events [data-event-type="dead"][data-event-member="n3"]', { timeout: uiTimeoutMs });
    assert.equal(await page.locator('[data-member][data-state="alive"]').count(), 2);
    // The key counts come from the fan-out's own poll: n3 goes unreachable, then is not asked.
    await page.waitForSelector('[data-node-keys="n3"][data-status="skipped"]');
    // The ring this node routes by drops the dead node.
    await page.waitForFunction(() => document.querySelectorAll('#ring path[data-ring-node]').length === 2, null, { timeout: uiTimeoutMs });
    assert.equal(await page.getAttribute('#connection', 'data-connection'), 'ok');
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    assert.ok(statSync(screenshotPath).size > 10_000, 'a real screenshot');
    assert.deepEqual(pageErrors, []);
  });

  it('shows "connection lost" when its own node goes down', async () => {
    await cluster.node('n1').process.stop('SIGKILL');
    await page.waitForSelector('#connection[data-connection="lost"]', { timeout: uiTimeoutMs });
    assert.equal(await page.isVisible('#banner'), true);
    assert.match((await page.textContent('#banner')) ?? '', /Connection lost/);
    assert.deepEqual(pageErrors, []);
  });
});

describe('the dashboard of a node with an API token', { timeout: 120_000 }, () => {
  const cluster = new LocalCluster('dashboard-auth');
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: run scripts/setup-test-deps.sh (apt-get install chromium)`);
    await cluster.add('solo', { join: null, args: ['--auth-token', 'dash-secret'] });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
  });

  after(async () => {
    await browser?.close();
    await cluster.destroy();
  });

  it('loads without the token, asks for it, then shows the data; #token= works too and leaves the address bar', async () => {
    const http = cluster.node('solo').info.http!;
    const page = await browser!.newPage();
    page.setDefaultTimeout(uiTimeoutMs);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    assert.equal((await page.goto(`http://${http}/`))?.status(), 200);
    await page.waitForSelector('#connection[data-connection="unauthorized"]');
    assert.equal(await page.isVisible('#auth'), true);
    await page.fill('#token-input', 'dash-secret');
    await page.click('#auth button[type="submit"]');
    await page.waitForSelector('[data-member="solo"][data-state="alive"]');
    await page.waitForSelector('#connection[data-connection="ok"]');
    assert.equal(await page.isVisible('#auth'), false);
    // The token lives in this tab's sessionStorage: a reload keeps working.
    await page.reload();
    await page.waitForSelector('[data-member="solo"][data-state="alive"]');

    const viaHash = await browser!.newPage();
    viaHash.setDefaultTimeout(uiTimeoutMs);
    viaHash.on('pageerror', (error) => pageErrors.push(error.message));
    await viaHash.goto(`http://${http}/#token=dash-secret`);
    await viaHash.waitForSelector('[data-member="solo"][data-state="alive"]');
    assert.equal(new URL(viaHash.url()).hash, '', 'the token is removed from the address bar');
    assert.deepEqual(pageErrors, []);
  });
});
