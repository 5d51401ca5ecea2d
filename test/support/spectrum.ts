// Shared fixtures of the spectrum tests: a deterministic generator, dense algebra, small problems.
import { resolveConfig, type Resolved } from '../../src/config/resolve';
import { buildConfig, type SettingKey } from '../../src/config/schema';
import { denseTangentKernel, tangentProduct } from '../../src/reference/tangent';
import { initialState, type ReferenceState } from '../../src/reference/init';
import { symmetricEigen } from '../../src/spectrum/eigen';
import type { Trainer } from '../../src/train/trainer';

/** Standard normals from a seeded xorshift + Box–Muller (test data only). */
export function normals(seed: number, count: number): Float64Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 2 ** 32;
  };
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

export function matVec(A: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += A[i * n + k] * v[k];
    out[i] = s;
  }
  return out;
}

export const dense = (A: Float64Array) => async (v: Float64Array) => matVec(A, v);

export const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => Math.max(s, Math.abs(v)), 0);
export const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

/** A random orthogonal n×n matrix: the product of n Householder reflections of random vectors. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const g = normals(seed, n * n);
  for (let h = 0; h < n; h++) {
    const u = g.subarray(h * n, (h + 1) * n);
    const uu = u.reduce((s, x) => s + x * x, 0);
    // Q ← Q (I − 2uuᵀ/uᵀu)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * u[k];
      const c = (2 * s) / uu;
      for (let k = 0; k < n; k++) Q[i * n + k] -= c * u[k];
    }
  }
  return Q;
}

/** Q diag(D) Qᵀ with a random orthogonal Q, made exactly symmetric. */
export function withSpectrum(D: ArrayLike<number>, seed: number): Float64Array {
  const n = D.length;
  const Q = randomOrthogonal(n, seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * D[k] * Q[j * n + k];
      A[i * n + j] = A[j * n + i] = s;
    }
  }
  return A;
}

/** max_j ‖A v_j − λ_j v_j‖ over the eigenpairs (eigenvector j in column j). */
export function maxResidual(A: Float64Array, values: Float64Array, vectors: Float64Array): number {
  const n = values.length;
  let worst = 0;
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = vectors[i * n + j];
    const Av = matVec(A, v);
    worst = Math.max(worst, norm(Av.map((x, i) => x - values[j] * v[i])));
  }
  return worst;
}

/** max |VᵀV − I|. */
export function orthogonalityError(V: Float64Array, n: number): number {
  let worst = 0;
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += V[i * n + p] * V[i * n + q];
      worst = Math.max(worst, Math.abs(s - (p === q ? 1 : 0)));
    }
  }
  return worst;
}

export interface KernelProblem {
  c: Resolved;
  s: ReferenceState;
  etaW: number;
  etaA: number;
  /** The dense kernel η_W·H_W + η_a·H_a at initialization. */
  H: Float64Array;
  /** Its matrix-free product. */
  product: (v: Float64Array) => Promise<Float64Array>;
}

/** The model at initialization (auto rates unless given) with its tangent kernel. */
export function kernelProblem(given: Partial<Record<SettingKey, unknown>>, rates?: { etaW: number; etaA: number }): KernelProblem {
  // The spectrum tests scale rates from c = 0.5 ones (the default when they were written).
  const c = resolveConfig(buildConfig({ rateFactor: 0.5, ...given }));
  const s = initialState(c);
  const { etaW, etaA } = rates ?? c;
  const H = denseTangentKernel(s.X, s.W, s.a, c.n, c.d, c.m, c.outputScale, etaW, etaA);
  return { c, s, etaW, etaA, H, product: async (v) => tangentProduct(s, c, v, etaW, etaA) };
}

/** λ_max of the dense H at the trainer's current state and rates, from its n products (the columns of H). */
export async function denseLambdaMax(t: Trainer): Promise<number> {
  const { n, etaW, etaA } = t.config;
  const H = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const col = await t.tangentProduct(e, etaW, etaA);
    for (let i = 0; i < n; i++) H[i * n + j] = col[i];
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
  return symmetricEigen(H, n).values[n - 1];
}
