// bench.html runs the benchmark harness in Chromium on its WebGPU adapter (SwiftShader here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildPage, launch, serve, waitForState, watchErrors } from '../support/browser';

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
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const table = await page.locator('#table').textContent();
    expect(table).toMatch(/swiftshader.*software adapter: timings are not GPU figures/i);
    for (const m of [256, 512, 1024]) expect(table).toMatch(new RegExp(`^\\| 64 \\| 16 \\| ${m} \\| [0-9.e+]+ \\|`, 'm'));
    expect(table).toMatch(/\| forward \| residual \| loss \| backward_update \|/);
    // Both peers ran in the page: the float64 reference and TensorFlow.js on the same device.
    expect(table).toMatch(/^\| 64 \| 16 \| 256 \| [0-9.e+]+ \| [0-9.e+]+ \([0-9.e+]+×\) \| [0-9.e+]+ \([0-9.e+]+×\) \|$/m);
    expect(await page.locator('#json').isHidden()).toBe(false);
    expect(errors).toEqual([]);
  });
});
