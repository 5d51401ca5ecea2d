// The uPlot charts (loss and its kernel prediction, movement from initialization, activation
// patterns, the tangent kernel's extreme eigenvalues), each overlaying every run in its own
// color (several seeds of one config as their median, with the quartiles as a band). Legends
// show each series' line style and, away from the cursor, its latest value. Callers redraw at
// most ten times a second (src/ui/main.ts).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Row } from '../model/metrics';
import { gridSplits, shown, tickLabels } from './numbers';

export type ChartId = 'loss' | 'movement' | 'activation' | 'kernel';

export interface Trace {
  id: number;
  /** How the page names it: #3, or #3–#7 for seeds. */
  name: string;
  color: string;
  /** The run's config, shown in the loss chart's legend. */
  label: string;
  /** The optional instruments the run measures: series of the others are not drawn or listed. */
  instruments: Instruments;
  rows: readonly Row[];
  /** Seeds of one config: `rows` is their median, drawn with the quartiles between these as a band. */
  band?: { lower: readonly Row[]; upper: readonly Row[] };
}

export interface Instruments {
  spectrum: boolean;
  linearized: boolean;
}

interface Metric {
  col: Exclude<keyof Row, 'step'>;
  /** Legend name; empty: the run's config is the name. */
  name: string;
  dash: number[];
  /** The instrument that measures it, where it is optional. */
  needs?: keyof Instruments;
}

interface ChartSpec {
  title: string;
  yLabel: string;
  logY: boolean;
  metrics: Metric[];
}

export const CHARTS: Record<ChartId, ChartSpec> = {
  loss: {
    title: 'Training loss',
    yLabel: 'L = ½‖f − y‖²',
    logY: true,
    metrics: [
      { col: 'loss', name: '', dash: [] },
      { col: 'loss_kernel', name: 'kernel (lazy) prediction', dash: [7, 4], needs: 'linearized' },
    ],
  },
  movement: {
    title: 'Movement from initialization',
    yLabel: 'rel. movement',
    logY: true,
    metrics: [
      { col: 'rel_move_w', name: '‖W−W₀‖/‖W₀‖', dash: [] },
      { col: 'rel_move_a', name: '‖a−a₀‖/‖a₀‖', dash: [7, 4] },
      { col: 'max_neuron_move', name: 'maxᵣ ‖wᵣ−wᵣ₀‖/‖wᵣ₀‖', dash: [2, 3] },
    ],
  },
  activation: {
    title: 'Activation patterns',
    yLabel: 'fraction',
    logY: false,
    metrics: [
      { col: 'flip_frac', name: 'flipped (i, r)', dash: [] },
      { col: 'dead_frac', name: 'dead neurons', dash: [7, 4] },
    ],
  },
  kernel: {
    title: 'Tangent kernel H_t (with spectrum on)',
    yLabel: 'eigenvalue',
    logY: true,
    metrics: [
      { col: 'lambda_max', name: 'λ_max(H_t) (> 2: unstable)', dash: [], needs: 'spectrum' },
      { col: 'lambda_min', name: 'λ_min(H_t)', dash: [7, 4], needs: 'spectrum' },
    ],
  },
};

export const PALETTE = ['#1f6fd1', '#d1495b', '#2a9d5c', '#8e5ad1', '#e08a1e', '#159aa8', '#8a6240', '#c4489f'];

/** The metrics of a chart that a run measures. */
function measured(spec: ChartSpec, t: Trace): Metric[] {
  return spec.metrics.filter((m) => !m.needs || t.instruments[m.needs]);
}

/** Whether any run draws in the chart (the tangent kernel's needs its spectrum on). */
export function drawsIn(id: ChartId, traces: readonly Trace[]): boolean {
  return traces.some((t) => measured(CHARTS[id], t).length > 0);
}

/**
 * One run's columns for a chart (each metric, then its band's lower and upper edge where it has
 * one); a log axis cannot show 0, negatives or non-finite values.
 */
