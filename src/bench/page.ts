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
const table = el<HTMLDivElement>('table');
const json = el<HTMLAnchorElement>('json');
const button = el<HTMLButtonElement>('run');

const hash = new URLSearchParams(location.hash.slice(1));
quick.checked = hash.get('quick') === '1';
sizes.value = hash.get('sizes') ?? (quick.checked ? QUICK_SIZES : DEFAULT_SIZES);
quick.addEventListener('change', () => { sizes.value = quick.checked ? QUICK_SIZES : DEFAULT_SIZES; });

/** The report's markdown as HTML: its tables as tables, bold as bold, lines as paragraphs (text only, never markup). */
function render(md: string): void {
  const blocks: HTMLElement[] = [];
  const inline = (parent: HTMLElement, text: string) => {
    text.split(/\*\*(.+?)\*\*/).forEach((part, k) => {
      if (k % 2) parent.append(Object.assign(document.createElement('b'), { textContent: part }));
      else parent.append(part);
    });
    return parent;
  };
  const cells = (line: string) => line.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const lines = md.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (line.startsWith('|')) {
      const t = document.createElement('table');
      const head = t.createTHead().insertRow();
      for (const c of cells(line)) inline(head.appendChild(document.createElement('th')), c);
      const body = t.createTBody();
      // The line after the header sets alignment: numbers right, text left.
      const right = cells(lines[++k] ?? '').map((c) => c.endsWith(':'));
      while (lines[k + 1]?.startsWith('|')) {
        const row = body.insertRow();
        cells(lines[++k]).forEach((c, j) => { inline(row.insertCell(), c).style.textAlign = right[j] ? 'right' : 'left'; });
      }
      blocks.push(t);
    } else if (line.startsWith('- ')) blocks.push(inline(document.createElement('li'), line.slice(2)));
    else if (line.trim()) blocks.push(inline(document.createElement('p'), line));
  }
  table.replaceChildren(...blocks);
}

async function run(): Promise<void> {
  // One run at a time: two would write into one table and share the device.
  if (button.disabled) return;
  button.disabled = true;
  document.body.dataset.state = 'running';
  table.replaceChildren();
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
      onProgress: (r) => render(benchMarkdown(r)),
      peers: { tfjs: tfjsStepSeconds },
    };
    const report = await runBench(device, info, grid, o);
    render(benchMarkdown(report));
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
