// What a finished suite shows: per experiment a chart (series with their spread over seeds,
// threshold marks, a caption computed from the runs) and the table behind it (its CSV), plus
// the critical-width table and fit the command writes and prints. Pure functions of the
// suite's records.
import { formatValue } from '../config/schema';
import { fitPower, type Crossing, type PowerFit } from '../sweep/critical';
import { THRESHOLDS, groupBy, median, summarizeSweep, wilson, type SummaryInput } from '../sweep/summary';
import { denseTangentKernel } from '../reference/tangent';
import { initX } from '../reference/init';
import { symmetricEigen } from '../spectrum/eigen';
import { softwareNote } from '../model/engine';
import { duration, num } from '../train/format';
import type { SuiteRecord, SuiteResult } from './suite';
import { stepBudget, type ExperimentId, type PlannedRun, type SuiteParams, type SuiteSize } from './suite';

export interface Series {
  label: string;
  x: number[];
  /** null: not measured, or not drawable on a log axis. */
  y: (number | null)[];
  /** The spread over seeds at each x (an interval or the quartiles), drawn as whiskers. */
  lo?: (number | null)[];
  hi?: (number | null)[];
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
  /** Sentences on what the chart shows, with numbers from the runs. */
  caption: string;
  x: Axis;
  y: Axis;
  y2?: Axis;
  series: Series[];
  /** Vertical lines at x (thresholds). */
  marks: { x: number; label: string }[];
  /** The CSV files with the chart's data, next to the report. */
  csv: string[];
}

export type Cell = number | string | boolean | null;
export interface Table {
  columns: string[];
  rows: Cell[][];
}

/** The critical width at one n: where ½ and 0.9 of the seeds converge, in m·d/n. */
export interface CriticalPoint {
  n: number;
  d: number;
  /** Seeds per width. */
  seeds: number;
  runs: number;
  half: Crossing | null;
  ninety: Crossing | null;
  /** The m·d/n the widths span. */
  span: [number, number];
  /** Median over seeds of λ_min of Du et al.'s H^∞ on the run's data, and the width n⁶/λ_0⁴. */
  lambda0: number;
  /** Runs that did not converge, and those of them still descending when their budget ran out. */
  failed: number;
  descending: number;
  budget: number;
}

export interface Findings {
  critical: CriticalPoint[];
  /** The exponent p of critical m ∝ n^p (½ level), over 3 n or more with a crossing. */
  exponent: PowerFit | null;
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

/** Files beside the report: the tables of the charts and the critical-width table and fit. */
export interface Report {
  data: ReportData;
  tables: Record<string, Table>;
  fit: { exponent: number | null; ci_low: number | null; ci_high: number | null; level: number; n: number[] };
  findings: Findings;
}

export const REPORT_NAME = 'beyond-ntk';
export const csvName = (id: ExperimentId) => `${REPORT_NAME}-${id}.csv`;
export const CRITICAL_CSV = 'critical-width.csv';
export const CRITICAL_FIT = 'critical-width-fit.json';

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
  label, x, y, color, dash: false, points: true, axis: 'left', ...more,
});

/** A value a log axis can show, else null. */
const positive = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) && v > 0 ? v : null);
const finite = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

const steps = (s: number) => s.toLocaleString('en-US');
const eps = (p: SuiteParams) => p.eps.toExponential();
const mdn = (r: SuiteRecord) => (r.settings.m * r.settings.d) / r.settings.n;
const interval = (c: [number, number]) => `[${num(c[0])}, ${num(c[1])}]`;
const join = (parts: string[]) => (parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);
const fraction = (k: number, n: number) => `${k}/${n}`;

/** The q-quantile of xs (linear between order statistics), null when empty. */
export function quantile(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const t = q * (s.length - 1);
  const j = Math.floor(t);
  return j + 1 < s.length ? s[j] + (s[j + 1] - s[j]) * (t - j) : s[j];
}

/** Median and quartiles of the finite values. */
function spread(xs: readonly (number | null | undefined)[]): { med: number | null; q1: number | null; q3: number | null } {
  const v = xs.filter(finite);
  return { med: quantile(v, 0.5), q1: quantile(v, 0.25), q3: quantile(v, 0.75) };
}

/** Least-squares slope of log y against log x. */
function logSlope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0, sxx = 0;
  lx.forEach((x, k) => { sxy += (x - mx) * (ly[k] - my); sxx += (x - mx) ** 2; });
  return sxy / sxx;
}

/** The records of an experiment's runs, in its order. */
function recordsOf(result: SuiteResult, id: ExperimentId): { run: PlannedRun; rec: SuiteRecord }[] {
  return result.suite.experiments.find((e) => e.id === id)!.runs.map((run) => {
    const rec = result.records.get(run.id);
    if (!rec) throw new Error(`no record of run ${run.id}`);
    return { run, rec };
  });
}

