// The experiment suite behind `shallow-gd experiments`, as data: seven experiments, each a list
// of configs, in three sizes. Runs shared by several experiments (the n = 64 widths of the
// critical-width grid feed the label, rate-ratio and lazy-scale charts) have the same run id
// and are trained once.
//
// Every run passes its rate factor explicitly (not the schema's default): c = 0.1 keeps the
// rate-weighted sharpness below 2 on these problems, where the outcome no longer depends on
// the step size (the step-size experiment shows where it starts to). Step budgets grow with n
// and with 1/c, so that a run which ran out of steps near the transition is not read as one
// that stalled.
import { buildConfig, type Config, type LabelSpec, type SettingKey } from '../config/schema';
import { runId } from '../sweep/grid';
import type { Keep } from '../sweep/keep';
import type { SweepRecord } from '../sweep/record';
import type { BackendInfo, Tensors } from '../model/engine';
import type { Row } from '../model/metrics';

export type SuiteSize = 'tiny' | 'default' | 'full';
export type ExperimentId = 'critical' | 'labels' | 'rates' | 'stepsize' | 'lazy' | 'kernel' | 'dimension';
export const EXPERIMENT_IDS: readonly ExperimentId[] = ['critical', 'labels', 'rates', 'stepsize', 'lazy', 'kernel', 'dimension'];

/** How a run of the rate sweep trains the two layers. */
export type RateMode =
  | { kind: 'preset'; preset: 'oymak-soltanolkotabi' | 'random-features' }
  /** Both layers; etaW/etaA is the auto ratio times `factor` (see ratesFor). */
  | { kind: 'ratio'; factor: number };

export interface PlannedRun {
  id: string;
  settings: Config;
  /** Rate-sweep runs: how the rates are set. */
  rates?: RateMode;
  /**
   * A ratio run other than factor 1: the id of the auto-rate run whose measured rates it scales.
   * Its `settings` are that run's until then (explicit rates are known only after it ran).
   */
  baseId?: string;
  /** The lazy-scale runs keep their tensors: the report compares H_T with H_0 from them. */
  keep: Keep;
}

export interface Experiment {
  id: ExperimentId;
  runs: PlannedRun[];
}

/** A grid of widths given as m·d/n (m = round(x·n/d), at least 1), with its seeds. */
export interface WidthGrid {
  n: number;
  mdOverN: number[];
  seeds: number;
}

/** The sizes of one suite: what the charts and the summary describe. */
export interface SuiteParams {
  d: number;
  eps: number;
  /** c in η = c/λ_max of each block, for every run but the step-size sweep's. */
  rateFactor: number;
  /** The step budget at c = rateFactor is stepsPerSample·n, and goes as 1/c at other c. */
  stepsPerSample: number;
  /** a: the critical width for each n, d fixed. */
  critical: { ns: number[]; mdOverN: number[]; seeds: number };
  /** b: success against m·d/n for several label kinds. */
  labels: WidthGrid & { labels: LabelSpec[] };
  /** c: the rate ratio as factors of the auto ratio, plus one layer only. */
  rates: WidthGrid & { factors: number[] };
  /** d: step-size control, the rate factors c. */
  stepsize: WidthGrid & { factors: number[]; perDecade: number };
  /** e: movement, flips and ‖H_T − H_0‖ against m. */
  lazy: { n: number; widths: number[]; seeds: number };
  /** f: real loss against the kernel prediction; these runs go on for `steps` (no stop at eps). */
  kernel: { n: number; widths: number[]; seeds: number; steps: number };
  /** g: the dependence on d at fixed m·d/n. */
  dimension: WidthGrid & { ds: number[] };
}

export interface Suite {
  size: SuiteSize;
  params: SuiteParams;
  experiments: Experiment[];
}

const seedList = (count: number) => Array.from({ length: count }, (_, k) => k + 1);
const ROOT2 = [0.5, 0.71, 1, 1.41, 2, 2.83, 4, 5.66, 8];

