// Extreme eigenvalues of a symmetric operator known only through its products (H v = J diag(η) Jᵀ v
// on the GPU), by Lanczos with full reorthogonalization.
//
// Accuracy (exact arithmetic statements that full reorthogonalization preserves to rounding):
// - Ritz values lie inside the spectrum: λ_min ≤ min ≤ max ≤ λ_max, and tighten monotonically.
// - On convergence each extreme Ritz value has an eigenvalue within its residual
//   ρ = β_k|s_k| ≤ tol·max, i.e. absolute error ≤ tol·λ_max (and ≤ ρ²/gap, Kato–Temple, once ρ
//   is below the gap to the rest of the spectrum, so usually far better).
// - λ_min of a nearly singular H is therefore promised only to tol·λ_max ABSOLUTE: its relative
//   error can reach tol·λ_max/λ_min. Rounding in the products sets a floor on top: about
//   ε·λ_max·√n with float64 products, ~1e-7·λ_max with float32 (GPU) ones, below which λ_min
//   is not resolved at all.
// - A singular (rank-deficient) H can give min slightly below 0, of order −ε·λ_max: read any
//   |min| ≤ tol·max as "zero to working accuracy".
// - Cost: the bottom edge of a dense spectrum converges slowly; on the tangent kernel at
//   initialization (n = 200) min needed ~0.7·n products at tol = 1e-8, max only ~15.
// - The residual test cannot see an eigenvalue the Krylov space has not yet found: if the start
//   vector is nearly orthogonal to v_min, or λ_min sits in a tight cluster, `min` can converge
//   to the next eigenvalue up. The random start makes this unlikely; `vectors` lets a caller check.
import { tridiagonalEigen } from './eigen';
import { START_STREAMS, apply, axpy, checkIteration, dot, norm, startVector, type MatVec } from './vec';

export interface LanczosOptions {
  /** Products at most (default 300, never more than n). */
  maxIterations?: number;
  /** Stop when both extreme residuals are ≤ tol·|max| (default 1e-8), or the top one's alone where `only` is 'max'. */
  tol?: number;
  /** The extremes the stopping test needs: 'both' (default), or 'max' for a caller that wants λ_max alone. */
  only?: 'both' | 'max';
  /** Seed of the start vector (default 1). */
  seed?: number;
  /** The start vector instead of a seeded one (normalized here; must not be 0): a warm start from an earlier Ritz vector. */
  start?: Float64Array;
  /** Also return the Ritz vectors of min and max (unit norm). */
  vectors?: boolean;
}

export interface LanczosResult {
  min: number;
  max: number;
  vMin?: Float64Array;
  vMax?: Float64Array;
  /** Products taken (= size of the Krylov basis). */
  iterations: number;
  /** Both residuals met tol, or the Krylov space is the whole space (k = n). */
  converged: boolean;
  /** Residual bounds ‖H v − θ v‖ of the returned extreme Ritz pairs. */
  residualMin: number;
  residualMax: number;
}

export async function lanczos(matvec: MatVec, n: number, opts: LanczosOptions = {}): Promise<LanczosResult> {
  const maxIterations = Math.min(n, opts.maxIterations ?? 300);
  const tol = opts.tol ?? 1e-8;
  checkIteration('lanczos', n, maxIterations, tol);
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = opts.start ? unit(opts.start, n) : startVector(opts.seed ?? 1, START_STREAMS.lanczos, n);
  for (;;) {
    Q.push(q);
    const k = Q.length;
    const w = await apply(matvec, q);
    alpha.push(dot(q, w));
    // Full reorthogonalization against the whole basis, twice ("twice is enough"): it subsumes
    // the three-term recurrence and keeps the basis orthogonal to rounding, so no ghost
    // eigenvalues appear and β_k|s_k| is a true residual.
    for (let pass = 0; pass < 2; pass++) for (const qj of Q) axpy(-dot(qj, w), qj, w);
    const b = norm(w);
    // Only the last component of each eigenvector of T_k is needed for the residuals: O(k²).
    const { values, rows: last } = tridiagonalEigen(alpha, beta, k, k - 1, 1);
    const min = values[0], max = values[k - 1];
    const residualMin = b * Math.abs(last[0]), residualMax = b * Math.abs(last[k - 1]);
    const converged = k === n || ((opts.only === 'max' || residualMin <= tol * Math.abs(max)) && residualMax <= tol * Math.abs(max));
    if (converged || k === maxIterations) {
      const result: LanczosResult = { min, max, iterations: k, converged, residualMin, residualMax };
      if (opts.vectors) {
        const { rows: Y } = tridiagonalEigen(alpha, beta, k);
        result.vMin = ritzVector(Q, Y, 0);
        result.vMax = ritzVector(Q, Y, k - 1);
      }
      return result;
    }
    // b > 0 here: b = 0 would make both residuals 0, hence converged.
    beta.push(b);
    for (let i = 0; i < n; i++) w[i] /= b;
    q = w;
  }
}

/** v / ‖v‖, checked: a warm start must have n entries and not be 0. */
function unit(v: Float64Array, n: number): Float64Array {
  const s = norm(v);
  if (v.length !== n || !(s > 0) || !Number.isFinite(s)) throw new RangeError(`lanczos: the start vector must have ${n} finite entries, not all 0`);
  return v.map((x) => x / s);
}

/** Q y for eigenvector j of T (row j of Y), normalized. */
function ritzVector(Q: Float64Array[], Y: Float64Array, j: number): Float64Array {
  const k = Q.length;
  const v = new Float64Array(Q[0].length);
  for (let i = 0; i < k; i++) axpy(Y[j * k + i], Q[i], v);
  const s = 1 / norm(v);
  for (let i = 0; i < v.length; i++) v[i] *= s;
  return v;
}