/**
 * A run that did not converge but was still descending when its budget ran out: L/L₀ fell by
 * more than half over the second half of its steps (from the logged rows).
 */
export function stillDescending(r: SuiteRecord): boolean {
  if (r.converged || r.outcome !== 'max_steps' || r.rows.length < 2) return false;
  const last = r.rows[r.rows.length - 1];
  const mid = [...r.rows].reverse().find((row) => row.step <= last.step / 2);
  return mid !== undefined && last.loss_ratio < 0.5 * mid.loss_ratio;
}

/** Success over seeds per group (x ascending), with the 95% Wilson interval. */
function successPoints(recs: readonly SuiteRecord[], x: (r: SuiteRecord) => number) {
  return [...groupBy(recs, x).entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, rs]) => {
    const converged = rs.filter((r) => r.converged).length;
    const ci = wilson(converged, rs.length);
    return { x: Number(k), runs: rs.length, converged, success: converged / rs.length, ci, rs };
  });
}

const successSeries = (label: string, pts: ReturnType<typeof successPoints>, color: string, more: Partial<Series> = {}) =>
  series(label, pts.map((q) => q.x), pts.map((q) => q.success), color, { lo: pts.map((q) => q.ci[0]), hi: pts.map((q) => q.ci[1]), ...more });

/** The ½ crossing of a group's runs (the sweep summary's logistic fit) in words. */
function crossingText(recs: readonly SuiteRecord[]): string {
  const [row] = summarizeSweep(recs.map(asSummary)).critical;
  if (!row) return 'too few widths for a fit';
  return row.half ? `½ at m·d/n = ${num(row.half.x)} ${interval(row.half.ci)}` : `½ not within m·d/n = ${num(row.span[0])}–${num(row.span[1])}`;
}

/** What the sweep summary reads: the settings with the budget made uniform, so that groups split by n only. */
const asSummary = (r: SuiteRecord): SummaryInput => ({ ...r, settings: { ...r.settings, steps: 0 } });

/** λ_min of Du et al.'s infinite-width Gram matrix H^∞_ij = x_iᵀx_j (π − arccos ρ_ij)/(2π) on the data of a seed. */
export function lambda0(seed: number, n: number, d: number): number {
  const X = initX(seed, n, d, false);
  const H = new Float64Array(n * n);
  const norms = Array.from({ length: n }, (_, i) => Math.hypot(...X.subarray(i * d, (i + 1) * d)));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += X[i * d + k] * X[j * d + k];
      const rho = Math.max(-1, Math.min(1, dot / (norms[i] * norms[j])));
      H[i * n + j] = H[j * n + i] = (dot * (Math.PI - Math.acos(rho))) / (2 * Math.PI);
    }
  return symmetricEigen(H, n).values[0];
}

/** Seeds whose data give λ_0 (an O(n³) eigendecomposition each). */
const LAMBDA0_SEEDS = 5;

export function criticalPoints(result: SuiteResult): CriticalPoint[] {
  const p = result.suite.params;
  const recs = recordsOf(result, 'critical').map(({ rec }) => rec);
  const rows = summarizeSweep(recs.map(asSummary)).critical;
  return rows.map((row) => {
    const at = recs.filter((r) => r.settings.n === row.n);
    const seeds = Math.max(...[...groupBy(at, (r) => r.settings.m).values()].map((g) => g.length));
    const failed = at.filter((r) => !r.converged);
    const l0 = median(Array.from({ length: Math.min(seeds, LAMBDA0_SEEDS) }, (_, k) => lambda0(k + 1, row.n, row.d)))!;
    return {
      n: row.n, d: row.d, seeds, runs: row.runs, half: row.half, ninety: row.ninety, span: row.span, lambda0: l0,
      failed: failed.length, descending: failed.filter(stillDescending).length, budget: stepBudget(p, row.n),
    };
  });
}

export function criticalExponent(points: readonly CriticalPoint[]): PowerFit | null {
  const at = points.filter((c) => c.half);
  if (at.length < 3) return null;
  return fitPower(at.map((c) => ({ n: c.n, y: (c.half!.x * c.n) / c.d, ci: c.half!.ci.map((x) => (x * c.n) / c.d) as [number, number] })));
}

/** "critical m grows like n^p, p = … ± …", or why there is no exponent. */
export function exponentText(e: PowerFit | null, points: readonly CriticalPoint[]): string {
  const ns = points.filter((c) => c.half).map((c) => c.n);
  if (!e) return `no exponent: the ½ crossing lies inside the widths at ${ns.length} n (${ns.join(', ') || 'none'}), 3 are needed`;
  const half = (e.ci[1] - e.ci[0]) / 2;
  return `critical m grows like n^p, p = ${num(e.exponent)} ± ${num(half)} (95% interval [${num(e.ci[0])}, ${num(e.ci[1])}], from the ½ crossings at n = ${ns.join(', ')})`;
}

