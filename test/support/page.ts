// What the page's browser tests (test/ui/*.browser.test.ts) do to the page as a person would
// see it: open it at a phone's or a desktop's width, read its charts' ink, its status line,
// its exported rows, its layout.
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { METRIC_COLUMNS } from '../../src/model/metrics';
import { downloadFrom, siteBase, status, watchErrors } from './browser';

// The two sizes every point of the page is checked at: a phone and a desktop window.
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1400, height: 900 };

/** `longTasks`: the page records its longest main-thread task from its start (longestTask). */
export async function open(b: Browser, path: string, viewport = DESKTOP, longTasks = false): Promise<{ page: Page; errors: string[] }> {
  const page = await b.newPage({ viewport });
  const errors = watchErrors(page);
  if (longTasks) await page.addInitScript(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration); }).observe({ type: 'longtask' });
  });
  await page.goto(`${siteBase()}/${path}`);
  return { page, errors };
}

/** The longest main-thread task so far, in ms of wall clock (a PerformanceObserver's). */
export const longestTask = (page: Page) => page.evaluate(() => (window as unknown as { longest: number }).longest);

/** The layout at the page's current width: nothing scrolls sideways, the element at Start's centre is Start, the charts fit. */
export async function checkLayout(page: Page, width: number): Promise<void> {
  // The charts take their new width at the next frame after a resize: until then they may overflow.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  // One column below 900 px: the settings above the charts in normal flow; beside them (sticky) above.
  expect(await page.evaluate(() => getComputedStyle(document.querySelector('aside')!).position)).toBe(width <= 900 ? 'static' : 'sticky');
  await page.locator('#start').scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => {
    const r = document.querySelector('#start')!.getBoundingClientRect();
    return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.id;
  })).toBe('start');
  // The charts follow their container's width (they are redrawn at the next frame).
  await expect.poll(async () => {
    const [chart, settings] = await Promise.all([page.locator('#chart-loss').boundingBox(), page.locator('aside').boundingBox()]);
    return width <= 900 ? chart!.width > width - 90 && chart!.x + chart!.width <= width && chart!.y > settings!.y + settings!.height
      : chart!.x > settings!.x + settings!.width && chart!.x + chart!.width <= width;
  }).toBe(true);
}

/** Pixels of a chart's canvas drawn in the given color (its curves and their legend-free plot). */
export function inkOf(page: Page, chart: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(
    ([id, [r, g, b]]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`#chart-${id} canvas`)!;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let k = 0; k < px.length; k += 4) {
        if (px[k + 3] > 200 && Math.abs(px[k] - r) < 40 && Math.abs(px[k + 1] - g) < 40 && Math.abs(px[k + 2] - b) < 40) count++;
      }
      return count;
    },
    [chart, rgb] as const,
  );
}

export function stepOf(s: Record<string, string>): number {
  return parseInt(s.step, 10);
}

/** Waits until the status line shows run `name` (#2, #4–#5) running past `step`. */
export async function runningPast(page: Page, name: string, step: number): Promise<void> {
  await expect.poll(async () => {
    const s = await status(page);
    return s.run?.startsWith(`${name} `) || s.run?.startsWith(`${name}:`) ? stepOf(s) : -1;
  }, { timeout: 60_000 }).toBeGreaterThan(step);
}

/** The CSV of the run's logged metrics, through the page's own export button. */
export async function exportedRows(page: Page, run = 1): Promise<Record<string, number>[]> {
  const csv = await downloadFrom(page, () => page.locator('#runs li').nth(run - 1).getByRole('button', { name: 'CSV' }).click());
  const [header, ...lines] = csv.bytes.toString('utf8').trim().split('\n');
  expect(header).toBe(METRIC_COLUMNS.join(','));
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [METRIC_COLUMNS[k], Number(v)])));
}
