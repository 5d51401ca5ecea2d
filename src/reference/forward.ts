// Float64 twin of shaders/forward.wgsl (whose per-chunk partial sums residual.wgsl adds up).

/** f_i = κ Σ_r a_r relu(⟨w_r, x_i⟩), without storing the n×m pre-activations. */
export function forward(X: Float64Array, W: Float64Array, a: Float64Array, n: number, d: number, m: number, kappa: number): Float64Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let r = 0; r < m; r++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += W[r * d + k] * X[i * d + k];
      if (z > 0) acc += a[r] * z;
    }
    f[i] = kappa * acc;
  }
  return f;
}