function criticalChart(result: SuiteResult, f: Findings): [Chart, Table, Table] {
  const p = result.suite.params;
  const pts = f.critical;
  const ns = pts.map((c) => c.n);
  const toM = (c: CriticalPoint, x: number | undefined) => (x === undefined ? null : (x * c.n) / c.d);
  const lines = [
    ...THRESHOLDS.map((t, k) => series(`${t.rule} (${t.source})`, ns, ns.map((n) => t.width(n, p.d)), [GREY, '#b03a2e', '#8e5ad1'][k], { dash: true, points: false })),
    series('Du et al. m = n⁶/λ₀⁴ (λ₀ measured; clipped above 10·n², values in the CSV)', ns, pts.map((c) => positive(c.n ** 6 / c.lambda0 ** 4)), '#8a6240', { dash: true }),
  ];
  // Up to ten times Nguyen's n²: Du et al.'s width, many decades higher, would squeeze the measured widths into a sliver.
  const lowest = Math.min(...pts.map((c) => Math.min(c.n / (c.d + 1), c.half ? toM(c, c.half.ci[0])! : Infinity)));
  const sentences = [`${exponentText(f.exponent, pts)[0].toUpperCase()}${exponentText(f.exponent, pts).slice(1)}.`];
  // How much the smallest n, where finite-size effects are largest, sways the fit.
  const rest = criticalExponent(pts.slice(1));
  if (f.exponent && rest) sentences.push(`Without n = ${pts[0].n}: p = ${num(rest.exponent)} ± ${num((rest.ci[1] - rest.ci[0]) / 2)}.`);
  const last = pts.filter((c) => c.half).at(-1);
  if (last) {
    const o = (last.n * last.n) / p.d;
    sentences.push(
      `At n = ${last.n}, ½ of the ${last.seeds} seeds converge from m·d/n = ${num(last.half!.x)} ${interval(last.half!.ci)} (m ≈ ${num(toM(last, last.half!.x)!)})` +
        (last.ninety ? ` and 90% from ${num(last.ninety.x)} ${interval(last.ninety.ci)}` : ', 90% not within the widths') +
        `; m·d = n² would ask for m = ${num(o)}, ${num(o / toM(last, last.half!.x)!)}× more, and Du et al.'s n⁶/λ₀⁴ for m = ${num(last.n ** 6 / last.lambda0 ** 4)} (λ₀ = ${num(last.lambda0)}).`,
    );
  }
  const failed = pts.reduce((s, c) => s + c.failed, 0), descending = pts.reduce((s, c) => s + c.descending, 0);
  sentences.push(
    `Budgets grow with n (${pts.map((c) => `${steps(c.budget)} at n = ${c.n}`).join(', ')}: ${p.stepsPerSample}·n steps at c = ${p.rateFactor}); ` +
      `${descending} of the ${failed} runs that did not converge were still descending when theirs ran out (L/L₀ fell by more than half over its second half) and count as not converged.`,
  );
  const critical: Table = {
    columns: ['n', 'd', 'seeds', 'critical_md_over_n', 'ci_low', 'ci_high', 'critical_md_over_n_90', 'ci90_low', 'ci90_high', 'critical_m', 'lambda0', 'du_width', 'steps', 'not_converged', 'still_descending'],
    rows: pts.map((c) => [
      c.n, c.d, c.seeds, c.half?.x ?? null, c.half?.ci[0] ?? null, c.half?.ci[1] ?? null, c.ninety?.x ?? null, c.ninety?.ci[0] ?? null, c.ninety?.ci[1] ?? null,
      toM(c, c.half?.x), c.lambda0, c.n ** 6 / c.lambda0 ** 4, c.budget, c.failed, c.descending,
    ]),
  };
  const recs = recordsOf(result, 'critical').map(({ rec }) => rec);
  const success: Table = {
    columns: ['n', 'd', 'm', 'md_over_n', 'runs', 'converged', 'success', 'ci_low', 'ci_high', 'median_steps_to_eps', 'still_descending'],
    rows: [...groupBy(recs, (r) => r.settings.n).values()].flatMap((rs) => successPoints(rs, (r) => r.settings.m).map((q) => [
      rs[0].settings.n, p.d, q.x, (q.x * p.d) / rs[0].settings.n, q.runs, q.converged, q.success, q.ci[0], q.ci[1],
      median(q.rs.filter((r) => r.converged).map((r) => r.steps_to_eps!)), q.rs.filter(stillDescending).length,
    ])),
  };
  const withHalf = pts.filter((c) => c.half);
  const with90 = pts.filter((c) => c.ninety);
  return [
    {
      id: 'critical',
      title: 'a · The critical width against n',
      caption: sentences.join(' '),
      x: { label: 'samples n', log: true },
      y: { label: 'width m', log: true, range: [lowest / 2, 10 * Math.max(...ns) ** 2] },
      series: [
        series('critical m (½ of seeds converge, 95% interval)', withHalf.map((c) => c.n), withHalf.map((c) => toM(c, c.half!.x)), CATEGORICAL[0], {
          lo: withHalf.map((c) => toM(c, c.half!.ci[0])), hi: withHalf.map((c) => toM(c, c.half!.ci[1])),
        }),
        series('m at 90% of seeds', with90.map((c) => c.n), with90.map((c) => toM(c, c.ninety!.x)), CATEGORICAL[1], {
          lo: with90.map((c) => toM(c, c.ninety!.ci[0])), hi: with90.map((c) => toM(c, c.ninety!.ci[1])),
        }),
        ...(f.exponent ? [series(`fit m ∝ n^${num(f.exponent.exponent)}`, ns, ns.map((n) => f.exponent!.prefactor * n ** f.exponent!.exponent), CATEGORICAL[0], { dash: true, points: false })] : []),
        ...lines,
      ],
      marks: [],
      csv: [CRITICAL_CSV, csvName('critical')],
    },
    critical,
    success,
  ];
}