function table(t: Trace, spec: ChartSpec, logX: boolean): uPlot.AlignedData {
  const keep = (rows: readonly Row[]) => (logX ? rows.filter((r) => r.step > 0) : rows);
  const value = (v: number) => (Number.isFinite(v) && (!spec.logY || v > 0) ? v : null);
  const kept = keep(t.rows);
  const columns = measured(spec, t).flatMap((m) => {
    const col = (rows: readonly Row[]) => keep(rows).map((r) => value(r[m.col]));
    return t.band ? [col(t.rows), col(t.band.lower), col(t.band.upper)] : [col(t.rows)];
  });
  return [kept.map((r) => r.step), ...columns];
}

/** Legend markers: CSS border styles for the dashes the lines are drawn with. */
function borderStyle(dash: number[] | undefined): string {
  if (!dash?.length) return 'solid';
  return dash[0] <= 2 ? 'dotted' : 'dashed';
}

/** Step ticks are whole steps. */
const STEP_INCREMENTS = [1, 2, 5].flatMap((x) => Array.from({ length: 10 }, (_, k) => x * 10 ** k)).sort((a, b) => a - b);

export class Charts {
  private readonly plots = new Map<ChartId, uPlot>();
  private traces: Trace[] = [];
  private logX = false;
  /** Run ids and axis mode the plots were built for: a change rebuilds them. */
  private shape = '';
  /** Charts built for an earlier shape, rebuilt one per draw. */
  private readonly stale = new Set<ChartId>();

  /** `ranges`: y ranges fixed by the page (widgets side by side share them). */
  constructor(
    private readonly slots: Record<ChartId, HTMLElement>,
    private readonly height: number,
    private readonly ranges: Partial<Record<ChartId, [number, number]>> = {},
  ) {
    const resize = new ResizeObserver((entries) => {
      for (const e of entries) {
        const id = (Object.keys(slots) as ChartId[]).find((k) => slots[k] === e.target)!;
        this.plots.get(id)?.setSize({ width: this.width(id), height: this.height });
      }
    });
    for (const slot of Object.values(slots)) resize.observe(slot);
  }

  /** The step axis, log or linear: the next draw rebuilds the charts. */
  setLogSteps(logX: boolean): void {
    this.logX = logX;
  }

  /**
   * Draws the traces; returns true while some chart still waits to be rebuilt for a new set of
   * runs (one is rebuilt per call, so that no frame holds the main thread for four of them).
   */
  draw(traces: Trace[]): boolean {
    this.traces = traces;
    const shape = `${this.logX}|${traces.map((t) => `${t.id}:${t.name}:${t.band ? 'band' : ''}`).join(',')}`;
    if (shape !== this.shape) for (const id of Object.keys(CHARTS) as ChartId[]) this.stale.add(id);
    this.shape = shape;
    let rebuilt = false;
    for (const id of Object.keys(CHARTS) as ChartId[]) {
      const old = this.plots.get(id);
      const stale = this.stale.has(id) || !old;
      // A stale chart keeps its old picture until its turn: its series no longer match the data.
      if (stale && rebuilt) continue;
      const spec = CHARTS[id];
      const data = (traces.length ? uPlot.join(traces.map((t) => table(t, spec, this.logX))) : [[]]) as uPlot.AlignedData;
      if (old && !stale) {
        old.setData(data);
        latestInLegend(old);
        continue;
      }
      rebuilt = true;
      this.stale.delete(id);
      old?.destroy();
      const u = new uPlot(this.options(id, traces), data, this.slots[id]);
      // A GPU reset (the one that loses a WebGPU device, say) blanks accelerated 2-D canvases too.
      u.ctx.canvas.addEventListener('contextrestored', () => u.redraw());
      this.plots.set(id, u);
      latestInLegend(u);
    }
    return this.stale.size > 0;
  }

  private width(id: ChartId): number {
    return Math.max(240, this.slots[id].clientWidth);
  }

