// The built page in headless Chromium: WebGPU there is SwiftShader here (software, on the
// CPU), so the problems are tiny; the assertions hold on any adapter. A test that cannot get
// WebGPU fails: it never skips. The page as a widget: widget_api.browser.test.ts; without
// WebGPU and with a lost device: worker_backend.browser.test.ts.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeNpy } from '../../src/io/npy';
import type { Row } from '../../src/model/metrics';
import { factor, percent, shown } from '../../src/ui/numbers';
import { quartiles } from '../../src/ui/seeds';
import { ARTIFACTS, downloadFrom, launch, pageAdapter, siteBase, status, waitForState, watchErrors } from '../support/browser';
import { checkLayout, DESKTOP, exportedRows, inkOf, longestTask, open, PHONE, runningPast, stepOf } from '../support/page';

// c = 0.5: converges within its 400 steps (the default c = 0.1 needs about five times as many).
// Without the stability monitor, whose products are round trips of about 20 ms each on
// SwiftShader (the first run and the seeds keep it, single and batched).
const SMALL = 'n=32&d=8&m=32&steps=400&eps=0.01&rateFactor=0.5&sharpnessProducts=0';

/** Chromium with WebGPU (SwiftShader here), and without: the page falls back to the CPU reference. */
let gpu: Browser;
let cpu: Browser;

beforeAll(async () => {
  [gpu, cpu] = await Promise.all([launch(true), launch(false)]);
});

