// bench.html runs the benchmark harness in Chromium on its WebGPU adapter (SwiftShader in headless Chromium here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { ARTIFACTS, launch, pageAdapter, siteBase, waitForState, watchErrors } from '../support/browser';

describe('bench.html', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(true);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('times the kernels, the step and the reference product, and prints the table and the charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${siteBase()}/bench.html#quick=1&autorun=1&peak=50`);
    // While it runs, Run is disabled: a second run would write into the same table.
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    expect(await page.isDisabled('#run')).toBe(true);
    // Progress: how many of the grid's sizes are done, as they are.
    await page.waitForFunction(() => /running: [1-3] of 3 sizes measured or skipped/.test(document.querySelector('#status')!.textContent!), null, { timeout: 120_000 });
    expect(await page.isVisible('#progress')).toBe(true);
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
    // The charts: step time against m with the fitted slope the scaling table gives, GFLOP/s
    // against the same-run yardstick and the peak given in the link, each kernel's time.
    const legends = await page.locator('#charts .uplot').evaluateAll((us) => us.map((u) => [...u.querySelectorAll('.u-legend .u-label')].map((l) => l.textContent)));
    const scaling = tables.at(-1)!;
    expect(scaling[0]).toEqual(['n', 'd', 'p', 'largest m', 'its memory MiB']);
    expect(legends[0]).toEqual(['m (hidden width)', 'n=64 d=16 step ms', `fit: ∝ m^${Number(scaling[1][2])}`]);
    expect(legends[1]).toEqual(['m (hidden width)', 'n=64 d=16 step GFLOP/s (4ndm)', 'n=64 d=16 X·Wᵀ yardstick', 'adapter peak (given): 50']);
    expect(legends[2]).toEqual(['size (n×d×m)', ...kernels[0].slice(3)]);
    expect(await page.isHidden('#progress')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'bench-1400.png'), fullPage: true });
    // On a phone nothing scrolls sideways but the tables' own box; the charts follow the width.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.locator('#charts .uplot').evaluateAll((us) => us.map((u) => u.getBoundingClientRect().right <= 390))).toEqual([true, true, true]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'bench-390.png'), fullPage: true });
    expect(await page.locator('#json').isHidden()).toBe(false);
    // The done line keeps the adapter's note; Run is back once the run is over.
    expect((await page.locator('#status').textContent())!.includes('(software adapter: timings are not GPU figures)')).toBe(adapter!.software);
    expect(await page.isDisabled('#run')).toBe(false);
    expect(errors).toEqual([]);
  });
});
