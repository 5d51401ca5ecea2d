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
    // The report as real tables: its rows read back as the markdown's would, cell by cell.
    const tables = await page.locator('#table table').evaluateAll((ts) => ts.map((t) => [...t.querySelectorAll('tr')].map((r) => [...r.cells].map((c) => c.textContent!.trim()))));
    const first = (await page.locator('#table p').first().textContent())!;
    // The report names the page's adapter (in bold), with the software note exactly when it is one.
    const adapter = await pageAdapter(page);
    expect(adapter, 'a WebGPU adapter in the page').not.toBeNull();
    expect(await page.locator('#table p b').first().textContent()).toBe(adapter!.name);
    expect(first.startsWith(`Adapter: ${adapter!.name}`)).toBe(true);
    expect(first.includes(`${adapter!.name} (software adapter: timings are not GPU figures)`)).toBe(adapter!.software);
    const [steps, kernels, peers] = tables;
    expect(steps.slice(1).map((r) => r.slice(0, 3))).toEqual([['64', '16', '256'], ['64', '16', '512'], ['64', '16', '1024']]);
    expect(steps.slice(1).every((r) => /^[0-9.e+]+$/.test(r[3]))).toBe(true);
    expect(kernels[0].slice(3, 7)).toEqual(['forward', 'residual', 'loss', 'backward_update']);
    // Both peers ran in the page: the float64 reference and TensorFlow.js on the same device.
    expect(peers[1]).toEqual(['64', '16', '256', expect.stringMatching(/^[0-9.e+]+$/), expect.stringMatching(/^[0-9.e+]+ \([0-9.e+]+×\)$/), expect.stringMatching(/^[0-9.e+]+ \([0-9.e+]+×\)$/)]);
    // Nothing scrolls sideways but the tables' own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await page.locator('#json').isHidden()).toBe(false);
    // The done line keeps the adapter's note; Run is back once the run is over.
    expect((await page.locator('#status').textContent())!.includes('(software adapter: timings are not GPU figures)')).toBe(adapter!.software);
    expect(await page.isDisabled('#run')).toBe(false);
    expect(errors).toEqual([]);
  });
});
