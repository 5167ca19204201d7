import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushDataset } from '../../clients/cli/push-stream.js';
import { loadMnistDigits } from '../../clients/datasets/mnist-digits.js';
import { head } from '../../clients/datasets/shuffle.js';
import { connect } from '../../clients/ts/index.js';
import { startServer, type TestServer } from '../server/helpers.js';

/** Debian's chromium, headless (see docs/platform-notes.md: a downloaded browser is not available). */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

/** The number of points a chart of the page plots (its figure's `data-points`). */
async function points(page: Page, chart: string): Promise<number> {
  return Number(await page.getAttribute(`#chart-${chart}`, 'data-points'));
}

describe('dashboard in a real browser while a stream runs', () => {
  let server: TestServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), chromium.launch({ executablePath: CHROMIUM, args: FLAGS })]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('plots live metrics, lists and restores checkpoints, starts an evaluation', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#status[data-status="open"]');
    expect(await page.textContent('#server')).toMatch(/sigprop-stream .* · backend \w+/);
    expect(await points(page, 'accuracy')).toBe(0);

    const client = await connect(server.url, { binary: true });
    const stream = pushDataset(client, head(loadMnistDigits(), 3000), { unlabelledEvery: 10, delayLabels: true, labelDelay: 50 });
    await page.waitForFunction(() => Number(document.querySelector('#chart-accuracy')?.getAttribute('data-points')) >= 2, undefined, { timeout: 60_000 });
    const summary = await stream;
    await client.close();
    await page.waitForFunction(
      (samples) => Number(document.querySelector('#stat-samples')?.textContent) === samples,
      summary.learned + summary.labels,
      { timeout: 30_000 },
    );
    for (const chart of ['loss', 'accuracy', 'prequential', 'rates', 'latency']) expect(await points(page, chart)).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#stat-prequential')).toMatch(/^\d+\.\d% \/ \d+\.\d%$/);
    expect(await page.locator('#chart-accuracy .u-legend th').allTextContents()).toEqual(expect.arrayContaining(['hidden1', 'output']));

    await fetch(`${server.url}/v1/models/default/checkpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"e2e"}' });
    const restore = page.locator('#checkpoints-body button[data-checkpoint]').first();
    await restore.waitFor({ timeout: 10_000 });
    await restore.click();
    await page.waitForSelector('#notice:text-matches("restored checkpoint \\\\d+")');

    await page.click('#evaluate');
    await page.waitForSelector('#evaluations-body tr:has(td:text-is("fresh"))');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
