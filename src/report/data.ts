// What a finished suite shows: per experiment a chart (series, threshold marks, a one-sentence
// caption computed from the runs) and the table behind it (its CSV), plus the findings the
// command prints. Pure functions of the suite's records.
import { formatValue } from '../config/schema';
import { median, summarizeSweep, type SuccessRow } from '../sweep/summary';
import type { Row } from '../model/metrics';
import { softwareNote } from '../model/engine';
import { duration, num } from '../train/format';
import type { SuiteRecord, SuiteResult } from './run';
import type { ExperimentId, PlannedRun, SuiteParams, SuiteSize } from './suite';

export interface Series {
  label: string;
  x: number[];
  /** null: not measured, or not drawable on a log axis. */
  y: (number | null)[];
  color: string;
  dash: boolean;
  /** Markers for sparse series (one value per width). */
  points: boolean;
  /** 'right' puts the series on a second y axis. */
  axis: 'left' | 'right';
}

export interface Axis {
  label: string;
  log: boolean;
  /** A fixed range (else from the data). */
  range?: [number, number];
}

export interface Chart {
  id: ExperimentId;
  title: string;
  /** One sentence on what the chart shows, with numbers from the runs. */
  caption: string;
  x: Axis;
  y: Axis;
  y2?: Axis;
  series: Series[];
  /** Vertical lines at x (thresholds). */
  marks: { x: number; label: string }[];
  /** The CSV file with the chart's data, next to the report. */
  csv: string;
}

export type Cell = number | string | boolean | null;
export interface Table {
  columns: string[];
  rows: Cell[][];
}

/** The narrowest width at which every seed converged, and how far the weights moved there. */
export interface Threshold {
  m: number;
  md_over_n: number;
  seeds: number;
  /** Every wider width of the grid had all seeds converge too. */
  holdsAbove: boolean;
  /** Medians over the seeds of the final metrics. */
  rel_move_w: number;
  rel_move_a: number;
  max_neuron_move: number;
  flip_frac: number;
}

export interface Findings {
  threshold: Threshold | null;
  /** Where MODEL.md's thresholds fall in m·d/n. */
  thresholds: { rule: string; source: string; md_over_n: number }[];
}

export interface ReportData {
  title: string;
  /** ISO time the suite started. */
  generated: string;
  backend: string;
  size: SuiteSize;
  problem: string;
  runs: number;
  wallSeconds: number;
  /** The summary paragraph (the findings in words). */
  headline: string;
  charts: Chart[];
}

export interface Report {
  data: ReportData;
  tables: Record<ExperimentId, Table>;
  findings: Findings;
}

export const REPORT_NAME = 'beyond-ntk';
export const csvName = (id: ExperimentId) => `${REPORT_NAME}-${id}.csv`;

// Viridis stops: ordered series (widths) get ordered colors that stay legible on white.
const SEQUENTIAL = ['#440154', '#3b528b', '#21918c', '#5ec962', '#c8a800'];
const CATEGORICAL = ['#1f6fd1', '#d1495b', '#2a9d5c', '#8e5ad1', '#e08a1e', '#159aa8', '#8a6240', '#c4489f'];
const GREY = '#777777';

function sequential(k: number, count: number): string {
  const t = count <= 1 ? 0 : (k / (count - 1)) * (SEQUENTIAL.length - 1);
  const j = Math.min(Math.floor(t), SEQUENTIAL.length - 2);
  const [a, b] = [SEQUENTIAL[j], SEQUENTIAL[j + 1]].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
  return '#' + a.map((v, i) => Math.round(v + (b[i] - v) * (t - j)).toString(16).padStart(2, '0')).join('');
}

const series = (label: string, x: number[], y: (number | null)[], color: string, more: Partial<Series> = {}): Series => ({
  label, x, y, color, dash: false, points: false, axis: 'left', ...more,
});

/** A value a log axis can show, else null. */
const positive = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) && v > 0 ? v : null);

/** A curve over logged steps on a log step axis (step 0 has no place there). */
function curve(rows: readonly Row[], value: (r: Row) => number): { x: number[]; y: (number | null)[] } {
  const kept = rows.filter((r) => r.step > 0);
  return { x: kept.map((r) => r.step), y: kept.map((r) => positive(value(r))) };
}