const labelName = (r: SuiteRecord) => formatValue('labels', r.settings.labels);

function labelsChart(result: SuiteResult): [Chart, Table] {
  const recs = recordsOf(result, 'labels').map(({ rec }) => rec);
  const groups = [...groupBy(recs, labelName).entries()];
  const n = recs[0].settings.n;
  return [
    {
      id: 'labels',
      title: 'b · Success against m·d/n for four kinds of labels',
      caption: `Fraction of seeds reaching L/L₀ < ${eps(result.suite.params)} at n = ${n}, d = ${recs[0].settings.d} (${recs.length / groups.length / new Set(recs.map((r) => r.settings.m)).size} seeds per width, whiskers: 95% Wilson intervals); ` +
        `logistic fits: ${join(groups.map(([label, rs]) => `${label} ${crossingText(rs)}`))}.`,
      x: { label: 'm·d/n', log: true },
      y: { label: 'success probability', log: false, range: [0, 1.05] },
      series: groups.map(([label, rs], k) => successSeries(String(label), successPoints(rs, mdn), CATEGORICAL[k % CATEGORICAL.length])),
      marks: [],
      csv: [csvName('labels')],
    },
    {
      columns: ['labels', 'm', 'md_over_n', 'runs', 'converged', 'success', 'ci_low', 'ci_high', 'median_steps_to_eps'],
      rows: groups.flatMap(([label, rs]) => successPoints(rs, (r) => r.settings.m).map((q) => [
        label, q.x, (q.x * rs[0].settings.d) / n, q.runs, q.converged, q.success, q.ci[0], q.ci[1], median(q.rs.filter((r) => r.converged).map((r) => r.steps_to_eps!)),
      ])),
    },
  ];
}

/** A rate setting's name, with the spread of its measured ratio over its runs (rates are measured per seed). */
function rateName(run: PlannedRun, recs: readonly SuiteRecord[]): string {
  const mode = run.rates!;
  if (mode.kind === 'preset') return mode.preset === 'oymak-soltanolkotabi' ? 'first layer only (η_a = 0)' : 'second layer only (η_W = 0)';
  const ratios = recs.map((r) => r.config.etaW / r.config.etaA);
  const range = `η_W/η_a ${num(Math.min(...ratios))}–${num(Math.max(...ratios))} over ${recs.length} runs`;
  return mode.factor === 1 ? `both, auto (${range})` : `both, auto ×${num(mode.factor)} (${range})`;
}

function ratesChart(result: SuiteResult): [Chart, Table] {
  const all = recordsOf(result, 'rates');
  const key = (run: PlannedRun) => JSON.stringify(run.rates);
  const order = (run: PlannedRun) => (run.rates!.kind === 'preset' ? (run.rates!.preset === 'oymak-soltanolkotabi' ? -2 : -1) : run.rates!.factor);
  const groups = [...groupBy(all, ({ run }) => key(run)).values()].sort((a, b) => order(a[0].run) - order(b[0].run)).map((g) => {
    const recs = g.map(({ rec }) => rec);
    return { name: rateName(g[0].run, recs), recs, pts: successPoints(recs, mdn) };
  });
  const widths = groups[0].pts.map((q) => q.x);
  const tally = widths.map((x, j) => `at m·d/n = ${num(x)}: ${groups.map((g) => `${g.name.split(' (')[0]} ${fraction(g.pts[j].converged, g.pts[j].runs)}`).join(', ')}`);
  const p = result.suite.params;
  return [
    {
      id: 'rates',
      title: 'c · The rate ratio near the transition',
      caption: `Success (95% Wilson intervals) at n = ${all[0].rec.settings.n} against m·d/n for the first layer alone, the second alone, and both layers with η_W/η_a moved from the automatic ratio (c/λ_max of each block, c = ${p.rateFactor}) by lowering one rate, so every run stays as stable as the automatic one; ` +
        `the same budget for every setting, so a lowered rate also means less training in it. Seeds converged ${tally.join('; ')}.`,
      x: { label: 'm·d/n', log: true },
      y: { label: 'success probability', log: false, range: [0, 1.05] },
      series: groups.map((g, k) => successSeries(g.name, g.pts, CATEGORICAL[k % CATEGORICAL.length])),
      marks: [],
      csv: [csvName('rates')],
    },
    {
      columns: ['setting', 'n', 'm', 'md_over_n', 'seed', 'eta_w', 'eta_a', 'eta_ratio', 'converged', 'steps_to_eps', 'final_loss_ratio'],
      rows: groups.flatMap((g) => g.recs.map((r) => [
        g.name.split(' (')[0], r.settings.n, r.settings.m, mdn(r), r.settings.seed, r.config.etaW, r.config.etaA, r.config.etaA > 0 ? r.config.etaW / r.config.etaA : null,
        r.converged, r.steps_to_eps, r.final.loss_ratio,
      ])),
    },
  ];
}

