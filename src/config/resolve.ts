// Turns a validated Config into the numbers every backend uses: output scale κ, the
// initial scales, numeric rates (with the estimate behind `auto`), and the reduction chunking.
import type { Config, RateSetting } from './schema';

export interface Resolved extends Omit<Config, 'etaW' | 'etaA' | 'steps'> {
  etaW: number;
  etaA: number;
  /** The step budget: as given, or from the budget rule (until λ_min(H_0) is measured, its cap). */
  steps: number;
  /** How the budget was chosen: as given, or budgetMultiple / λ_min(H_0) with the λ it used. */
  stepsRule: string;
  /** λ_min(H_0) at the run's rates, measured at initialization for `steps auto`, else null. */
  lambdaMin0: number | null;
  /** How each rate was chosen: as given, or c/λ_max of its block. */
  rateRule: { etaW: string; etaA: string };
  /** Which rates are still to be set from λ_max measured at initialization (power iteration), and whether the budget is. */
  auto: { etaW: boolean; etaA: boolean; shared: boolean; steps: boolean };
  /** κ in f(x) = κ Σ a_r relu(⟨w_r, x⟩). */
  outputScale: number;
  /** Standard deviation of each entry of W0, and scale of a0 (std for normal, magnitude for sign). */
  wScale: number;
  aScale: number;
  /** λ_max of the tangent-kernel blocks H_W and H_a at initialization: MODEL.md's rough
   * estimate until a backend measures them. `lambdaMeasured`: every block whose rate is
   * automatic was measured (a block whose rate is given keeps the rough estimate). */
  lambdaW: number;
  lambdaA: number;
  lambdaMeasured: boolean;
  /** Neurons per reduction chunk: partial outputs and metric sums are formed per chunk, in a fixed order. */
  chunkNeurons: number;
  chunks: number;
}

/** Upper bound on the number of reduction chunks: the partial-output buffer holds chunks·n floats. */
export const MAX_CHUNKS = 256;
export const MIN_CHUNK_NEURONS = 16;

/** The chunk size depends on m alone, so every block layout reduces in the same order. */
export function chunkNeuronsFor(m: number): number {
  let q = MIN_CHUNK_NEURONS;
  while (q * MAX_CHUNKS < m) q *= 2;
  return q;
}

/**
 * Rough λ_max of H_W and H_a at initialization, generalizing MODEL.md's guides
 * (λ(H_W) ≈ ¼(√n+√d)² + d/4, λ(H_a) ≈ m·n/(2π) for standard, Gaussian data) to any
 * parametrization, scale and data: E‖x‖² = d (gaussian) or 1 (sphere).
 */
export function roughLambdas(c: Pick<Resolved, 'n' | 'd' | 'm' | 'outputScale' | 'wScale' | 'aScale' | 'data'>): {
  lambdaW: number;
  lambdaA: number;
} {
  const ex2 = c.data === 'sphere' ? 1 : c.d;
  const k2 = c.outputScale * c.outputScale;
  const lambdaW = k2 * c.m * c.aScale ** 2 * (0.25 * (Math.sqrt(c.n) + Math.sqrt(c.d)) ** 2 + c.d / 4) * (ex2 / c.d);
  const varZ = c.wScale ** 2 * ex2;
  const lambdaA = k2 * c.m * varZ * (c.n / (2 * Math.PI) + 0.5 - 1 / (2 * Math.PI));
  return { lambdaW, lambdaA };
}

