// bench.html: the benchmark harness in the browser, on navigator.gpu: its tables, and charts of
// step time against m (log-log, with the fitted slope per n×d), of GFLOP/s against the same-run
// yardstick X·Wᵀ (and the adapter's peak, where the reader gives it) and of each kernel's time.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { acquireBrowserDevice } from '../gpu/device_browser';
import { softwareNote } from '../model/engine';
import { DEFAULT_OPTIONS, parseSizes, runBench, scalingExponent, type BenchOptions, type BenchReport, type SizeResult } from './bench';
import { tfjsStepSeconds } from './peers/tfjs';
import { benchMarkdown } from './table';

const QUICK_SIZES = '64x16x2^8..2^10';
/** Browser default: the CLI's grid would hold a tab for hours on a software adapter. */
const DEFAULT_SIZES = '256x16x2^10..2^16,1024x128x2^10..2^16';

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sizes = el<HTMLInputElement>('sizes');
const quick = el<HTMLInputElement>('quick');
const status = el<HTMLSpanElement>('status');
const table = el<HTMLDivElement>('table');
const json = el<HTMLAnchorElement>('json');
const button = el<HTMLButtonElement>('run');
const peak = el<HTMLInputElement>('peak');
const progress = el<HTMLProgressElement>('progress');
const chartSlots = { time: el<HTMLDivElement>('chart-time'), gflops: el<HTMLDivElement>('chart-gflops'), kernels: el<HTMLDivElement>('chart-kernels') };

const hash = new URLSearchParams(location.hash.slice(1));
quick.checked = hash.get('quick') === '1';
sizes.value = hash.get('sizes') ?? (quick.checked ? QUICK_SIZES : DEFAULT_SIZES);
quick.addEventListener('change', () => { sizes.value = quick.checked ? QUICK_SIZES : DEFAULT_SIZES; });
peak.value = hash.get('peak') ?? '';

const PALETTE = ['#1f6fd1', '#d1495b', '#2a9d5c', '#8e5ad1', '#e08a1e', '#159aa8', '#8a6240', '#c4489f'];
const plots: uPlot[] = [];
/** The report drawn last: a new peak redraws it. */
let drawn: BenchReport | null = null;
peak.addEventListener('input', () => { if (drawn) draw(drawn); });
// The charts follow the page's width (a phone turned, a window resized).
let lastWidth = innerWidth;
addEventListener('resize', () => {
  if (drawn && innerWidth !== lastWidth) draw(drawn);
  lastWidth = innerWidth;
});

/** The adapter's peak GFLOP/s as the reader gave it (the adapter does not report one), or null. */
function peakGflops(): number | null {
  const v = Number(peak.value);
  return peak.value.trim() && Number.isFinite(v) && v > 0 ? v : null;
}

/** Sizes by n×d, each group ascending in m: one line per group. */
function groupsOf(r: BenchReport): SizeResult[][] {
  const by = new Map<string, SizeResult[]>();
  for (const s of r.sizes) by.set(`${s.n}×${s.d}`, [...(by.get(`${s.n}×${s.d}`) ?? []), s]);
  return [...by.values()].map((g) => g.sort((a, b) => a.m - b.m));
}

const p3 = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : '—');

/** One chart: x values, then series (label, values, color, dash); log-log unless `linearX`. */
function chart(slot: HTMLElement, title: string, yLabel: string, x: number[], series: { label: string; values: (number | null)[]; color: string; dash?: number[] }[], xLabel = 'm (hidden width)', xValues?: (v: number) => string): void {
  const width = Math.max(280, slot.clientWidth);
  const u = new uPlot({
    title, width, height: 260,
    // An indexed axis keeps half a step of room at each end for its first and last label.
    scales: { x: xValues ? { time: false, range: [-0.5, x.length - 0.5] } : { time: false, distr: 3 }, y: { distr: 3 } },
    axes: [{ label: xLabel, values: (_u, vs) => vs.map((v) => (v == null ? '' : xValues ? xValues(v) : p3(v))) }, { label: yLabel, size: 60, values: (_u, vs) => vs.map((v) => (v == null ? '' : p3(v))) }],
    series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, dash: s.dash, width: 1.5, spanGaps: true, value: (_u: uPlot, v: number | null) => (v == null ? '—' : p3(v)) }))],
    legend: { markers: { dash: (_u, k) => (k === 0 || !series[k - 1].dash ? 'solid' : series[k - 1].dash![0] <= 2 ? 'dotted' : 'dashed') } },
  }, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, slot);
  plots.push(u);
}