  private options(id: ChartId, traces: Trace[]): uPlot.Options {
    const spec = CHARTS[id];
    const series: uPlot.Series[] = [{ label: 'step' }];
    const bands: uPlot.Band[] = [];
    for (const t of traces) {
      for (const m of measured(spec, t)) {
        series.push({
          label: m.name ? `${t.name} ${m.name}` : `${t.name} ${t.label}`,
          stroke: t.color,
          dash: m.dash,
          width: 1.5,
          // Runs log different steps: join() leaves gaps in each run's column, drawn across.
          spanGaps: true,
          value: (_u, v) => shown(v),
        });
        if (t.band) {
          // The quartiles: lines of no width with the band between them, kept out of the legend.
          const edge: uPlot.Series = { stroke: t.color, width: 0, spanGaps: true, class: 'band-edge', points: { show: false } };
          series.push({ ...edge, label: 'lower quartile' }, { ...edge, label: 'upper quartile' });
          bands.push({ series: [series.length - 1, series.length - 2], fill: `${t.color}33` });
        }
      }
    }
    const logTicks = (log: boolean) => (_u: uPlot, splits: number[]) => tickLabels(splits, log);
    const grid = (log: boolean) => ({ filter: (_u: uPlot, splits: number[]) => gridSplits(splits, log) });
    return {
      bands,
      width: this.width(id),
      height: this.height,
      series,
      scales: {
        x: { time: false, distr: this.logX ? 3 : 1 },
        y: this.ranges[id] ? { distr: spec.logY ? 3 : 1, range: this.ranges[id] }
          : spec.logY ? { distr: 3 } : { range: (_u, _min, max) => [0, Math.max(max, 0.05)] },
      },
      axes: [
        // The tick labels' row and the label's, no more: uPlot's defaults (50 + 30) left a small
        // widget's plot a third of its height.
        { label: 'step', values: logTicks(this.logX), incrs: STEP_INCREMENTS, size: 32, labelSize: 20, labelGap: 0, grid: grid(this.logX) },
        { label: spec.yLabel, values: logTicks(spec.logY), size: 64, labelGap: 6, grid: grid(spec.logY) },
      ],
      cursor: { sync: { key: 'shallow-gd' } },
      legend: { live: true, markers: { dash: (_u, k) => borderStyle(series[k].dash) } },
      hooks: { setCursor: [latestInLegend] },
    };
  }

  /**
   * The chart as a PNG: its canvas under a title, above a key that names each run (its color
   * and config) and, where a chart has several metrics, each metric (its dash).
   */
  png(id: ChartId): Promise<Blob> {
    // The plot's own canvas is drawn at the device pixel ratio; the export keeps it.
    const u = this.plots.get(id);
    if (!u) return Promise.reject(new Error('no chart to export'));
    const src = u.ctx.canvas;
    const px = src.width / u.width;
    const spec = CHARTS[id];
    const line = 18 * px;
    // Only the metrics some run measures.
    const measuredHere = spec.metrics.filter((m) => this.traces.some((t) => measured(spec, t).includes(m)));
    const key = [
      ...this.traces.filter((t) => measured(spec, t).length).map((t) => ({ text: `${t.name} ${t.label}`, color: t.color, dash: [] as number[] })),
      ...(measuredHere.length > 1 ? measuredHere.map((m) => ({ text: m.name, color: '#666', dash: m.dash })) : []),
      ...(this.traces.some((t) => t.band) ? [{ text: 'band: lower to upper quartile over the seeds', color: '#bbb', dash: [] as number[] }] : []),
    ];
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height + line * (2 + key.length);
    const g = out.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, out.width, out.height);
    g.fillStyle = '#222';
    g.font = `600 ${13 * px}px system-ui, sans-serif`;
    g.fillText(spec.title, 8 * px, line * 0.9);
    g.drawImage(src, 0, line * 1.3);
    g.font = `${12 * px}px system-ui, sans-serif`;
    key.forEach((k, row) => {
      const y = src.height + line * (2.2 + row);
      g.strokeStyle = k.color;
      g.lineWidth = 2 * px;
      g.setLineDash(k.dash.map((x) => x * px));
      g.beginPath();
      g.moveTo(8 * px, y - 4 * px);
      g.lineTo(32 * px, y - 4 * px);
      g.stroke();
      g.fillText(k.text, 40 * px, y);
    });
    return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
  }
}

/**
 * Away from the cursor, the legend shows each series' latest value (its last non-empty point):
 * runs log different steps, so each series has its own index.
 */
function latestInLegend(u: uPlot): void {
  if (u.cursor.left != null && u.cursor.left >= 0) return;
  const idxs = u.data.map((col) => {
    for (let k = col.length - 1; k >= 0; k--) if (col[k] != null) return k;
    return null;
  });
  u.setLegend({ idx: idxs[0] ?? 0, idxs }, false);
}
