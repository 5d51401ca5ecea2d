// Fixtures for the browser tests: the page (built and served once, by test/support/site.ts)
// and Debian's Chromium driven by playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { describeAdapter } from '../../src/gpu/device';
import { SWIFTSHADER_FLAGS } from '../../src/gpu/device_node';
import type { BackendInfo } from '../../src/model/engine';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-results', 'browser');
const CHROMIUM = '/usr/bin/chromium';

/** Where the browser project's global setup (test/support/site.ts) serves the built page. */
export const siteBase = (): string => inject('siteBase');

/** Headless Chromium; with `webgpu` false, WebGPU has no adapter and the page must fall back. */
export async function launch(webgpu: boolean): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/setup.sh does it)`);
  const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
  // Dawn's settings for SwiftShader, as in Node. Chromium takes them whatever its adapter, but on
  // this machine that is SwiftShader, and elsewhere they keep WGSL's semantics.
  if (webgpu) args.push('--enable-unsafe-webgpu', ...SWIFTSHADER_FLAGS.map((f) => `--${f}`));
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** Console errors and uncaught exceptions of a page (and its frames), collected as they come. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

/** Waits until <body data-state> is one of `states` (the page's own report of where it is). */
export async function waitForState(page: Page, states: string[], timeout = 120_000): Promise<string> {
  await page.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states, { timeout });
  return page.evaluate(() => document.body.dataset.state!);
}

/** The status line of the page or of a widget's frame, as { label: value }. */
export async function status(page: Page | Frame): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    document.querySelectorAll('#status div').forEach((d) => {
      out[d.querySelector('dt')!.textContent!] = d.querySelector('dd')!.textContent!;
    });
    return out;
  });
}

/** The longest task of each kind of thread, in ms of wall clock and of the thread's own CPU time. */
export interface Longest {
  wallMs: number;
  cpuMs: number;
}

/**
 * Traces `act` in Chromium and returns the longest task of the page's main thread and of its
 * dedicated workers. Wall clock on a loaded machine counts the time the OS gave other
 * processes; CPU time counts only the thread's own work, which is what the page controls.
 */
export async function tasksDuring(browser: Browser, page: Page, act: () => Promise<void>): Promise<{ main: Longest; worker: Longest }> {
  await browser.startTracing(page, { categories: ['toplevel'] });
  const acted = await act().then(() => null, (e: unknown) => ({ e }));
  const trace = await browser.stopTracing();
  if (acted) throw acted.e;
  type Event = { name: string; ph: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } };
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: Event[] }).traceEvents;
  const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args!.name!]));
  const longest = (thread: string): Longest => {
    const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && threads.get(`${e.pid}:${e.tid}`) === thread);
    return { wallMs: Math.max(0, ...tasks.map((e) => (e.dur ?? 0) / 1000)), cpuMs: Math.max(0, ...tasks.map((e) => (e.tdur ?? 0) / 1000)) };
  };
  return { main: longest('CrRendererMain'), worker: longest('DedicatedWorker thread') };
}

/** Clicks a button that downloads a file and returns the file's bytes. */
export async function downloadFrom(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
}

/**
 * The WebGPU adapter the page gets, asked for as the page asks (src/gpu/device_browser.ts) and
 * described as the page describes it; null when the browser offers none. Tests compare what
 * the page shows with this, whatever the adapter (SwiftShader in headless Chromium here).
 */
export async function pageAdapter(page: Page): Promise<BackendInfo | null> {
  const info = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!a) return null;
    const i = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return { info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter, subgroupMinSize: i.subgroupMinSize }, features: [...a.features] };
  });
  return info && describeAdapter({ info: info.info, features: new Set(info.features) } as unknown as GPUAdapter);
}
