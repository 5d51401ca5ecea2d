// The report's page script (drawReport, inlined into beyond-ntk.html) in headless Chromium
// without WebGPU: the report of `shallow-gd experiments --tiny` on the CPU reference draws
// every chart from its inline data and fetches nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentsCommand } from '../../src/cli/experiments';
import { launch, watchErrors } from '../support/browser';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shallow-gd-report-'));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await experimentsCommand(['--tiny', '--backend', 'cpu', '--out', dir])).toBe(0);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
});

describe('the report page', () => {
  it('draws every chart in a browser that fetches nothing', async () => {
    const browser = await launch(false);
    try {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      const fetched: string[] = [];
      await page.route('**', (route) => {
        const url = route.request().url();
        if (!url.startsWith('file:')) fetched.push(url);
        return route.continue();
      });
      await page.goto(`file://${join(dir, 'beyond-ntk.html')}`);
      const drawn = await page.evaluate(() =>
        [...document.querySelectorAll('.chart')].map((el) => {
          const canvas = el.querySelector('canvas');
          if (!canvas) return 0;
          // Non-white pixels: the axes, grid and curves were drawn.
          const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let ink = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] + px[i + 1] + px[i + 2] < 600) ink++;
          return ink;
        }),
      );
      expect(drawn).toHaveLength(7);
      drawn.forEach((ink) => expect(ink).toBeGreaterThan(1000));
      expect(errors).toEqual([]);
      expect(fetched).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