/** λ_min/λ_max below this counts as 0: Lanczos resolves λ_min to about 1e-6·λ_max. */
const SINGULAR = 1e-6;
const steps = (s: number) => s.toLocaleString('en-US');
/** eps as typed: 1e-6. */
const eps = (p: SuiteParams) => p.eps.toExponential();
const mdn = (p: SuiteParams, m: number) => (m * p.d) / p.n;

/** The records of an experiment's runs, in its order. */
function recordsOf(result: SuiteResult, runs: readonly PlannedRun[]): SuiteRecord[] {
  return runs.map((r) => {
    const rec = result.records.get(r.id);
    if (!rec) throw new Error(`no record of run ${r.id}`);
    return rec;
  });
}

function runsOf(result: SuiteResult, id: ExperimentId): PlannedRun[] {
  return result.suite.experiments.find((e) => e.id === id)!.runs;
}

/** Least-squares slope of log y against log x. */
function logSlope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0, sxx = 0;
  lx.forEach((x, k) => { sxy += (x - mx) * (ly[k] - my); sxx += (x - mx) ** 2; });
  return sxy / sxx;
}

const join = (parts: string[]) => (parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);

function findThreshold(p: SuiteParams, rows: SuccessRow[], grid: readonly SuiteRecord[]): Threshold | null {
  const k = rows.findIndex((r) => r.success === 1);
  if (k < 0) return null;
  const at = grid.filter((r) => r.settings.m === rows[k].m);
  const med = (f: (r: Row) => number) => median(at.map((r) => f(r.final)))!;
  return {
    m: rows[k].m,
    md_over_n: mdn(p, rows[k].m),
    seeds: at.length,
    holdsAbove: rows.slice(k).every((r) => r.success === 1),
    rel_move_w: med((f) => f.rel_move_w),
    rel_move_a: med((f) => f.rel_move_a),
    max_neuron_move: med((f) => f.max_neuron_move),
    flip_frac: med((f) => f.flip_frac),
  };
}

function lossChart(result: SuiteResult, p: SuiteParams): [Chart, Table] {
  const runs = recordsOf(result, runsOf(result, 'loss'));
  const done = runs.filter((r) => r.converged);
  const failed = runs.filter((r) => !r.converged);
  const parts = [`${done.length} of ${runs.length} widths reached L/L₀ < ${eps(p)} within ${steps(p.steps)} steps`];
  if (done.length > 0) {
    const [lo, hi] = [done[0], done[done.length - 1]];
    const took = (r: SuiteRecord) => `(m·d/n = ${num(mdn(p, r.settings.m))}) took ${steps(r.steps_to_eps!)} steps`;
    parts.push(lo === hi ? `it ${took(lo)}` : `the narrowest of them ${took(lo)} and the widest ${took(hi)}`);
  }
  if (failed.length > 0)
    parts.push(`the others stopped at L/L₀ = ${join(failed.map((r) => `${num(r.final.loss_ratio)} (m·d/n = ${num(mdn(p, r.settings.m))})`))}`);
  return [
    {
      id: 'loss',
      title: '1 · Loss curves across widths',
      caption: `L/L₀ over GD steps (seed ${runs[0].settings.seed}) for widths from m·d/n = ${num(mdn(p, runs[0].settings.m))} to ${num(mdn(p, runs[runs.length - 1].settings.m))}: ${parts.join('; ')}.`,
      x: { label: 'GD step', log: true },
      y: { label: 'L / L₀', log: true },
      series: runs.map((r, k) => {
        const c = curve(r.rows, (row) => row.loss_ratio);
        return series(`m = ${r.settings.m} (m·d/n = ${num(mdn(p, r.settings.m))})`, c.x, c.y, sequential(k, runs.length));
      }),
      marks: [],
      csv: csvName('loss'),
    },
    {
      columns: ['m', 'md_over_n', 'seed', 'step', 'loss', 'loss_ratio'],
      rows: runs.flatMap((r) => r.rows.map((row) => [r.settings.m, mdn(p, r.settings.m), r.settings.seed, row.step, row.loss, row.loss_ratio])),
    },
  ];
}

