// bench.html: the benchmark harness in the browser, on navigator.gpu.
import { acquireBrowserDevice } from '../gpu/device_browser';
import { softwareNote } from '../model/engine';
import { DEFAULT_OPTIONS, parseSizes, runBench, type BenchOptions } from './bench';
import { tfjsStepSeconds } from './peers/tfjs';
import { benchMarkdown } from './table';

const QUICK_SIZES = '64x16x2^8..2^10';
/** Browser default: the CLI's grid would hold a tab for hours on a software adapter. */
const DEFAULT_SIZES = '256x16x2^10..2^16,1024x128x2^10..2^16';

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sizes = el<HTMLInputElement>('sizes');
const quick = el<HTMLInputElement>('quick');
const status = el<HTMLParagraphElement>('status');
const table = el<HTMLPreElement>('table');
const json = el<HTMLAnchorElement>('json');
const button = el<HTMLButtonElement>('run');

const hash = new URLSearchParams(location.hash.slice(1));
quick.checked = hash.get('quick') === '1';
sizes.value = hash.get('sizes') ?? (quick.checked ? QUICK_SIZES : DEFAULT_SIZES);
quick.addEventListener('change', () => { sizes.value = quick.checked ? QUICK_SIZES : DEFAULT_SIZES; });

async function run(): Promise<void> {
  // One run at a time: two would write into one table and share the device.
  if (button.disabled) return;
  button.disabled = true;
  document.body.dataset.state = 'running';
  table.textContent = '';
  json.hidden = true;
  try {
    const grid = parseSizes(sizes.value);
    const acquired = await acquireBrowserDevice();
    if (!acquired.ok) throw new Error(acquired.reason);
    const { device, info } = acquired.gpu;
    const adapter = `adapter: ${info.name}${softwareNote(info)}`;
    status.textContent = `${adapter} — running…`;
    const o: BenchOptions = {
      ...DEFAULT_OPTIONS,
      ...(quick.checked ? { targetSeconds: 0.02, maxStepSeconds: 1 } : {}),
      onProgress: (r) => { table.textContent = benchMarkdown(r); },
      peers: { tfjs: tfjsStepSeconds },
    };
    const report = await runBench(device, info, grid, o);
    table.textContent = benchMarkdown(report);
    json.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
    json.hidden = false;
    status.textContent = `${adapter} — done: ${report.sizes.length} sizes, ${report.skipped.length} skipped`;
    document.body.dataset.state = 'done';
  } catch (e) {
    status.textContent = `error: ${(e as Error).message}`;
    document.body.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

button.addEventListener('click', () => void run());
if (hash.get('autorun') === '1') void run();