/** Fields the stability monitor adds to records, read where present. */
type Monitored = SuiteRecord & { peak_sharpness?: number | null; max_conserved_drift?: number | null };

/** The largest rate-weighted λ_max of a run: the record's monitor, else the --spectrum rows, else null. */
export function peakSharpness(r: SuiteRecord): { value: number | null; from: 'record' | 'spectrum' | null } {
  const m = r as Monitored;
  if (finite(m.peak_sharpness)) return { value: m.peak_sharpness, from: 'record' };
  const logged = r.rows.map((row) => row.lambda_max).filter(finite);
  return logged.length ? { value: Math.max(...logged), from: 'spectrum' } : { value: null, from: null };
}

/** The largest conserved drift of a run (record, else the logged rows). */
function maxDrift(r: SuiteRecord): number | null {
  const m = r as Monitored;
  if (finite(m.max_conserved_drift)) return m.max_conserved_drift;
  const logged = r.rows.map((row) => row.conserved_drift).filter(finite);
  return logged.length ? Math.max(...logged) : null;
}

/** Two success counts differ: their 95% Wilson intervals do not overlap. */
const apart = (a: [number, number], b: [number, number]) => a[1] < b[0] || b[1] < a[0];
/** Rescaled times c·steps that differ by more than this fraction are not gradient flow's. */
const TIME_TOLERANCE = 0.1;