afterAll(async () => {
  await gpu?.close();
  await cpu?.close();
});

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('the page on WebGPU', () => {
  test('at load, with no settings, a small run starts at once and the panel explains it with its own numbers; legends and PNGs; at 1400 and 390 px wide', async () => {
    const page = await gpu.newPage({ viewport: DESKTOP, deviceScaleFactor: 2 });
    const errors = watchErrors(page);
    await page.goto(`${siteBase()}/index.html`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const rows = await exportedRows(page);
    const last = rows.at(-1)!;
    const { n, m } = JSON.parse((await downloadFrom(page, () => page.getByRole('button', { name: 'config' }).click())).bytes.toString('utf8'));
    await expect.poll(() => page.textContent('#explain')).not.toContain('so far');
    const panel = (await page.textContent('#explain'))!;
    expect(panel).toContain(`Run #1: the loss fell ${factor(1 / last.loss_ratio)} in ${last.step.toLocaleString('en-US')} steps, while the first layer moved ${shown(last.rel_move_w)}× its initial norm`);
    expect(panel).toContain(`and ${percent(last.flip_frac)} of the activation patterns (sample, neuron) flipped`);
    expect(panel).toContain(`the movement shrinks like √(n/m) (${shown(Math.sqrt(n / m))} here)`);

    // Legends: each series' line style as its marker, and away from the cursor its latest value.
    const legend = (chart: string) => page.locator(`#chart-${chart} .u-legend .u-series`);
    await expect.poll(() => legend('movement').locator('.u-value').allTextContents()).toEqual([expect.any(String), shown(last.rel_move_w), shown(last.rel_move_a), shown(last.max_neuron_move)]);
    expect(await legend('movement').locator('.u-marker').evaluateAll((ms) => ms.slice(1).map((e) => getComputedStyle(e).borderTopStyle))).toEqual(['solid', 'dashed', 'dotted']);
    expect(await legend('loss').locator('.u-label').allTextContents()).toEqual(['step', expect.stringMatching(/^#1 m=32 n=32 d=8 /)]);
    // With spectrum off, no tangent-kernel chart.
    expect(await page.locator('figure[data-part="kernel"]').isHidden()).toBe(true);

    // The PNG at the device pixel ratio: the plot's canvas, a title and a key of measured series
    // only (the run; no kernel prediction, which this run does not measure): three 18 px lines.
    const canvas = await page.locator('#chart-loss canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height, c.clientWidth]);
    expect(canvas[0]).toBe(2 * canvas[2]);
    const png = await downloadFrom(page, () => page.locator('button.png[data-chart="loss"]').click());
    expect(pngSize(png.bytes)).toEqual([canvas[0], canvas[1] + 2 * 18 * 3]);
    await checkLayout(page, DESKTOP.width);
    await page.screenshot({ path: join(ARTIFACTS, 'first-run-1400.png'), fullPage: true });

    // A phone: one column, no sideways scroll, nothing covers Start, charts as wide as the page.
    await page.setViewportSize(PHONE);
    await checkLayout(page, PHONE.width);
    expect(await page.isVisible('#explain')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'first-run-390.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('seeds: k seeds as one batch on WebGPU (390 px), one after another on the CPU reference (1400 px), with the same records; the median with quartiles, the success fraction; a batch pauses and resumes as one', async () => {
    // 1 of these 3 seeds converges (at step 214), the others run all 300 steps.
    const hash = 'index.html#n=16&d=4&m=32&steps=300&eps=0.01&rateFactor=0.5&seeds=3&autorun=1';
    // The GPU page records its long tasks: the batch's preparation (each seed on the float64
    // reference, in the worker) and its run (reported below).
    const [g, c] = await Promise.all([open(gpu, hash, PHONE, true), open(cpu, hash, DESKTOP)]);
    await expect.poll(() => g.page.textContent('#plan')).toMatch(/ · 3 seeds together, as one batch of the batched engine$/);
    // Long tasks from here (the page's own loading is not part of it).
    await g.page.evaluate(() => { (window as unknown as { longest: number }).longest = 0; });
    await expect.poll(() => c.page.textContent('#plan')).toMatch(/ · 3 seeds one after another \(not batched: no WebGPU\)$/);
    expect(await Promise.all([g, c].map(({ page }) => waitForState(page, ['done', 'error'])))).toEqual(['done', 'done']);

    const seedsOf = async (page: Page) => {
      // One entry for the three runs.
      expect(await page.locator('#runs li').count()).toBe(1);
      const entry = page.locator('#runs li').first();
      expect(await entry.textContent()).toContain('#1–#3 3 seeds from seed=1');
      const json = await downloadFrom(page, () => entry.getByRole('button', { name: 'JSON' }).click());
      const seeds = JSON.parse(json.bytes.toString('utf8')) as { seed: number; outcome: string; rows: Row[] }[];
      expect(seeds.map((s) => s.seed)).toEqual([1, 2, 3]);
      const converged = seeds.filter((s) => s.outcome === 'converged').length;
      expect(await entry.locator('.outcome').textContent()).toBe(`${converged} of 3 finished converged (${percent(converged / 3)})`);
      await expect.poll(() => page.textContent('#explain')).toContain(`${converged} of 3 finished seeds reached L/L0 < eps = 0.01 (${percent(converged / 3)})`);
      // The loss chart lists the median alone (the quartiles are its band) at its latest value.
      const median = quartiles(seeds.map((s) => s.rows), [true, true, true]).median.at(-1)!;
      const series = page.locator('#chart-loss .u-legend .u-series');
      expect(await series.locator('.u-label').allTextContents()).toEqual(['step', expect.stringMatching(/^#1–#3 median of 3 seeds: m=32 /), 'lower quartile', 'upper quartile']);
      expect(await series.evaluateAll((rows) => rows.map((r) => getComputedStyle(r).display !== 'none'))).toEqual([true, true, false, false]);
      await expect.poll(() => series.nth(1).locator('.u-value').textContent()).toBe(shown(median.loss));
      return { seeds, details: (await entry.locator('.muted').textContent())! };
    };
    const [batched, alone] = await Promise.all([seedsOf(g.page), seedsOf(c.page)]);
    console.info(`headless Chromium, ${(await status(g.page)).adapter}: 3 seeds in one batch, preparation and run: longest main-thread task ${await longestTask(g.page)} ms by PerformanceObserver (wall clock)`);
    // The worker made one batch of the three runs.
    expect(batched.details).toMatch(/ · one batch of 3 runs on the batched engine$/);
    expect((await status(g.page)).run).toBe('#1–#3 (3 seeds in one batch): all finished, 1 of 3 converged');
    expect(alone.details).toMatch(/ · float64 CPU reference · one after another \(not batched: no WebGPU\)$/);
    // The same runs: the batched engine (float32) agrees with the float64 reference to float32
    // rounding, seed by seed and logged step by logged step, and so do the medians.
    expect(batched.seeds.map((s) => [s.outcome, s.rows.map((r) => r.step)])).toEqual(alone.seeds.map((s) => [s.outcome, s.rows.map((r) => r.step)]));
    expect(batched.seeds.map((s) => s.outcome)).toEqual(['max_steps', 'converged', 'max_steps']);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.abs(b);
    batched.seeds.forEach((s, k) => s.rows.forEach((r, j) => {
      const ref = alone.seeds[k].rows[j];
      expect([r.loss, r.rel_move_w], `seed ${s.seed} step ${r.step}`).toSatisfy(([loss, move]: number[]) => close(loss, ref.loss) && close(move, ref.rel_move_w));
    }));
    const medians = (seeds: { rows: Row[] }[]) => quartiles(seeds.map((s) => s.rows), [true, true, true]).median.map((r) => r.loss);
    medians(batched.seeds).forEach((v, j) => expect(close(v, medians(alone.seeds)[j])).toBe(true));
    // The CPU fallback says so, and names the largest m that fits (3e8 flops / (6·n·d) at this n and d).
    expect(await c.page.locator('[data-notice="backend"]').textContent()).toMatch(/no WebGPU.*float64 CPU reference/i);
    expect((await status(c.page)).adapter).toBe('float64 CPU reference (no WebGPU)');
    await c.page.fill('#setting-m', '1000000');
    await expect.poll(() => c.page.textContent('#plan')).toMatch(/^This device cannot run it: m, n, d: without WebGPU the page runs the CPU reference, which takes steps of at most/);
    expect(await c.page.textContent('#plan')).toContain(`the largest m that fits is ${Math.floor(3e8 / (6 * 16 * 4))}`);
    expect(await c.page.isDisabled('#start')).toBe(true);
    await c.page.screenshot({ path: join(ARTIFACTS, 'seeds-cpu-1400.png'), fullPage: true });

    // Opened on a phone, the page folds its settings: the run and its charts come first.
    expect(await g.page.evaluate(() => [(document.querySelector('#settings') as HTMLDetailsElement).open, document.querySelector('#chart-loss')!.getBoundingClientRect().top < 844])).toEqual([false, true]);
    await checkLayout(g.page, PHONE.width);
    await g.page.screenshot({ path: join(ARTIFACTS, 'seeds-390.png'), fullPage: true });
    await g.page.setViewportSize(DESKTOP);
    await checkLayout(g.page, DESKTOP.width);
    await g.page.screenshot({ path: join(ARTIFACTS, 'seeds-1400.png'), fullPage: true });

    // A batch long enough to pause: Pause holds every seed, Resume moves them all on, Reset removes them.
    // (The page opened on a phone, with its settings folded: they are opened as a person would.)
    const { page } = g;
    await page.click('#settings > summary');
    await page.fill('#seeds', '2');
    await page.fill('#setting-steps', '1000000');
    await page.uncheck('#setting-stopAtEps');
    await expect.poll(() => page.textContent('#plan')).toMatch(/ · 2 seeds together, as one batch of the batched engine$/);
    await page.click('#start');
    await runningPast(page, '#4–#5', 20);
    expect((await status(page)).run).toMatch(/^#4–#5 \(2 seeds in one batch\): running, step \d+$/);
    await page.click('#pause');
    expect(await waitForState(page, ['idle', 'error'])).toBe('idle');
    const paused = await status(page);
    expect(paused.run).toMatch(/^#4–#5 \(2 seeds in one batch\): paused at step \d+$/);
    expect(await page.locator('#runs li').nth(1).locator('.outcome').textContent()).toMatch(/^0 of 0 finished converged \(—\) · 2 of 2 paused at step \d+$/);
    await page.waitForTimeout(300);
    expect((await status(page)).step).toBe(paused.step);
    await page.click('#resume');
    await expect.poll(async () => stepOf(await status(page)), { timeout: 60_000 }).toBeGreaterThan(stepOf(paused));
    expect(await page.locator('#chart-loss .u-legend .u-label').allTextContents()).toEqual(['step', expect.stringMatching(/^#1–#3 median/), 'lower quartile', 'upper quartile', expect.stringMatching(/^#4–#5 median of 2 seeds/), 'lower quartile', 'upper quartile']);
    await page.click('#reset');
    expect(await waitForState(page, ['idle'])).toBe('idle');
    expect(await page.locator('#runs li').count()).toBe(0);
    expect([...g.errors, ...c.errors]).toEqual([]);
    await Promise.all([g.page.close(), c.page.close()]);
  });

  test('a run from the URL hash reaches done with the loss down 100×, draws its charts, exports; Start overlays a second run, Pause and Resume; a new link asks before it discards runs', async () => {
    const { page, errors } = await open(gpu, `index.html#${SMALL}&autorun=1`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');

    const s = await status(page);
    // The page's adapter by name, with the software note exactly when it is one.
    const adapter = await pageAdapter(page);
    expect(adapter, 'a WebGPU adapter in the page').not.toBeNull();
    expect(s.adapter).toBe(`${adapter!.name}${adapter!.software ? ' (software adapter: not GPU speeds)' : ''}`);
    expect(s.run).toMatch(/converged/);
    const rows = await exportedRows(page);
    expect(rows[0].step).toBe(0);
    expect(rows.at(-1)!.loss_ratio).toBeLessThan(0.01);
    expect(rows.at(-1)!.loss).toBeLessThan(rows[0].loss / 100);

    // The run's color is PALETTE[0], #1f6fd1: each chart has its curves drawn in it.
    for (const chart of ['loss', 'movement', 'activation']) await expect.poll(() => inkOf(page, chart, [31, 111, 209])).toBeGreaterThan(100);

    const config = JSON.parse((await downloadFrom(page, () => page.getByRole('button', { name: 'config' }).click())).bytes.toString('utf8'));
    expect(config).toMatchObject({ n: 32, d: 8, m: 32, steps: 400, eps: 0.01 });
    expect(typeof config.etaW).toBe('number');
    const json = JSON.parse((await downloadFrom(page, () => page.getByRole('button', { name: 'JSON' }).click())).bytes.toString('utf8'));
    expect(json).toHaveLength(rows.length);
    const png = await downloadFrom(page, () => page.locator('button.png[data-chart="loss"]').click());
    expect(png.name).toBe('shallow-gd-loss.png');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');

    // The hash now holds the whole config: a fresh page on it has the same settings.
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain('m=32');
    expect(hash).toContain('etaW=auto');
    console.info(`headless Chromium, ${s.adapter}: m=32 n=32 d=8, steps/s: ${s['steps/s']}`);

    // A wider run, long enough to pause: all steps, no stop at eps.
    await page.fill('#setting-m', '64');
    await page.fill('#setting-steps', '1000000');
    await page.uncheck('#setting-stopAtEps');
    await page.click('#start');
    await runningPast(page, '#2', 20);
    await page.click('#pause');
    expect(await waitForState(page, ['idle', 'error'])).toBe('idle');
    const paused = await status(page);
    expect(paused.run).toMatch(/#2: paused at step \d+/);
    await page.waitForTimeout(300);
    expect((await status(page)).step).toBe(paused.step);
    await page.click('#resume');
    await expect.poll(async () => stepOf(await status(page)), { timeout: 60_000 }).toBeGreaterThan(stepOf(paused));

    // Both runs are overlaid, each with its config in the legend and its own color.
    const legend = await page.locator('#chart-loss .u-legend .u-label').allTextContents();
    expect(legend).toEqual([expect.stringContaining('step'), expect.stringMatching(/^#1 m=32 /), expect.stringMatching(/^#2 m=64 /)]);
    await expect.poll(() => inkOf(page, 'loss', [209, 73, 91])).toBeGreaterThan(20);
    expect(await page.locator('#runs li').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'page-after-run.png'), fullPage: true });

    // A link pasted over this one, mid-run: the page asks before it discards the runs.
    const shownHash = await page.evaluate(() => location.hash);
    const banner = page.locator('[data-notice="hash"]');
    const paste = (h: string) => page.evaluate((to) => {
      (window as unknown as { before: boolean }).before = true;
      location.hash = to;
    }, h);
    await paste('#n=16&d=4&m=8&steps=50');
    await expect.poll(() => banner.locator('span').textContent()).toBe('The link changed. Loading it starts the page afresh with its settings and discards the 2 runs on the charts.');
    await banner.getByRole('button', { name: 'Keep my runs' }).click();
    expect(await banner.count()).toBe(0);
    // Nothing was reloaded, the run goes on, and the address shows this page's settings again.
    expect(await page.evaluate(() => [(window as unknown as { before?: boolean }).before, location.hash])).toEqual([true, shownHash]);
    expect((await status(page)).run).toMatch(/^#2: running/);
    await paste('#n=16&d=4&m=8&steps=50');
    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Load the new link' }).click()]);
    await page.waitForSelector('#start:not([disabled])');
    expect(await page.evaluate(() => (window as unknown as { before?: boolean }).before)).toBeUndefined();
    expect(await page.inputValue('#setting-m')).toBe('8');
    expect(await page.locator('#runs li').count()).toBe(0);
    // With no runs to lose, a new link loads at once.
    await Promise.all([page.waitForEvent('load'), paste('#n=16&d=4&m=12&steps=50')]);
    expect(await page.inputValue('#setting-m')).toBe('12');
    expect(await banner.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('settings valid alone but not together: a link drops one with a notice, the form marks it and holds Start (1400 and 390 px)', async () => {
    const { page, errors } = await open(gpu, 'index.html#linearized=true&n=5000');
    await page.waitForSelector('#start:not([disabled])');
    expect(await page.locator('.notice span').allTextContents()).toContainEqual(expect.stringMatching(/^Ignored in the link \(defaults used instead\): linearized needs n ≤ 4096/));
    expect(await page.inputValue('#setting-n')).toBe('5000');
    // In its (collapsed) group, as a person would after opening it.
    await page.locator('#setting-linearized').evaluate((e: HTMLInputElement) => {
      e.checked = true;
      e.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await expect.poll(() => page.textContent('#plan')).toMatch(/^Fix the highlighted setting: linearized needs n ≤ 4096/);
    expect(await page.isDisabled('#start')).toBe(true);
    // On a phone the notice and the message wrap within the width.
    await page.setViewportSize(PHONE);
    // Polled, as checkLayout does: the charts follow the width a frame later (a ResizeObserver).
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect((await page.locator('[data-notice="link"]').boundingBox())!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.isVisible('#plan')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('with spectrum and linearized on, it draws λ_min, λ_max of H_t and the kernel prediction', async () => {
    const { page, errors } = await open(gpu, 'index.html#n=16&d=4&m=24&steps=60&logEvery=20&spectrum=true&linearized=true&sharpnessProducts=0&autorun=1');
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const rows = await exportedRows(page);
    expect(rows.map((r) => r.step)).toEqual([0, 20, 40, 60]);
    for (const r of rows) {
      expect(r.lambda_max).toBeGreaterThan(r.lambda_min);
      expect(r.lambda_min).toBeGreaterThan(0);
      expect(r.loss_kernel).toBeGreaterThan(0);
    }
    expect(rows[0].loss_kernel).toBeCloseTo(rows[0].loss, 3);
    await expect.poll(() => inkOf(page, 'kernel', [31, 111, 209])).toBeGreaterThan(100);
    expect(await page.locator('figure[data-part="kernel"]').isVisible()).toBe(true);
    expect(await page.locator('#chart-loss .u-legend .u-label').allTextContents()).toEqual([
      expect.stringContaining('step'), expect.stringMatching(/^#1 m=24 /), expect.stringMatching(/^#1 kernel \(lazy\) prediction/),
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a malformed hash shows a notice naming what it ignored, as text, does not autorun, and Start runs with defaults', async () => {
    const hash = 'n=abc&bogus=1&%3Cimg%20src%3Dx%3E=1&hide=nope&m=32&steps=100&autorun=1';
    const { page, errors } = await open(gpu, `index.html#${hash}`);
    const notice = page.locator('[data-notice="link"]');
    await expect.poll(() => notice.textContent()).toContain('n must be an integer');
    const text = (await notice.textContent())!;
    expect(text).toContain('"bogus"');
    expect(text).toContain('"<img src=x>"');
    expect(text).toContain('"nope"');
    expect(await notice.locator('img').count()).toBe(0);
    // What would run is not what the link asked for: it waits for Start.
    expect(text).toContain('Not started: check the settings, then press Start.');
    await page.waitForSelector('#start:not([disabled])');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
    await page.click('#start');
    // n fell back to its default (128); the valid keys were kept.
    await expect.poll(() => page.locator('#runs li').first().textContent(), { timeout: 60_000 }).toContain('m=32 n=128 d=16');
    expect(await page.locator('#runs li').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('settings are checked as typed, in the page\'s words; what the device cannot hold is refused before Start', async () => {
    const { page, errors } = await open(gpu, `index.html#${SMALL}`);
    await page.waitForSelector('#start:not([disabled])');
    // A link opens idle, and says so.
    expect(await page.locator('[data-notice="from-link"]').textContent()).toMatch(/^The settings below came from the link; nothing has run yet\. Press Start/);
    const fieldError = (key: string) => page.locator(`.field:has(#setting-${key}) .error`).textContent();
    // seeds is checked with the rest: a touch screen shows no tooltip, so the plan line names it.
    await page.fill('#seeds', '0');
    expect(await page.textContent('#plan')).toBe('Fix the highlighted setting: seeds must be an integer from 1 to 32');
    expect(await page.isDisabled('#start')).toBe(true);
    // A valid change, then at once an invalid one: the first one's device check answers late and must not enable Start.
    await page.evaluate(() => {
      for (const [id, value] of [['seeds', '1'], ['setting-n', 'abc']]) {
        const field = document.getElementById(id) as HTMLInputElement;
        field.value = value;
        field.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    // Time for the late answer to arrive (it would enable Start within milliseconds).
    await page.waitForTimeout(300);
    expect(await page.textContent('#plan')).toMatch(/^Fix the highlighted setting: n must be/);
    expect(await page.isDisabled('#start')).toBe(true);
    await page.fill('#setting-n', '32');
    await expect.poll(() => page.isDisabled('#start')).toBe(false);
    await page.fill('#setting-n', '0');
    expect(await fieldError('n')).toMatch(/^n must be an integer from 1 to \d+; got "0"$/);
    await page.fill('#setting-etaA', 'fast');
    expect(await fieldError('etaA')).toMatch(/^etaA must be .*; got "fast"$/);
    expect(await page.textContent('#plan')).toMatch(/^Fix the highlighted settings/);
    expect(await page.isDisabled('#start')).toBe(true);

    await page.fill('#setting-etaA', 'auto');
    await page.fill('#setting-n', '1000000');
    await page.fill('#setting-d', '4096');
    expect(await fieldError('n')).toBe('');
    // The device's worker checks the plan: its answer comes a moment later.
    await expect.poll(() => page.textContent('#plan')).toMatch(/^This device cannot run it: n × d too large: X needs [\d.]+ MiB, one storage binding of this device holds [\d.]+ MiB \(at d=\d+, n ≤ \d+\)$/);
    expect(await page.isDisabled('#start')).toBe(true);

    await page.fill('#setting-n', '32');
    await page.fill('#setting-d', '8');
    await expect.poll(() => page.textContent('#plan')).toMatch(/^This run needs [\d.]+ KiB on /);
    expect(await page.isDisabled('#start')).toBe(false);
    // file labels come as a .npy upload, checked as the CLI checks a labels file.
    await page.selectOption('#setting-labels', 'file');
    expect(await fieldError('labels')).toBe('labels file: choose the .npy file to upload (a page cannot read paths)');
    const upload = (count: number) => ({ name: 'y.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(encodeNpy(new Float32Array(count).fill(1), [count])) });
    await page.setInputFiles('input[name="labels-file"]', upload(31));
    await expect.poll(() => fieldError('labels')).toBe('labels file:y.npy: must hold n = 32 values (shape (32,)); it has shape (31)');
    await page.setInputFiles('input[name="labels-file"]', upload(32));
    await expect.poll(() => fieldError('labels')).toBe('');
    await expect.poll(() => page.isDisabled('#start')).toBe(false);
    // A preset sets its own settings; the link follows every change.
    await page.selectOption('#setting-preset', 'du');
    expect([await page.inputValue('#setting-param'), await page.inputValue('#setting-etaA')]).toEqual(['ntk', '0']);
    expect(new URL(page.url()).hash).toMatch(/^#preset=du&n=32&d=8&m=32&.*&param=ntk&/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
