// The page embedded as a widget (embed=1) in headless Chromium on WebGPU (SwiftShader here):
// its postMessage protocol (src/ui/widget_api.ts) and the embed example (embed.html).
import { join } from 'node:path';
import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launch, siteBase, status, watchErrors } from '../support/browser';
import { DESKTOP, PHONE } from '../support/page';

let gpu: Browser;

beforeAll(async () => {
  gpu = await launch(true);
});

afterAll(() => gpu?.close());

describe('the page as a widget', () => {
  test('a widget answers every request (in a 390 px page): a start before it is ready is queued and runs; a bad one is refused with the reason; origin= limits who is heard', async () => {
    // The parent: a blank page of the site's origin.
    const page = await gpu.newPage({ viewport: PHONE });
    const errors = watchErrors(page);
    await page.route('**/parent.html', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>a parent page</title>' }));
    await page.goto(`${siteBase()}/parent.html`);
    const [messages, strangerGot] = await page.evaluate(async (base) => {
      const got: { type: string; [k: string]: unknown }[] = [];
      const strangerGot: unknown[] = [];
      const frame = document.createElement('iframe');
      frame.src = `index.html#embed=1&n=16&d=4&m=16&steps=300&eps=0.01&origin=${encodeURIComponent(base)}`;
      // A widget that obeys and reports to another origin only: this page's start is not heard, and it posts nothing here.
      const stranger = document.createElement('iframe');
      stranger.src = 'index.html#embed=1&n=16&d=4&m=16&steps=300&eps=0.01&origin=https://example.org';
      window.addEventListener('message', (e) => {
        if (e.source === frame.contentWindow) got.push(e.data);
        if (e.source === stranger.contentWindow) strangerGot.push(e.data);
      });
      // On load the widget listens but has no device yet: the start must wait for it.
      const start = { type: 'shallow-gd:start', config: { n: 16, d: 4, m: 24, steps: 300, eps: 0.01, rateFactor: 0.5, sharpnessProducts: 0 } };
      frame.addEventListener('load', () => frame.contentWindow!.postMessage(start, '*'));
      stranger.addEventListener('load', () => stranger.contentWindow!.postMessage(start, '*'));
      document.body.append(frame, stranger);
      const until = (type: string) => new Promise<void>((resolve) => { const t = setInterval(() => { if (got.some((m) => m.type === type)) { clearInterval(t); resolve(); } }, 50); });
      await until('shallow-gd:done');
      frame.contentWindow!.postMessage({ type: 'shallow-gd:start', config: { n: 'abc' } }, '*');
      frame.contentWindow!.postMessage({ type: 'shallow-gd:stop' }, '*');
      await until('shallow-gd:rejected');
      await new Promise((r) => setTimeout(r, 300));
      return [got.map(({ type, queued, reason, request, summary }) => ({ type, queued, reason, request, mdn: (summary as { params_over_samples?: number } | undefined)?.params_over_samples })), strangerGot];
    }, siteBase());
    const types = messages.map((m) => m.type);
    expect(types.indexOf('shallow-gd:accepted')).toBeLessThan(types.indexOf('shallow-gd:ready'));
    expect(messages.find((m) => m.type === 'shallow-gd:accepted')).toMatchObject({ request: 'start', queued: true });
    // The queued start ran with its own config (m·d/n = 24·4/16).
    expect(messages.find((m) => m.type === 'shallow-gd:done')!.mdn).toBe(6);
    const rejected = messages.filter((m) => m.type === 'shallow-gd:rejected');
    expect(rejected.map((m) => m.request)).toEqual(['start', 'stop']);
    expect(rejected[0].reason).toMatch(/^n must be an integer/);
    expect(rejected[1].reason).toBe('no run is being prepared or running');
    expect(strangerGot).toEqual([]);
    const stranger = page.frames().find((f) => f.url().includes('example.org'))!;
    expect(await stranger.evaluate(() => [document.body.dataset.state, document.querySelectorAll('#runs li').length])).toEqual(['idle', 0]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the embed example (1400 and 390 px): two widgets post progress and done, on shared scales, each fitting its frame; the parent starts and stops them', async () => {
    const page = await gpu.newPage({ viewport: DESKTOP });
    const errors = watchErrors(page);
    // Shorter runs than the article's (to L/L0 < 0.1 at c = 0.5: about 50 and 25 steps, the wide
    // network's movement already 17× below the narrow one's), and without the stability monitor:
    // on SwiftShader the wide network runs about 50 steps a second, and each of the monitor's
    // products is a round trip of about 20 ms (the page's own runs keep it).
    await page.route('**/embed.html', async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replaceAll('&eps=0.0001&seed=1"', '&eps=0.1&rateFactor=0.5&seed=1&sharpnessProducts=0"');
      expect(body.match(/sharpnessProducts=0"/g)).toHaveLength(2);
      await route.fulfill({ response, body });
    });
    await page.goto(`${siteBase()}/embed.html`);
    const readouts = page.locator('.readout');
    // Progress messages arrive from both widgets, then done with the summary.
    await expect.poll(() => readouts.allTextContents(), { timeout: 120_000 }).toEqual([expect.stringMatching(/^step \d+|^converged/), expect.stringMatching(/^step \d+|^converged/)]);
    await expect.poll(() => readouts.allTextContents(), { timeout: 120_000 }).toEqual([expect.stringMatching(/^converged after \d+ steps/), expect.stringMatching(/^converged after \d+ steps/)]);
    const widgets = page.frames().filter((f) => f !== page.mainFrame());
    expect(widgets).toHaveLength(2);
    expect(await Promise.all(widgets.map((f) => f.evaluate(() => document.body.dataset.state)))).toEqual(['done', 'done']);
    // Each widget fits its frame, legends with their latest values included: nothing scrolls inside it.
    const fits = () => Promise.all(widgets.map((f) => f.evaluate(() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth)));
    expect(await fits()).toEqual([true, true]);
    // And no taller: the page fits each frame to the height its widget posts (shallow-gd:size).
    const snug = () => Promise.all(widgets.map((f) => f.evaluate(() => innerHeight - Math.ceil(document.body.getBoundingClientRect().height))));
    await expect.poll(snug).toEqual([0, 0]);
    // Both movement charts on one scale (the range= key of their links): their y axes, left of
    // the plot, are drawn pixel for pixel alike, though the curves differ tenfold.
    const yAxis = (f: Frame) => f.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#chart-movement canvas')!;
      return [canvas.width, canvas.height, ...canvas.getContext('2d')!.getImageData(0, 0, 30, canvas.height).data].join(',');
    });
    const [narrowAxis, wideAxis] = await Promise.all(widgets.map(yAxis));
    expect(narrowAxis === wideAxis).toBe(true);
    const [narrow, wide] = await Promise.all(widgets.map((f) => status(f)));
    const moved = (t: string) => Number(/‖W−W₀‖\/‖W₀‖ = ([\d.e+-]+)/.exec(t)![1]);
    const [narrowText, wideText] = await readouts.allTextContents();
    // The lazy regime: the wide network barely leaves its initialization.
    expect(moved(wideText)).toBeLessThan(moved(narrowText) / 5);
    const line = (s: Record<string, string>) => `${s.run}, steps/s: ${s['steps/s']}, memory ${s.memory}`;
    console.info(`headless Chromium, ${narrow.adapter}, embed example n=32 d=8:\n  m=16:   ${line(narrow)}\n  m=4096: ${line(wide)}`);
    // The snippet gives the height the page uses.
    const snippetFits = async () => (await page.textContent('#snippet'))!.includes(`height="${Math.round((await page.locator('iframe').first().boundingBox())!.height)}"`);
    expect(await snippetFits()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'embed-example-1400.png'), fullPage: true });

    // Start both on new data and stop them at once: a widget that gets the stop while it still
    // prepares its run ends it as it starts, reporting done with outcome stopped. The narrow
    // run is short: on a loaded machine the stop can reach it only after it converged. The wide
    // one is still being prepared when the stop comes, and must stop.
    await page.click('#again');
    await page.click('#stop');
    await expect.poll(() => readouts.allTextContents(), { timeout: 60_000 }).toEqual([expect.stringMatching(/^(stopped|converged) after/), expect.stringMatching(/^stopped after/)]);
    expect(await Promise.all(widgets.map((f: Frame) => f.evaluate(() => document.body.dataset.state)))).toEqual(['done', 'done']);

    // On a phone the widgets stack, each the page's width, and still fit their (taller) frames, snugly.
    await page.setViewportSize(PHONE);
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const [first, second] = await Promise.all(widgets.map((f) => f.frameElement().then((e) => e.boundingBox())));
    expect(second!.y).toBeGreaterThan(first!.y + first!.height);
    expect(first!.x + first!.width).toBeLessThanOrEqual(PHONE.width);
    await expect.poll(fits).toEqual([true, true]);
    await expect.poll(snug).toEqual([0, 0]);
    await expect.poll(snippetFits).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'embed-example-390.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