export function stepsizeChart(result: SuiteResult): [Chart, Table] {
  const recs = recordsOf(result, 'stepsize').map(({ rec }) => rec);
  const byC = [...groupBy(recs, (r) => r.settings.rateFactor).entries()].sort((a, b) => Number(b[0]) - Number(a[0]));
  const cs = byC.map(([c]) => Number(c));
  const ref = byC[byC.length - 1];
  const refPts = successPoints(ref[1], mdn);
  const time = (rs: readonly SuiteRecord[]) => median(rs.filter((r) => r.converged).map((r) => r.settings.rateFactor * r.steps_to_eps!));
  const sharp = recs.map(peakSharpness);
  const source = sharp.some((s) => s.from === 'record') ? 'the stability monitor' : sharp.some((s) => s.from === 'spectrum') ? 'λ_max of --spectrum at logged steps' : null;
  const per = byC.map(([c, rs], k) => {
    const pts = successPoints(rs, mdn);
    const parts = pts.flatMap((q, j) => {
      const r0 = refPts[j];
      const [t, t0] = [time(q.rs), time(r0.rs)];
      const why = [];
      if (apart(q.ci, r0.ci)) why.push(`success ${fraction(q.converged, q.runs)} against ${fraction(r0.converged, r0.runs)}`);
      if (t !== null && t0 !== null && Math.abs(t / t0 - 1) > TIME_TOLERANCE) why.push(`rescaled time c·steps ×${num(t / t0)}`);
      return why.length ? [`m·d/n = ${num(q.x)} (${why.join(', ')})`] : [];
    });
    const peaks = rs.map(peakSharpness).map((s) => s.value).filter(finite);
    return { c: Number(c), rs, pts, parts, peaks, color: sequential(k, byC.length), drift: spread(rs.map(maxDrift)) };
  });
  const parting = per.filter((q) => q.parts.length > 0 && q.c !== Number(ref[0]));
  const agree = per.filter((q) => q.parts.length === 0 && q.c !== Number(ref[0]));
  const gf = `Taking c = ${num(Number(ref[0]))} as gradient flow, a curve parts from it where the Wilson intervals of success do not overlap or the median rescaled time to eps c·steps differs by more than ${100 * TIME_TOLERANCE}%: ` +
    (parting.length ? join(parting.map((q) => `c = ${num(q.c)} parts at ${join(q.parts)}`)) : 'no c parts from it') +
    (agree.length ? `; c = ${join(agree.map((q) => num(q.c)))} cannot be told from it by these runs` : '') + '.';
  const sharpText = source
    ? `Peak sharpness (${source}; above 2 the step is unstable): ${join(per.map((q) => `c = ${num(q.c)} median ${num(spread(q.peaks).med ?? NaN)}, above 2 in ${fraction(q.peaks.filter((v) => v > 2).length, q.peaks.length)} runs`))}.`
    : 'Peak sharpness: missing (these records have no peak_sharpness and no logged λ_max).';
  const driftText = `Largest conserved drift max_r |C_r(t) − C_r(0)|/D_r with C_r = ‖w_r‖²/η_W − a_r²/η_a and D_r = ‖w_r(0)‖²/η_W + a_r(0)²/η_a, over neurons and logged steps (median over runs): ` +
    `${join(per.map((q) => `${num(q.drift.med ?? NaN)} at c = ${num(q.c)}`))}; under gradient flow it is 0.`;
  const peakSeries = per.map((q) => {
    const byX = successPoints(q.rs, mdn).map((pt) => spread(pt.rs.map((r) => peakSharpness(r).value)));
    return series(`peak sharpness, c = ${num(q.c)} (median, quartiles)`, q.pts.map((pt) => pt.x), byX.map((s) => positive(s.med)), q.color, {
      dash: true, axis: 'right', lo: byX.map((s) => positive(s.q1)), hi: byX.map((s) => positive(s.q3)),
    });
  });
  const xs = per[0].pts.map((q) => q.x);
  return [
    {
      id: 'stepsize',
      title: 'd · Step-size control: success and peak sharpness against the rate factor c',
      caption: `Success (solid, 95% Wilson intervals) and peak rate-weighted sharpness λ_max(η_W·H_W + η_a·H_a) (dashed, right axis) at n = ${recs[0].settings.n} for c = ${cs.map(num).join(', ')}, each with a budget that gives it the same time c·steps. ${gf} ${sharpText} ${driftText}`,
      x: { label: 'm·d/n', log: true },
      y: { label: 'success probability', log: false, range: [0, 1.05] },
      y2: { label: 'peak sharpness', log: true },
      series: [
        ...per.map((q) => successSeries(`success, c = ${num(q.c)}`, q.pts, q.color)),
        ...(source ? [...peakSeries, series('sharpness 2 (edge of stability)', xs, xs.map(() => 2), GREY, { dash: true, points: false, axis: 'right' })] : []),
      ],
      marks: [],
      csv: [csvName('stepsize')],
    },
    {
      columns: ['rate_factor', 'n', 'm', 'md_over_n', 'seed', 'steps', 'converged', 'steps_to_eps', 'rescaled_time', 'peak_sharpness', 'sharpness_from', 'max_conserved_drift'],
      rows: recs.map((r) => {
        const s = peakSharpness(r);
        return [r.settings.rateFactor, r.settings.n, r.settings.m, mdn(r), r.settings.seed, r.settings.steps, r.converged, r.steps_to_eps,
          r.steps_to_eps === null ? null : r.settings.rateFactor * r.steps_to_eps, s.value, s.from, maxDrift(r)];
      }),
    },
  ];
}

/** ‖H_T − H_0‖_F / ‖H_0‖_F from a run's saved tensors, at the run's rates (null without tensors). */
export function kernelChange(r: SuiteRecord): number | null {
  const t = r.tensors;
  if (!t) return null;
  const { n, d, m } = r.settings;
  const c = r.config;
  const f64 = (x: Float32Array) => Float64Array.from(x);
  const H = (W: Float32Array, a: Float32Array) => denseTangentKernel(f64(t.X), f64(W), f64(a), n, d, m, c.outputScale, c.etaW, c.etaA);
  const [H0, HT] = [H(t.W0, t.a0), H(t.W, t.a)];
  let diff = 0, base = 0;
  for (let k = 0; k < H0.length; k++) {
    diff += (HT[k] - H0[k]) ** 2;
    base += H0[k] ** 2;
  }
  return Math.sqrt(diff / base);
}

const LAZY = [
  { col: 'rel_move_w', name: '‖W−W₀‖/‖W₀‖' },
  { col: 'rel_move_a', name: '‖a−a₀‖/‖a₀‖' },
  { col: 'flip_frac', name: 'flipped activation patterns' },
] as const;