export const SUITE_PARAMS: Record<SuiteSize, SuiteParams> = {
  // Seconds: for tests.
  tiny: {
    d: 4, eps: 1e-6, rateFactor: 0.1, stepsPerSample: 500,
    critical: { ns: [8, 12, 16], mdOverN: [0.5, 1, 2, 4, 8], seeds: 3 },
    labels: { n: 12, mdOverN: [1, 4], seeds: 2, labels: [{ kind: 'sign' }, { kind: 'adversarial' }] },
    rates: { n: 12, mdOverN: [1, 4], seeds: 2, factors: [0.1, 1, 10] },
    stepsize: { n: 12, mdOverN: [4], seeds: 2, factors: [0.5, 0.1], perDecade: 3 },
    lazy: { n: 12, widths: [4, 16], seeds: 2 },
    kernel: { n: 12, widths: [16], seeds: 2, steps: 500 },
    dimension: { n: 12, mdOverN: [4], seeds: 2, ds: [2, 4] },
  },
  // d = 8; about 15 minutes on the CPU pool of a 2-core machine. The width grids bracket the
  // transition measured at c = 0.1 (½ of the seeds converge near m·d/n ≈ 1.6 at n = 64).
  default: {
    d: 8, eps: 1e-6, rateFactor: 0.1, stepsPerSample: 500,
    critical: { ns: [16, 32, 64, 128, 256], mdOverN: ROOT2.slice(1, -1), seeds: 20 },
    labels: {
      n: 64, mdOverN: [1, 1.41, 2, 2.83, 4, 5.66], seeds: 20,
      labels: [{ kind: 'sign' }, { kind: 'gaussian' }, { kind: 'adversarial' }, { kind: 'teacher', width: 8 }],
    },
    rates: { n: 64, mdOverN: [1.41, 2, 4], seeds: 20, factors: [0.01, 0.1, 1, 10, 100] },
    stepsize: { n: 64, mdOverN: [1.41, 2, 4], seeds: 10, factors: [0.5, 0.2, 0.1, 0.05], perDecade: 10 },
    // 1710 runs in 15 min 26 s on the CPU pool of this 2-core machine (docs/BENCHMARKS.md).
    lazy: { n: 64, widths: [8, 16, 32, 64, 128, 256, 512, 1024], seeds: 10 },
    kernel: { n: 64, widths: [16, 64, 256, 1024], seeds: 5, steps: 10_000 },
    dimension: { n: 64, mdOverN: [2, 4], seeds: 10, ds: [2, 4, 8, 16, 32] },
  },
  // For a GPU: n to 1024.
  full: {
    d: 8, eps: 1e-6, rateFactor: 0.1, stepsPerSample: 500,
    critical: { ns: [16, 32, 64, 128, 256, 512, 1024], mdOverN: ROOT2, seeds: 20 },
    labels: {
      n: 256, mdOverN: [1, 1.41, 2, 2.83, 4, 5.66, 8], seeds: 20,
      labels: [{ kind: 'sign' }, { kind: 'gaussian' }, { kind: 'adversarial' }, { kind: 'teacher', width: 16 }],
    },
    rates: { n: 256, mdOverN: [1.41, 2, 2.83, 4, 8], seeds: 20, factors: [0.01, 0.1, 1, 10, 100] },
    stepsize: { n: 256, mdOverN: [1.41, 2, 4, 8], seeds: 20, factors: [0.5, 0.2, 0.1, 0.05], perDecade: 10 },
    lazy: { n: 256, widths: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384], seeds: 10 },
    kernel: { n: 256, widths: [64, 256, 1024, 4096, 16384], seeds: 5, steps: 40_000 },
    dimension: { n: 256, mdOverN: [2, 4], seeds: 20, ds: [2, 4, 8, 16, 32, 64] },
  },
};

/** The step budget at n and rate factor c: stepsPerSample·n at the suite's c, in proportion to 1/c at others (the same time c·steps). */
export function stepBudget(p: SuiteParams, n: number, c = p.rateFactor): number {
  return Math.round((p.stepsPerSample * n * p.rateFactor) / c);
}

/** The widths of a grid at n and d: m = round(x·n/d), at least 1, each once. */
export function widthsOf(mdOverN: readonly number[], n: number, d: number): number[] {
  return [...new Set(mdOverN.map((x) => Math.max(1, Math.round((x * n) / d))))];
}

/**
 * The rate pair of a `ratio` run from the measured auto rates (etaW, etaA) = c/λ_max of each
 * block. The ratio etaW/etaA moves by `factor` by lowering one rate, never raising either: each
 * block keeps η·λ_max ≤ c, so the step stays as stable as the auto one while the layer whose
 * rate drops trains slower. factor = 1 is the auto pair itself.
 */
export function ratesFor(auto: { etaW: number; etaA: number }, factor: number): { etaW: number; etaA: number } {
  return factor >= 1 ? { etaW: auto.etaW, etaA: auto.etaA / factor } : { etaW: auto.etaW * factor, etaA: auto.etaA };
}

type Given = Partial<Record<SettingKey, unknown>>;

