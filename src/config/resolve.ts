// Turns a validated Config into the numbers every backend uses: output scale κ, the
// initial scales, numeric rates (with the estimate behind `auto`), and the reduction chunking.
import type { Config } from './schema';

export interface Resolved extends Omit<Config, 'etaW' | 'etaA'> {
  etaW: number;
  etaA: number;
  /** How each rate was chosen: as given, or c/λ̂ from the rough estimate below. */
  rateRule: { etaW: string; etaA: string };
  /** κ in f(x) = κ Σ a_r relu(⟨w_r, x⟩). */
  outputScale: number;
  /** Standard deviation of each entry of W0, and scale of a0 (std for normal, magnitude for sign). */
  wScale: number;
  aScale: number;
  /** Rough λ_max of the tangent-kernel blocks H_W and H_a at initialization (MODEL.md). */
  lambdaW: number;
  lambdaA: number;
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
  const f = c.rateFactor;
  let etaW: number;
  let etaA: number;
  const rateRule = { etaW: 'given', etaA: 'given' };
  if (c.etaW === 'auto' && c.etaA === 'same') {
    etaW = etaA = f / (lambdaW + lambdaA);
    rateRule.etaW = rateRule.etaA = `${f}/(λ̂_W+λ̂_a), one rate for both layers`;
  } else {
    if (c.etaW === 'auto') {
      etaW = f / lambdaW;
      rateRule.etaW = `${f}/λ̂_W`;
    } else etaW = c.etaW as number;
    if (c.etaA === 'auto') {
      etaA = f / lambdaA;
      rateRule.etaA = `${f}/λ̂_a`;
    } else if (c.etaA === 'same') {
      etaA = etaW;
      rateRule.etaA = 'same as etaW';
    } else etaA = c.etaA;
  }
  const chunkNeurons = chunkNeuronsFor(c.m);
  return {
    ...c,
    etaW,
    etaA,
    rateRule,
    outputScale,
    wScale,
    aScale,
    lambdaW,
    lambdaA,
    chunkNeurons,
    chunks: Math.ceil(c.m / chunkNeurons),
  };
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