function lazyChart(result: SuiteResult): [Chart, Table] {
  const recs = recordsOf(result, 'lazy').map(({ rec }) => rec);
  const n = recs[0].settings.n;
  const scale = (r: SuiteRecord) => Math.sqrt(n / r.settings.m);
  const byM = [...groupBy(recs, (r) => r.settings.m).entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([m, rs]) => ({ m: Number(m), rs }));
  const ms = byM.map((g) => g.m);
  const changes = new Map(recs.map((r) => [r, kernelChange(r)]));
  const moved = LAZY.map(({ col, name }) => ({ col, name, s: byM.map((g) => spread(g.rs.map((r) => r.final[col] / scale(r)))) }));
  const hs = byM.map((g) => spread(g.rs.map((r) => changes.get(r))));
  const whisk = (ss: ReturnType<typeof spread>[]) => ({ lo: ss.map((s) => positive(s.q1)), hi: ss.map((s) => positive(s.q3)) });
  const range = (k: number) => {
    const v = moved[k].s.map((s) => s.med).filter(finite);
    return `${num(Math.min(...v))}–${num(Math.max(...v))}`;
  };
  const hFit = byM.map((g, k) => ({ m: g.m, h: hs[k].med })).filter((q): q is { m: number; h: number } => positive(q.h) !== null);
  const converged = byM.map((g) => `${fraction(g.rs.filter((r) => r.converged).length, g.rs.length)}`);
  return [
    {
      id: 'lazy',
      title: 'e · The lazy scale: movement, flips and the change of the kernel against m',
      caption: `At the end of training (n = ${n}; seeds converged per width ${ms.map((m, k) => `${converged[k]} at m = ${m}`).join(', ')}), medians with quartiles over seeds of the movement and the flipped fraction divided by the lazy scale √(n/m) ` +
        `(1 on the dashed line): ‖W−W₀‖/‖W₀‖ over √(n/m) spans ${range(0)}, ‖a−a₀‖/‖a₀‖ ${range(1)} and flips ${range(2)} across m = ${ms[0]}…${ms.at(-1)}; ` +
        (hFit.length >= 2
          ? `‖H_T − H₀‖_F/‖H₀‖_F (the rate-weighted tangent kernel, from the saved weights) goes from ${num(hFit[0].h)} at m = ${hFit[0].m} to ${num(hFit.at(-1)!.h)} at m = ${hFit.at(-1)!.m}, like m^${num(logSlope(hFit.map((q) => q.m), hFit.map((q) => q.h)))}.`
          : '‖H_T − H₀‖_F/‖H₀‖_F: missing (no saved tensors).'),
      x: { label: 'width m', log: true },
      y: { label: 'ratio', log: true },
      series: [
        ...moved.map(({ name, s }, k) => series(`${name} / √(n/m)`, ms, s.map((q) => positive(q.med)), CATEGORICAL[k], whisk(s))),
        series('‖H_T − H₀‖_F / ‖H₀‖_F', ms, hs.map((q) => positive(q.med)), CATEGORICAL[3], whisk(hs)),
        series('lazy scale (1)', ms, ms.map(() => 1), GREY, { dash: true, points: false }),
      ],
      marks: [],
      csv: [csvName('lazy')],
    },
    {
      columns: ['n', 'm', 'seed', 'converged', 'steps_done', 'sqrt_n_over_m', 'rel_move_w', 'rel_move_a', 'max_neuron_move', 'flip_frac', 'kernel_change'],
      rows: recs.map((r) => [n, r.settings.m, r.settings.seed, r.converged, r.steps_done, scale(r), r.final.rel_move_w, r.final.rel_move_a, r.final.max_neuron_move, r.final.flip_frac, changes.get(r) ?? null]),
    },
  ];
}

/** The largest gap between the network's loss and the kernel prediction over logged steps, in units of L₀. */
export function kernelGap(r: SuiteRecord): number | null {
  const gaps = r.rows.filter((row) => finite(row.loss_kernel)).map((row) => Math.abs(row.loss - row.loss_kernel) / r.loss0);
  return gaps.length ? Math.max(...gaps) : null;
}

function kernelChart(result: SuiteResult): [Chart, Table] {
  const recs = recordsOf(result, 'kernel').map(({ rec }) => rec);
  const groups = [...groupBy(recs, labelName).entries()];
  const per = groups.map(([label, rs]) => {
    const byM = [...groupBy(rs, (r) => r.settings.m).entries()].sort((a, b) => Number(a[0]) - Number(b[0]));
    return { label: String(label), ms: byM.map(([m]) => Number(m)), s: byM.map(([, g]) => spread(g.map(kernelGap))) };
  });
  const p = result.suite.params;
  return [
    {
      id: 'kernel',
      title: 'f · Real loss against the kernel prediction',
      caption: `The gap max_t |L(t) − L_lin(t)|/L₀ between the network's loss and its linearization at initialization (L_lin from H₀'s eigendecomposition), over ${steps(recs[0].config.steps)} steps at c = ${p.rateFactor}, n = ${recs[0].settings.n} (medians, quartiles over ${recs.length / per.reduce((s, q) => s + q.ms.length, 0)} seeds): ` +
        `${join(per.map((q) => `${q.label} ${q.ms.map((m, k) => `${num(q.s[k].med ?? NaN)} at m = ${m}`).join(', ')}`))}.`,
      x: { label: 'width m', log: true },
      y: { label: 'max gap / L₀', log: true },
      series: per.map((q, k) => series(`${q.label} labels`, q.ms, q.s.map((s) => positive(s.med)), CATEGORICAL[k], { lo: q.s.map((s) => positive(s.q1)), hi: q.s.map((s) => positive(s.q3)) })),
      marks: [],
      csv: [csvName('kernel')],
    },
    {
      columns: ['labels', 'n', 'm', 'seed', 'steps', 'gap', 'final_loss_ratio', 'final_kernel_loss_ratio'],
      rows: recs.map((r) => [labelName(r), r.settings.n, r.settings.m, r.settings.seed, r.steps_done, kernelGap(r), r.final.loss_ratio, r.final.loss_kernel / r.loss0]),
    },
  ];
}