function planned(given: Given, extra: Partial<Omit<PlannedRun, 'id' | 'settings'>> = {}): PlannedRun {
  const settings = buildConfig(given);
  return { id: runId(settings), settings, keep: { rows: true }, ...extra };
}

export function buildSuite(size: SuiteSize): Suite {
  const p = SUITE_PARAMS[size];
  // Every run: the razborov preset (standard parametrization, both layers, auto rates) at the
  // suite's rate factor, ±1 labels unless said otherwise.
  const base = (n: number, d = p.d, c = p.rateFactor): Given => ({ n, d, eps: p.eps, rateFactor: c, steps: stepBudget(p, n, c) });
  const grid = (g: WidthGrid, more: Given = {}, d = p.d) =>
    widthsOf(g.mdOverN, g.n, d).flatMap((m) => seedList(g.seeds).map((seed) => planned({ ...base(g.n, d), m, seed, ...more })));

  const critical = p.critical.ns.flatMap((n) => grid({ ...p.critical, n }));
  const labels = p.labels.labels.flatMap((labels) => grid(p.labels, { labels }));
  const rates = widthsOf(p.rates.mdOverN, p.rates.n, p.d).flatMap((m) => seedList(p.rates.seeds).flatMap((seed) => {
    const at = { ...base(p.rates.n), m, seed };
    const auto = planned(at, { rates: { kind: 'ratio', factor: 1 } });
    return [
      planned({ ...at, preset: 'oymak-soltanolkotabi' }, { rates: { kind: 'preset', preset: 'oymak-soltanolkotabi' } }),
      planned({ ...at, preset: 'random-features' }, { rates: { kind: 'preset', preset: 'random-features' } }),
      auto,
      ...p.rates.factors.filter((f) => f !== 1).map((factor): PlannedRun => (
        { id: `${auto.id} ratio×${factor}`, settings: auto.settings, rates: { kind: 'ratio', factor }, baseId: auto.id, keep: auto.keep }
      )),
    ];
  }));
  const s = p.stepsize;
  // Every run's stability monitor gives its peak sharpness (the records' peak_sharpness).
  const stepsize = s.factors.flatMap((c) => widthsOf(s.mdOverN, s.n, p.d).flatMap((m) => seedList(s.seeds).map((seed) =>
    planned({ ...base(s.n, p.d, c), m, seed, logPerDecade: s.perDecade }))));
  const lazy = p.lazy.widths.flatMap((m) => seedList(p.lazy.seeds).map((seed) =>
    planned({ ...base(p.lazy.n), m, seed }, { keep: { rows: true, tensors: true } })));
  const k = p.kernel;
  const kernel = (['sign', 'adversarial'] as const).flatMap((labels) => k.widths.flatMap((m) => seedList(k.seeds).map((seed) =>
    planned({ ...base(k.n), m, seed, labels: { kind: labels }, linearized: true, stopAtEps: false, steps: k.steps }))));
  const dimension = p.dimension.ds.flatMap((d) => grid(p.dimension, {}, d));
  return {
    size,
    params: p,
    experiments: [
      { id: 'critical', runs: critical },
      { id: 'labels', runs: labels },
      { id: 'rates', runs: rates },
      { id: 'stepsize', runs: stepsize },
      { id: 'lazy', runs: lazy },
      { id: 'kernel', runs: kernel },
      { id: 'dimension', runs: dimension },
    ],
  };
}

/** Each distinct run once, in suite order (a derived ratio run after its base), keeping what any of its experiments needs. */
export function distinctRuns(s: Suite): PlannedRun[] {
  const seen = new Map<string, PlannedRun>();
  for (const e of s.experiments)
    for (const r of e.runs) {
      const had = seen.get(r.id);
      seen.set(r.id, had ? { ...had, keep: { rows: had.keep.rows || r.keep.rows, tensors: had.keep.tensors || r.keep.tensors } } : r);
    }
  return [...seen.values()];
}

export interface SuiteRecord extends SweepRecord {
  rows: Row[];
  tensors?: Tensors;
}

export interface SuiteResult {
  suite: Suite;
  backend: BackendInfo;
  /** By planned run id. */
  records: Map<string, SuiteRecord>;
  /** Runs kept by an earlier, interrupted suite: not timed by wallSeconds. */
  resumed: number;
  /** Stopped before every run finished: no report is built from it. */
  interrupted: boolean;
  startedAt: Date;
  wallSeconds: number;
  /** Worker threads that trained the runs (1: one after another). */
  workers: number;
}