export function resolveConfig(c: Config): Resolved {
  const standard = c.param === 'standard';
  const outputScale = standard ? 1 : 1 / Math.sqrt(c.m);
  const wScale = standard ? c.sigmaW / Math.sqrt(c.d) : c.sigmaW;
  const aScale = standard ? c.sigmaA / Math.sqrt(c.m) : c.sigmaA;
  const { lambdaW, lambdaA } = roughLambdas({ ...c, outputScale, wScale, aScale });
  const chunkNeurons = chunkNeuronsFor(c.m);
  const auto = { etaW: c.etaW === 'auto', etaA: c.etaA === 'auto', shared: c.etaW === 'auto' && c.etaA === 'same', steps: c.steps === 'auto' };
  const base = {
    ...c, etaW: 0, etaA: 0, rateRule: { etaW: 'given', etaA: 'given' }, auto, outputScale, wScale, aScale,
    steps: c.steps === 'auto' ? c.budgetCap : c.steps,
    stepsRule: c.steps === 'auto' ? `auto: at most ${c.budgetCap} until λ_min(H_0) is measured` : 'given', lambdaMin0: null,
    lambdaW, lambdaA, lambdaMeasured: false, chunkNeurons, chunks: Math.ceil(c.m / chunkNeurons),
  };
  return withLambdas(base, lambdaW, lambdaA, false, { etaW: c.etaW, etaA: c.etaA });
}

/**
 * The rates from λ_max of each block: η = rateFactor/λ for an auto rate, one rate
 * rateFactor/(λ_W + λ_a) for `etaW auto, etaA same`. Backends call it again with the λ they
 * measure at initialization (power iteration); until then the rough estimate stands in.
 */
export function withLambdas(
  c: Resolved, lambdaW: number, lambdaA: number, measured: boolean,
  given: { etaW: RateSetting; etaA: RateSetting } = { etaW: c.auto.etaW ? 'auto' : c.etaW, etaA: c.auto.etaA ? 'auto' : c.auto.shared ? 'same' : c.etaA },
): Resolved {
  const f = c.rateFactor;
  const how = measured ? 'power iteration at init' : 'rough estimate, MODEL.md';
  const out: Resolved = { ...c, lambdaW, lambdaA, lambdaMeasured: measured, rateRule: { etaW: 'given', etaA: 'given' } };
  if (c.auto.shared) {
    out.etaW = out.etaA = f / (lambdaW + lambdaA);
    out.rateRule.etaW = out.rateRule.etaA = `${f}/(λ_W+λ_a), one rate for both layers (${how})`;
    return out;
  }
  if (given.etaW === 'auto') {
    out.etaW = f / lambdaW;
    out.rateRule.etaW = `${f}/λ_max(H_W) (${how})`;
  } else out.etaW = given.etaW as number;
  if (given.etaA === 'auto') {
    out.etaA = f / lambdaA;
    out.rateRule.etaA = `${f}/λ_max(H_a) (${how})`;
  } else if (given.etaA === 'same') {
    out.etaA = out.etaW;
    out.rateRule.etaA = 'same as etaW';
  } else out.etaA = given.etaA;
  return out;
}

/**
 * The budget rule of `steps auto`: budgetMultiple / λ_min(H_0) steps, rounded up, at most
 * budgetCap (a singular or unmeasurable H_0, λ_min ≤ 0, gets the cap). On the linearized model
 * L/L0 in the slowest direction falls like (1 − λ_min)^(2t), so the multiple is in units of
 * that direction's time scale.
 */
export function withBudget(c: Resolved, lambdaMin0: number): Resolved {
  const rule = lambdaMin0 > 0 ? Math.ceil(c.budgetMultiple / lambdaMin0) : Infinity;
  const steps = Math.min(c.budgetCap, Math.max(1, rule));
  const why = steps === c.budgetCap ? `the cap budgetCap = ${c.budgetCap}` : `${c.budgetMultiple}/λ_min(H_0)`;
  return { ...c, steps, lambdaMin0, stepsRule: `auto: min(${c.budgetCap}, ${c.budgetMultiple}/λ_min(H_0)) with λ_min(H_0) = ${lambdaMin0} (Lanczos at init): ${why}` };
}

/** The teacher network behind `teacher:<m*>` labels: same parametrization as the student, width m*. */
export function teacherOf(c: Resolved): { width: number; wScale: number; aScale: number; outputScale: number } | null {
  if (c.labels.kind !== 'teacher') return null;
  const width = c.labels.width;
  const standard = c.param === 'standard';
  return {
    width,
    wScale: c.wScale,
    aScale: standard ? c.sigmaA / Math.sqrt(width) : c.sigmaA,
    outputScale: standard ? 1 : 1 / Math.sqrt(width),
  };
}