function successChart(p: SuiteParams, rows: SuccessRow[], findings: Findings): [Chart, Table] {
  const t = findings.threshold;
  const [, oymak, nguyen] = findings.thresholds;
  const seeds = p.seeds.length;
  let what: string;
  if (!t) {
    const best = rows.reduce((a, b) => (b.success > a.success ? b : a));
    what = `no width had every seed converge (best: ${best.converged}/${best.runs} at m·d/n = ${num(best.md_over_n)})`;
  } else {
    const where = `m·d/n = ${num(t.md_over_n)} (m = ${t.m})`;
    const below = `${num(oymak.md_over_n / t.md_over_n)}× below m·d = n² and ${num(nguyen.md_over_n / t.md_over_n)}× below m = n²`;
    const gap = rows.filter((r) => r.md_over_n > t.md_over_n && r.success < 1);
    what = t.holdsAbove
      ? `all ${seeds} seeds converged from ${where} on, ${below}`
      : `all ${seeds} seeds converged first at ${where}, ${below}, but not at every wider width (${join(gap.map((r) => `${r.converged}/${r.runs} at m·d/n = ${num(r.md_over_n)}`))})`;
    const some = rows.find((r) => r.converged > 0)!;
    if (some.md_over_n < t.md_over_n) what += `; the first seeds converged at m·d/n = ${num(some.md_over_n)} (${some.converged}/${some.runs})`;
  }
  const x = rows.map((r) => r.md_over_n);
  return [
    {
      id: 'success',
      title: '2 · Success probability against m·d/n',
      caption: `Fraction of ${seeds} seeds reaching L/L₀ < ${eps(p)} within ${steps(p.steps)} steps (left) and their median steps to get there (right), against m·d/n with MODEL.md's thresholds marked: ${what}.`,
      x: { label: 'm·d/n (parameters per sample, roughly)', log: true },
      y: { label: 'success probability', log: false, range: [0, 1.05] },
      y2: { label: 'median steps to eps', log: true },
      series: [
        series('success (converged seeds)', x, rows.map((r) => r.success), CATEGORICAL[0], { points: true }),
        series('median steps to eps', x, rows.map((r) => positive(r.median_steps_to_eps)), CATEGORICAL[1], { points: true, dash: true, axis: 'right' }),
      ],
      marks: findings.thresholds.map((th) => ({ x: th.md_over_n, label: th.rule })),
      csv: csvName('success'),
    },
    {
      columns: ['md_over_n', 'm', 'runs', 'converged', 'success', 'median_steps_to_eps', 'thresholds_met'],
      rows: rows.map((r) => [r.md_over_n, r.m, r.runs, r.converged, r.success, r.median_steps_to_eps, r.thresholds_met]),
    },
  ];
}

const MOVEMENT = [
  { col: 'rel_move_w', name: '‖W−W₀‖/‖W₀‖' },
  { col: 'rel_move_a', name: '‖a−a₀‖/‖a₀‖' },
  { col: 'max_neuron_move', name: 'max_r ‖w_r−w_r(0)‖/‖w_r(0)‖' },
  { col: 'flip_frac', name: 'flipped activation patterns' },
] as const;

