// bench.html runs the benchmark harness in Chromium on its WebGPU adapter (SwiftShader in headless Chromium here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildPage, launch, pageAdapter, serve, waitForState, watchErrors } from '../support/browser';

describe('bench.html', () => {
  let site: Awaited<ReturnType<typeof buildPage>>;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  beforeAll(async () => {
    site = await buildPage();
    server = await serve(site.dir);
    browser = await launch(true);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await site?.remove();
  });

  it('times the kernels, the step and the reference product, and prints the table', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.base}/bench.html#quick=1&autorun=1`);
    // While it runs, Run is disabled: a second run would write into the same table.
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    expect(await page.isDisabled('#run')).toBe(true);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const table = await page.locator('#table').textContent();
    // The table names the page's adapter, with the software note exactly when it is one.
    const adapter = await pageAdapter(page);
    expect(adapter, 'a WebGPU adapter in the page').not.toBeNull();
    expect(table).toContain(`Adapter: **${adapter!.name}**`);
    expect(table!.includes(`**${adapter!.name}** (software adapter: timings are not GPU figures)`)).toBe(adapter!.software);
    for (const m of [256, 512, 1024]) expect(table).toMatch(new RegExp(`^\\| 64 \\| 16 \\| ${m} \\| [0-9.e+]+ \\|`, 'm'));
    expect(table).toMatch(/\| forward \| residual \| loss \| backward_update \|/);
    // Both peers ran in the page: the float64 reference and TensorFlow.js on the same device.
    expect(table).toMatch(/^\| 64 \| 16 \| 256 \| [0-9.e+]+ \| [0-9.e+]+ \([0-9.e+]+×\) \| [0-9.e+]+ \([0-9.e+]+×\) \|$/m);
    expect(await page.locator('#json').isHidden()).toBe(false);
    // The done line keeps the adapter's note; Run is back once the run is over.
    expect((await page.locator('#status').textContent())!.includes('(software adapter: timings are not GPU figures)')).toBe(adapter!.software);
    expect(await page.isDisabled('#run')).toBe(false);
    expect(errors).toEqual([]);
  });
});
