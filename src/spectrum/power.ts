// λ_max of a symmetric PSD operator by power iteration: one product per step and O(n) memory,
// enough for the automatic rates η = c/λ_max of each tangent-kernel block.
//
// The Rayleigh quotient never exceeds λ_max, so η = c/λ errs on the large side, by the relative
// error of λ; with residual ρ = ‖H v − λ v‖ that error is at most ρ²/(gap·λ) once ρ is below
// the gap λ_1 − λ_2. Convergence is geometric with ratio (λ_2/λ_1)² in λ: slow when
// the top of the spectrum is clustered — use Lanczos there.
import { START_STREAMS, apply, checkIteration, dot, norm, startVector, type MatVec } from './vec';

export interface PowerOptions {
  /** Products at most (default 1000). */
  maxIterations?: number;
  /** Stop when ‖H v − λ v‖ ≤ tol·λ (default 1e-6). */
  tol?: number;
  /** Seed of the start vector (default 1). */
  seed?: number;
}

export interface PowerResult {
  /** Rayleigh quotient vᵀ H v of the returned v. */
  lambda: number;
  /** Unit vector. */
  v: Float64Array;
  /** Products taken. */
  iterations: number;
  converged: boolean;
}

export async function powerIteration(matvec: MatVec, n: number, opts: PowerOptions = {}): Promise<PowerResult> {
  const maxIterations = opts.maxIterations ?? 1000;
  const tol = opts.tol ?? 1e-6;
  checkIteration('powerIteration', n, maxIterations, tol);
  let v = startVector(opts.seed ?? 1, START_STREAMS.power, n);
  for (let it = 1; ; it++) {
    const w = await apply(matvec, v);
    const lambda = dot(v, w);
    let r2 = 0;
    for (let i = 0; i < n; i++) r2 += (w[i] - lambda * v[i]) ** 2;
    const converged = Math.sqrt(r2) <= tol * Math.abs(lambda);
    // H v = 0 (H = 0, almost surely, from a random start) counts as converged: 0 ≤ tol·0.
    if (converged || it === maxIterations) return { lambda, v, iterations: it, converged };
    const wn = norm(w);
    for (let i = 0; i < n; i++) w[i] /= wn;
    v = w;
  }
}
