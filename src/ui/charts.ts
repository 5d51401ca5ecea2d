// The uPlot charts (loss and its kernel prediction, movement from initialization, activation
// patterns, the tangent kernel's extreme eigenvalues), each overlaying every run in its own
// color. Callers redraw at most once per display frame.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Row } from '../model/metrics';
import { num } from '../train/format';

export type ChartId = 'loss' | 'movement' | 'activation' | 'kernel';

export interface Trace {
  id: number;
  color: string;
  /** The run's config, shown in the loss chart's legend. */
  label: string;
  /** The optional instruments the run measures: series of the others are not drawn or listed. */
  instruments: Instruments;
  rows: readonly Row[];
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
      { col: 'max_neuron_move', name: 'max_r ‖w_r−w_r₀‖/‖w_r₀‖', dash: [2, 3] },
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

/** One run's columns for a chart; a log axis cannot show 0, negatives or non-finite values. */
function table(t: Trace, spec: ChartSpec, logX: boolean): uPlot.AlignedData {
  const kept = logX ? t.rows.filter((r) => r.step > 0) : t.rows;
  const value = (v: number) => (Number.isFinite(v) && (!spec.logY || v > 0) ? v : null);
  return [kept.map((r) => r.step), ...measured(spec, t).map((m) => kept.map((r) => value(r[m.col])))];
}

function ticks(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => (v == null ? '' : num(v)));
}

export class Charts {
  private readonly plots = new Map<ChartId, uPlot>();
  private traces: Trace[] = [];
  private logX = false;
  /** Run ids and axis mode the plots were built for: a change rebuilds them. */
  private shape = '';

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

  setLogSteps(logX: boolean): void {
    this.logX = logX;
    this.draw(this.traces);
  }

  draw(traces: Trace[]): void {
    this.traces = traces;
    const shape = `${this.logX}|${traces.map((t) => t.id).join(',')}`;
    const rebuild = shape !== this.shape;
    this.shape = shape;
    for (const id of Object.keys(CHARTS) as ChartId[]) {
      const spec = CHARTS[id];
      const data = traces.length ? uPlot.join(traces.map((t) => table(t, spec, this.logX))) : [[]];
      const old = this.plots.get(id);
      if (old && !rebuild) {
        old.setData(data as uPlot.AlignedData);
        continue;
      }
      old?.destroy();
      const u = new uPlot(this.options(id, traces), data as uPlot.AlignedData, this.slots[id]);
      // A GPU reset (the one that loses a WebGPU device, say) blanks accelerated 2-D canvases too.
      u.ctx.canvas.addEventListener('contextrestored', () => u.redraw());
      this.plots.set(id, u);
    }
  }

  private width(id: ChartId): number {
    return Math.max(240, this.slots[id].clientWidth);
  }

  private options(id: ChartId, traces: Trace[]): uPlot.Options {
    const spec = CHARTS[id];
    const series: uPlot.Series[] = [{ label: 'step' }];
    for (const t of traces) {
      for (const m of measured(spec, t)) {
        series.push({
          label: m.name ? `#${t.id} ${m.name}` : `#${t.id} ${t.label}`,
          stroke: t.color,
          dash: m.dash,
          width: 1.5,
          // Runs log different steps: join() leaves gaps in each run's column, drawn across.
          spanGaps: true,
          value: (_u, v) => (v == null ? '—' : num(v)),
        });
      }
    }
    return {
      width: this.width(id),
      height: this.height,
      series,
      scales: {
        x: { time: false, distr: this.logX ? 3 : 1 },
        y: this.ranges[id] ? { distr: spec.logY ? 3 : 1, range: this.ranges[id] }
          : spec.logY ? { distr: 3 } : { range: (_u, _min, max) => [0, Math.max(max, 0.05)] },
      },
      axes: [
        { label: 'step', values: ticks },
        { label: spec.yLabel, values: ticks, size: 60 },
      ],
      cursor: { sync: { key: 'shallow-gd' } },
      legend: { live: true },
    };
  }

  /**
   * The chart as a PNG: its canvas under a title, above a key that names each run (its color
   * and config) and, where a chart has several metrics, each metric (its dash).
   */
  png(id: ChartId): Promise<Blob> {
    const u = this.plots.get(id);
    if (!u) return Promise.reject(new Error('no chart to export'));
    const src = u.ctx.canvas;
    const px = src.width / u.width;
    const spec = CHARTS[id];
    const line = 18 * px;
    // Only the metrics some run measures.
    const shown = spec.metrics.filter((m) => this.traces.some((t) => measured(spec, t).includes(m)));
    const key = [
      ...this.traces.map((t) => ({ text: `#${t.id} ${t.label}`, color: t.color, dash: [] as number[] })),
      ...(shown.length > 1 ? shown.map((m) => ({ text: m.name, color: '#666', dash: m.dash })) : []),
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