function movementChart(result: SuiteResult, p: SuiteParams, rows: SuccessRow[], findings: Findings): [Chart, Table] {
  const grid = recordsOf(result, runsOf(result, 'movement'));
  const widths = rows.map((r) => r.m);
  const at = (m: number) => grid.filter((r) => r.settings.m === m);
  const medians = Object.fromEntries(MOVEMENT.map(({ col }) => [col, widths.map((m) => median(at(m).map((r) => r.final[col]))!)])) as Record<
    (typeof MOVEMENT)[number]['col'], number[]
  >;
  const ntk = widths.map((m) => Math.sqrt(p.n / m));
  const t = findings.threshold;
  const fitted = rows.map((r, k) => ({ r, k })).filter(({ r, k }) => r.success === 1 && medians.rel_move_w[k] > 0);
  let what = '';
  if (fitted.length >= 2) {
    const slope = logSlope(fitted.map(({ r }) => r.m), fitted.map(({ k }) => medians.rel_move_w[k]));
    what = `over the widths where every seed converged ‖W−W₀‖/‖W₀‖ falls like m^${num(slope)} (NTK: m^−0.5)`;
  }
  if (t) {
    const k = widths.indexOf(t.m);
    const wide = widths.length - 1;
    what += `${what ? '; ' : ''}at m = ${t.m}, the narrowest such width, it is ${num(medians.rel_move_w[k])} (√n/√m = ${num(ntk[k])}) with ${num(100 * medians.flip_frac[k])}% of activation patterns flipped, ` +
      `and at m = ${widths[wide]} it is ${num(medians.rel_move_w[wide])} (√n/√m = ${num(ntk[wide])}) with ${num(100 * medians.flip_frac[wide])}% flipped`;
  }
  return [
    {
      id: 'movement',
      title: '3 · Movement from initialization and activation flips against m',
      caption: `Medians over seeds of the final relative movement of each layer and of the fraction of flipped activation patterns, against m, with the NTK scale √n/√m dashed${what ? `: ${what}` : ''}.`,
      x: { label: 'width m', log: true },
      y: { label: 'relative movement / fraction', log: true },
      series: [
        ...MOVEMENT.map(({ col, name }, k) => series(name, widths, medians[col].map(positive), CATEGORICAL[k], { points: true })),
        series('√n/√m (NTK scale)', widths, ntk, GREY, { dash: true }),
      ],
      marks: [],
      csv: csvName('movement'),
    },
    {
      columns: ['m', 'md_over_n', 'seed', 'outcome', 'converged', 'steps_done', ...MOVEMENT.map((c) => c.col), 'dead_frac', 'sqrt_n_over_m'],
      rows: grid.map((r) => [
        r.settings.m, mdn(p, r.settings.m), r.settings.seed, r.outcome, r.converged, r.steps_done,
        ...MOVEMENT.map(({ col }) => r.final[col]), r.final.dead_frac, Math.sqrt(p.n / r.settings.m),
      ]),
    },
  ];
}

function spectrumChart(result: SuiteResult, p: SuiteParams): [Chart, Table] {
  const runs = recordsOf(result, runsOf(result, 'spectrum'));
  const singular = (row: Row) => !(row.lambda_min > SINGULAR * row.lambda_max);
  const change = runs.map((r) => {
    const [first, last] = [r.rows[0], r.rows[r.rows.length - 1]];
    const value = (row: Row) => (singular(row) ? '≈ 0' : num(row.lambda_min));
    const factor = singular(first) || singular(last) ? '' : ` (×${num(last.lambda_min / first.lambda_min)})`;
    return `${value(first)} → ${value(last)}${factor} at m = ${r.settings.m} (step ${steps(last.step)})`;
  });
  // λ_min ≈ 0 is Lanczos' noise floor: not drawn (the CSV keeps it).
  const masked = runs.some((r) => r.rows.some(singular)) ? `; λ_min below ${SINGULAR.toExponential()}·λ_max, zero within the solver's accuracy, is not drawn` : '';
  const peaks = runs.map((r) => `${num(Math.max(...r.rows.map((row) => row.lambda_max)))} (m = ${r.settings.m})`);
  return [
    {
      id: 'spectrum',
      title: '4 · Smallest eigenvalue of the tangent kernel over training',
      caption: `λ_min (solid) and λ_max (dashed) of the tangent kernel H_t = η_W·H_W + η_a·H_a over GD steps (seed ${runs[0].settings.seed}), which stays at H₀ in the NTK limit: from initialization to the last step λ_min went ${join(change)}, while λ_max peaked at ${join(peaks)} (GD is stable below 2)${masked}.`,
      x: { label: 'GD step', log: true },
      y: { label: 'eigenvalue of H_t', log: true },
      series: runs.flatMap((r, k) => {
        const color = sequential(k, runs.length);
        const lo = curve(r.rows, (row) => (singular(row) ? NaN : row.lambda_min)), hi = curve(r.rows, (row) => row.lambda_max);
        return [
          series(`λ_min, m = ${r.settings.m}`, lo.x, lo.y, color, { points: true }),
          series(`λ_max, m = ${r.settings.m}`, hi.x, hi.y, color, { dash: true }),
        ];
      }),
      marks: [],
      csv: csvName('spectrum'),
    },
    {
      columns: ['m', 'md_over_n', 'seed', 'step', 'loss_ratio', 'lambda_min', 'lambda_max'],
      rows: runs.flatMap((r) => r.rows.map((row) => [r.settings.m, mdn(p, r.settings.m), r.settings.seed, row.step, row.loss_ratio, row.lambda_min, row.lambda_max])),
    },
  ];
}

