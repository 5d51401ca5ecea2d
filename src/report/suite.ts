// The experiment suite behind `shallow-gd experiments`, as data: six experiments, each a list
// of configs, in three sizes. Runs shared by several experiments (the width × seed grid feeds
// the loss curves, the success probability, the movement and the rate sweep's base runs) have
// the same run id and are trained once.
import { buildConfig, type Config, type SettingKey } from '../config/schema';
import { runId } from '../sweep/grid';

export type SuiteSize = 'tiny' | 'default' | 'full';
export type ExperimentId = 'loss' | 'success' | 'movement' | 'spectrum' | 'kernel' | 'rates';
export const EXPERIMENT_IDS: readonly ExperimentId[] = ['loss', 'success', 'movement', 'spectrum', 'kernel', 'rates'];

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
}

export interface Experiment {
  id: ExperimentId;
  runs: PlannedRun[];
}

/** The sizes of one suite: what the charts and the summary describe. */
export interface SuiteParams {
  n: number;
  d: number;
  /** Widths of the grid (loss, success, movement). */
  widths: number[];
  seeds: number[];
  steps: number;
  eps: number;
  /** Widths whose tangent-kernel spectrum is logged, and at how many steps per decade (Lanczos costs ~0.7·n products each). */
  spectrumWidths: number[];
  spectrumPerDecade: number;
  /** Widths of the real-vs-kernel comparison; those runs go on for all kernelSteps (no stop at eps) so both curves are drawn. */
  kernelWidths: number[];
  kernelSteps: number;
  /** Width and seeds of the rate sweep, and the factors applied to the auto ratio etaW/etaA. */
  rateWidth: number;
  rateSeeds: number[];
  rateFactors: number[];
}

export interface Suite {
  size: SuiteSize;
  params: SuiteParams;
  experiments: Experiment[];
}

export const SUITE_PARAMS: Record<SuiteSize, SuiteParams> = {
  // Seconds: for tests.
  tiny: {
    n: 16, d: 4, widths: [2, 4, 16, 64], seeds: [1, 2], steps: 10_000, eps: 1e-6,
    spectrumWidths: [4, 16], spectrumPerDecade: 3, kernelWidths: [16], kernelSteps: 1000,
    rateWidth: 16, rateSeeds: [1], rateFactors: [0.1, 1, 10],
  },
  // n = 64, d = 8: m(d+1) = n at m ≈ 7, m·d = n² at m = 512, m = n² at m = 4096. About 5 minutes on
  // the CPU reference of a 2-core machine.
  default: {
    n: 64, d: 8, widths: [4, 8, 16, 32, 64, 128, 256, 512, 1024], seeds: [1, 2, 3, 4, 5], steps: 20_000, eps: 1e-6,
    spectrumWidths: [16, 64, 512], spectrumPerDecade: 5, kernelWidths: [32, 512], kernelSteps: 5000,
    rateWidth: 64, rateSeeds: [1, 2, 3], rateFactors: [0.01, 0.1, 1, 10, 100],
  },
  // For a GPU: n = 256, d = 16: m(d+1) = n at m ≈ 15, m·d = n² at m = 4096, m = n² at m = 65536.
  full: {
    n: 256, d: 16, widths: [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], steps: 100_000, eps: 1e-6,
    spectrumWidths: [32, 512, 8192], spectrumPerDecade: 5, kernelWidths: [64, 4096], kernelSteps: 20_000,
    rateWidth: 256, rateSeeds: [1, 2, 3, 4, 5], rateFactors: [0.01, 0.1, 1, 10, 100],
  },
};

/**
 * The rate pair of a `ratio` run from the measured auto rates (etaW, etaA) = c/λ_max of each
 * block. The ratio etaW/etaA moves by `factor` by lowering one rate, never raising either: each
 * block keeps η·λ_max ≤ c, so the step stays as stable as the auto one while the layer whose
 * rate drops trains slower. factor = 1 is the auto pair itself.
 */
export function ratesFor(auto: { etaW: number; etaA: number }, factor: number): { etaW: number; etaA: number } {
  return factor >= 1 ? { etaW: auto.etaW, etaA: auto.etaA / factor } : { etaW: auto.etaW * factor, etaA: auto.etaA };
}

function planned(given: Partial<Record<SettingKey, unknown>>, extra: Omit<PlannedRun, 'id' | 'settings'> = {}): PlannedRun {
  const settings = buildConfig(given);
  return { id: runId(settings), settings, ...extra };
}

export function buildSuite(size: SuiteSize): Suite {
  const p = SUITE_PARAMS[size];
  // Every run: the razborov preset (standard parametrization, both layers, auto rates), ±1 labels.
  const common = { n: p.n, d: p.d, steps: p.steps, eps: p.eps };
  const grid = p.widths.flatMap((m) => p.seeds.map((seed) => planned({ ...common, m, seed })));
  const spectrum = p.spectrumWidths.map((m) => planned({ ...common, m, seed: p.seeds[0], spectrum: true, logPerDecade: p.spectrumPerDecade }));
  const kernel = (['sign', 'adversarial'] as const).flatMap((labels) =>
    p.kernelWidths.map((m) => planned({ ...common, m, seed: p.seeds[0], labels, linearized: true, stopAtEps: false, steps: p.kernelSteps })),
  );
  const rates = p.rateSeeds.flatMap((seed) => {
    const base = { ...common, m: p.rateWidth, seed };
    const auto = planned(base, { rates: { kind: 'ratio', factor: 1 } });
    return [
      planned({ ...base, preset: 'oymak-soltanolkotabi' }, { rates: { kind: 'preset', preset: 'oymak-soltanolkotabi' } }),
      planned({ ...base, preset: 'random-features' }, { rates: { kind: 'preset', preset: 'random-features' } }),
      // The auto run first: the others of its seed scale its measured rates.
      auto,
      ...p.rateFactors.filter((f) => f !== 1).map((factor): PlannedRun => (
        { id: `${auto.id} ratio×${factor}`, settings: auto.settings, rates: { kind: 'ratio', factor }, baseId: auto.id }
      )),
    ];
  });
  return {
    size,
    params: p,
    experiments: [
      { id: 'loss', runs: grid.filter((r) => r.settings.seed === p.seeds[0]) },
      { id: 'success', runs: grid },
      { id: 'movement', runs: grid },
      { id: 'spectrum', runs: spectrum },
      { id: 'kernel', runs: kernel },
      { id: 'rates', runs: rates },
    ],
  };
}

/** Each distinct run once, in suite order (a derived ratio run after its base). */
export function distinctRuns(s: Suite): PlannedRun[] {
  const seen = new Map<string, PlannedRun>();
  for (const e of s.experiments) for (const r of e.runs) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}