function dimensionChart(result: SuiteResult): [Chart, Table] {
  const recs = recordsOf(result, 'dimension').map(({ rec }) => rec);
  const nominal = result.suite.params.dimension.mdOverN;
  // Runs by the nominal m·d/n they were planned at (m is rounded to an integer).
  const near = (r: SuiteRecord) => nominal.reduce((b, x) => (Math.abs(Math.log(x / mdn(r))) < Math.abs(Math.log(b / mdn(r))) ? x : b));
  const groups = [...groupBy(recs, near).entries()].sort((a, b) => Number(a[0]) - Number(b[0]));
  const per = groups.map(([x, rs]) => ({ x: Number(x), pts: successPoints(rs, (r) => r.settings.d) }));
  return [
    {
      id: 'dimension',
      title: 'g · The dependence on d at fixed m·d/n',
      caption: `Success (95% Wilson intervals) against the input dimension d at n = ${recs[0].settings.n}, with m = m·d/n · n/d rounded: ` +
        `${join(per.map((q) => `at m·d/n = ${num(q.x)} ${q.pts.map((pt) => `${fraction(pt.converged, pt.runs)} at d = ${pt.x}`).join(', ')}`))}.`,
      x: { label: 'input dimension d', log: true },
      y: { label: 'success probability', log: false, range: [0, 1.05] },
      series: per.map((q, k) => successSeries(`m·d/n = ${num(q.x)}`, q.pts, CATEGORICAL[k % CATEGORICAL.length])),
      marks: [],
      csv: [csvName('dimension')],
    },
    {
      columns: ['md_over_n', 'd', 'm', 'n', 'runs', 'converged', 'success', 'ci_low', 'ci_high'],
      rows: per.flatMap((q) => q.pts.map((pt) => [mdn(pt.rs[0]), pt.x, pt.rs[0].settings.m, pt.rs[0].settings.n, pt.runs, pt.converged, pt.success, pt.ci[0], pt.ci[1]])),
    },
  ];
}

export function headline(p: SuiteParams, f: Findings): string {
  const e = exponentText(f.exponent, f.critical);
  const at = f.critical.filter((c) => c.half).map((c) => `${num(c.half!.x)} at n = ${c.n}`);
  return `${e[0].toUpperCase()}${e.slice(1)}, at d = ${p.d}, rate factor c = ${p.rateFactor}, success L/L₀ < ${eps(p)}. ` +
    (at.length ? `Half of the seeds converge from m·d/n = ${join(at)}.` : 'No n had a ½ crossing inside its widths.');
}

export function buildReport(result: SuiteResult): Report {
  const p = result.suite.params;
  const critical = criticalPoints(result);
  const findings: Findings = { critical, exponent: criticalExponent(critical) };
  const [a, criticalTable, criticalSuccess] = criticalChart(result, findings);
  const built = [labelsChart(result), ratesChart(result), stepsizeChart(result), lazyChart(result), kernelChart(result), dimensionChart(result)];
  const b = result.backend;
  const e = findings.exponent;
  return {
    data: {
      title: 'Beyond the NTK regime: gradient descent on depth-2 ReLU networks',
      generated: result.startedAt.toISOString(),
      backend: `${b.name}${softwareNote(b)}${result.workers > 1 ? `, ${result.workers} worker threads` : ''}`,
      size: result.suite.size,
      problem:
        `Gaussian samples, standard parametrization, both layers trained at auto rates c/λ_max (c = ${p.rateFactor} unless a chart varies it), ` +
        `d = ${p.d} unless a chart varies it, budgets ${p.stepsPerSample}·n steps, success L/L₀ < ${eps(p)}`,
      runs: result.records.size,
      wallSeconds: result.wallSeconds,
      headline: headline(p, findings) + ` ${result.records.size} runs in ${duration(result.wallSeconds)}${result.resumed > 0 ? ` (${result.resumed} of them trained earlier, by an interrupted suite that this one resumed)` : ''}.`,
      charts: [a, ...built.map(([c]) => c)],
    },
    tables: {
      [CRITICAL_CSV]: criticalTable,
      [csvName('critical')]: criticalSuccess,
      ...Object.fromEntries(built.map(([c, t]) => [c.csv[0], t])),
    },
    fit: { exponent: e?.exponent ?? null, ci_low: e?.ci[0] ?? null, ci_high: e?.ci[1] ?? null, level: 0.5, n: critical.filter((c) => c.half).map((c) => c.n) },
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