const labelName = (r: SuiteRecord) => (r.settings.labels.kind === 'adversarial' ? 'adversarial' : formatValue('labels', r.settings.labels));

function kernelChart(result: SuiteResult, p: SuiteParams): [Chart, Table] {
  const runs = recordsOf(result, runsOf(result, 'kernel'));
  const ratio = (r: SuiteRecord, row: Row) => row.loss_kernel / r.loss0;
  const ends = runs.map((r) => {
    const last = r.rows[r.rows.length - 1];
    return `${labelName(r)} at m = ${r.settings.m}: ${num(last.loss_ratio)} vs ${num(ratio(r, last))}`;
  });
  return [
    {
      id: 'kernel',
      title: '5 · Real loss against the kernel (linearized) prediction',
      caption: `L/L₀ of the network (solid) and of its linearization at initialization, L_lin(t) = ½Σ(1−λ_j)^{2t}(v_jᵀr₀)² from H₀ (dashed), for ±1 labels and adversarial ones (y = √n·v_min(H₀), the slowest for a kernel method); after ${steps(p.kernelSteps)} steps, real vs kernel L/L₀: ${join(ends)}.`,
      x: { label: 'GD step', log: true },
      y: { label: 'L / L₀', log: true },
      series: runs.flatMap((r, k) => {
        const color = CATEGORICAL[k % CATEGORICAL.length];
        const name = `${labelName(r)}, m = ${r.settings.m}`;
        const real = curve(r.rows, (row) => row.loss_ratio), lin = curve(r.rows, (row) => ratio(r, row));
        return [series(`${name}: network`, real.x, real.y, color), series(`${name}: kernel`, lin.x, lin.y, color, { dash: true })];
      }),
      marks: [],
      csv: csvName('kernel'),
    },
    {
      columns: ['labels', 'm', 'md_over_n', 'seed', 'step', 'loss_ratio', 'kernel_loss_ratio'],
      rows: runs.flatMap((r) => r.rows.map((row) => [labelName(r), r.settings.m, mdn(p, r.settings.m), r.settings.seed, row.step, row.loss_ratio, ratio(r, row)])),
    },
  ];
}

function rateName(run: PlannedRun, rec: SuiteRecord): string {
  const mode = run.rates!;
  if (mode.kind === 'preset') return mode.preset === 'oymak-soltanolkotabi' ? 'first layer only (η_a = 0)' : 'second layer only (η_W = 0)';
  const ratio = `η_W/η_a = ${num(rec.config.etaW / rec.config.etaA)}`;
  return mode.factor === 1 ? `both, ${ratio} (auto)` : `both, ${ratio} (auto ×${num(mode.factor)})`;
}