/** The three charts of the report so far. */
function draw(r: BenchReport): void {
  for (const u of plots.splice(0)) u.destroy();
  drawn = r;
  const groups = groupsOf(r);
  el('charts').hidden = r.sizes.length === 0;
  if (!r.sizes.length) return;
  const ms = [...new Set(r.sizes.map((s) => s.m))].sort((a, b) => a - b);
  const column = (g: SizeResult[], value: (s: SizeResult) => number) => ms.map((m) => {
    const s = g.find((x) => x.m === m);
    return s ? value(s) : null;
  });
  const time = groups.flatMap((g, k) => {
    const color = PALETTE[k % PALETTE.length];
    const line = { label: `n=${g[0].n} d=${g[0].d} step ms`, values: column(g, (s) => s.stepSeconds * 1e3), color };
    if (g.length < 2) return [line];
    // The least-squares line of log t on log m, through the points' mean.
    const p = scalingExponent(g.map((s) => ({ m: s.m, seconds: s.stepSeconds })));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [lx, ly] = [mean(g.map((s) => Math.log(s.m))), mean(g.map((s) => Math.log(s.stepSeconds * 1e3)))];
    return [line, { label: `fit: ∝ m^${p3(p)}`, values: ms.map((m) => (m >= g[0].m && m <= g.at(-1)!.m ? Math.exp(ly + p * (Math.log(m) - lx)) : null)), color, dash: [7, 4] }];
  });
  chart(chartSlots.time, 'Step time against m (log-log; the slope is the fitted exponent)', 'ms per step', ms, time);
  const ceiling = peakGflops();
  const gflops = groups.flatMap((g, k) => {
    const color = PALETTE[k % PALETTE.length];
    return [
      { label: `n=${g[0].n} d=${g[0].d} step GFLOP/s (4ndm)`, values: column(g, (s) => s.gflops), color },
      { label: `n=${g[0].n} d=${g[0].d} X·Wᵀ yardstick`, values: column(g, (s) => s.matmulGflops), color, dash: [7, 4] },
    ];
  });
  if (ceiling) gflops.push({ label: `adapter peak (given): ${p3(ceiling)}`, values: ms.map(() => ceiling), color: '#555', dash: [2, 3] });
  chart(chartSlots.gflops, `GFLOP/s against the same-run yardstick${ceiling ? ' and the adapter\'s peak' : ''}`, 'GFLOP/s', ms, gflops);
  const kernels = [...new Set(r.sizes.flatMap((s) => Object.keys(s.kernels)))];
  const sizesIndex = r.sizes.map((_, k) => k);
  chart(chartSlots.kernels, 'GPU time per step of each kernel, by size', 'ms per step',
    sizesIndex, kernels.map((name, k) => ({ label: name, values: r.sizes.map((s) => (s.kernels[name] > 0 ? s.kernels[name] * 1e3 : null)), color: PALETTE[k % PALETTE.length] })),
    'size (n×d×m)', (v) => (Number.isInteger(v) && r.sizes[v] ? `${r.sizes[v].n}×${r.sizes[v].d}×${r.sizes[v].m}` : ''));
}

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
  draw({ sizes: [] } as unknown as BenchReport);
  json.hidden = true;
  try {
    const grid = parseSizes(sizes.value);
    const acquired = await acquireBrowserDevice();
    if (!acquired.ok) throw new Error(acquired.reason);
    const { device, info } = acquired.gpu;
    const adapter = `adapter: ${info.name}${softwareNote(info)}`;
    progress.max = grid.length;
    progress.value = 0;
    progress.hidden = false;
    status.textContent = `${adapter} — running: ${grid.length} sizes…`;
    const o: BenchOptions = {
      ...DEFAULT_OPTIONS,
      ...(quick.checked ? { targetSeconds: 0.02, maxStepSeconds: 1 } : {}),
      onProgress: (r) => {
        const done = r.sizes.length + r.skipped.length;
        progress.value = done;
        status.textContent = `${adapter} — running: ${done} of ${grid.length} sizes measured or skipped (last n=${r.sizes.at(-1)!.n} d=${r.sizes.at(-1)!.d} m=${r.sizes.at(-1)!.m})…`;
        render(benchMarkdown(r));
        draw(r);
      },
      peers: { tfjs: tfjsStepSeconds },
    };
    const report = await runBench(device, info, grid, o);
    progress.value = grid.length;
    render(benchMarkdown(report));
    draw(report);
    json.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
    json.hidden = false;
    status.textContent = `${adapter} — done: ${report.sizes.length} sizes, ${report.skipped.length} skipped`;
    document.body.dataset.state = 'done';
  } catch (e) {
    status.textContent = `error: ${(e as Error).message}`;
    document.body.dataset.state = 'error';
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
}

button.addEventListener('click', () => void run());
if (hash.get('autorun') === '1') void run();