function ratesChart(result: SuiteResult, p: SuiteParams): [Chart, Table] {
  const runs = runsOf(result, 'rates');
  const records = recordsOf(result, runs);
  // Settings in suite order, each with its runs over seeds; the key tells the settings apart.
  const key = (run: PlannedRun) => JSON.stringify(run.rates);
  const groups = new Map<string, { run: PlannedRun; recs: SuiteRecord[] }>();
  runs.forEach((run, k) => {
    const g = groups.get(key(run)) ?? { run, recs: [] };
    g.recs.push(records[k]);
    groups.set(key(run), g);
  });
  // Shown as: first layer only, second only, then both layers by increasing etaW/etaA.
  const order = (run: PlannedRun) => (run.rates!.kind === 'preset' ? -1 : run.rates!.factor);
  const named = [...groups.values()].sort((a, b) => order(a.run) - order(b.run)).map((g) => ({ ...g, name: rateName(g.run, g.recs[0]) }));
  const tally = named.map(({ name, recs }) => {
    const conv = recs.filter((r) => r.converged);
    const med = median(conv.map((r) => r.steps_to_eps!));
    return `${name} ${conv.length}/${recs.length}${med === null ? '' : ` (${steps(Math.round(med))} steps)`}`;
  });
  return [
    {
      id: 'rates',
      title: '6 · Training one layer, the other, or both at several rate ratios',
      caption: `L/L₀ at m = ${p.rateWidth} (seed ${records[0].settings.seed}) for each way of training, both layers' rates moved from the auto pair c/λ_max by lowering one of them; seeds converged (median steps to eps): ${tally.join('; ')}.`,
      x: { label: 'GD step', log: true },
      y: { label: 'L / L₀', log: true },
      series: named.map(({ name, recs }, k) => {
        const c = curve(recs[0].rows, (row) => row.loss_ratio);
        return series(name, c.x, c.y, CATEGORICAL[k % CATEGORICAL.length]);
      }),
      marks: [],
      csv: csvName('rates'),
    },
    {
      columns: ['setting', 'm', 'seed', 'eta_w', 'eta_a', 'converged', 'steps_to_eps', 'step', 'loss_ratio'],
      rows: named.flatMap(({ name, recs }) =>
        recs.flatMap((r) => r.rows.map((row) => [name, r.settings.m, r.settings.seed, r.config.etaW, r.config.etaA, r.converged, r.steps_to_eps, row.step, row.loss_ratio])),
      ),
    },
  ];
}

export function headline(p: SuiteParams, f: Findings): string {
  const t = f.threshold;
  const where = f.thresholds.map((th) => `${th.rule} at m·d/n = ${num(th.md_over_n)}`).join(', ');
  if (!t) return `No width had all ${p.seeds.length} seeds converge (L/L₀ < ${eps(p)} within ${steps(p.steps)} steps). Thresholds: ${where}.`;
  return (
    `All ${t.seeds} seeds converged (L/L₀ < ${eps(p)} within ${steps(p.steps)} steps) from m·d/n = ${num(t.md_over_n)} (m = ${t.m})` +
    (t.holdsAbove ? ' on' : ', though not at every wider width') +
    `; there the weights moved ‖W−W₀‖/‖W₀‖ = ${num(t.rel_move_w)}, ‖a−a₀‖/‖a₀‖ = ${num(t.rel_move_a)} (medians over seeds) and ${num(100 * t.flip_frac)}% of activation patterns flipped. ` +
    `Thresholds: ${where}.`
  );
}

export function buildReport(result: SuiteResult): Report {
  const p = result.suite.params;
  const grid = recordsOf(result, runsOf(result, 'success'));
  // The grid varies only m and seed: the sweep summary's rows are the widths, with success over seeds.
  const summary = summarizeSweep(grid);
  const rows = summary.rows;
  const findings: Findings = { threshold: findThreshold(p, rows, grid), thresholds: summary.thresholds ?? [] };
  const built = [
    lossChart(result, p),
    successChart(p, rows, findings),
    movementChart(result, p, rows, findings),
    spectrumChart(result, p),
    kernelChart(result, p),
    ratesChart(result, p),
  ];
  const b = result.backend;
  return {
    data: {
      title: 'Beyond the NTK regime: gradient descent on depth-2 ReLU networks',
      generated: result.startedAt.toISOString(),
      backend: `${b.name}${softwareNote(b)}`,
      size: result.suite.size,
      problem:
        `n = ${p.n} Gaussian samples in d = ${p.d}, ±1 labels, standard parametrization, both layers trained at auto rates ` +
        `(razborov preset), ${p.seeds.length} seeds, at most ${steps(p.steps)} steps, success L/L₀ < ${eps(p)}`,
      runs: result.records.size,
      wallSeconds: result.wallSeconds,
      headline: headline(p, findings) + ` ${result.records.size} runs in ${duration(result.wallSeconds)}.`,
      charts: built.map(([c]) => c),
    },
    tables: Object.fromEntries(built.map(([c, t]) => [c.id, t])) as Record<ExperimentId, Table>,
    findings,
  };
}

/** RFC 4180 CSV; empty fields for values not measured (NaN, null). */
export function tableToCsv(t: Table): string {
  const cell = (v: Cell) => {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.columns, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
