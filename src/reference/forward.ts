// Float64 twin of shaders/forward.wgsl (whose per-chunk partial sums residual.wgsl adds up).

/**
 * f_i = κ Σ_r a_r relu(⟨w_r, x_i⟩), without storing the n×m pre-activations (the engine's step,
 * step_wasm.ts, keeps them in its own memory, with these bits). Four neurons' dot products run side by side (four independent chains for the CPU to overlap,
 * twice as fast); each is still summed over k in order and added to f_i in neuron order, so the
 * bits are those of one neuron at a time.
 */
export function forward(X: Float64Array, W: Float64Array, a: Float64Array, n: number, d: number, m: number, kappa: number): Float64Array {
  const f = new Float64Array(n);
  const m4 = m - (m % 4);
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    let acc = 0;
    let r = 0;
    for (; r < m4; r += 4) {
      const w0 = r * d, w1 = w0 + d, w2 = w1 + d, w3 = w2 + d;
      let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
      for (let k = 0; k < d; k++) {
        const x = X[xi + k];
        z0 += W[w0 + k] * x;
        z1 += W[w1 + k] * x;
        z2 += W[w2 + k] * x;
        z3 += W[w3 + k] * x;
      }
      if (z0 > 0) acc += a[r] * z0;
      if (z1 > 0) acc += a[r + 1] * z1;
      if (z2 > 0) acc += a[r + 2] * z2;
      if (z3 > 0) acc += a[r + 3] * z3;
    }
    for (; r < m; r++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += W[r * d + k] * X[xi + k];
      if (z > 0) acc += a[r] * z;
    }
    f[i] = kappa * acc;
  }
  return f;
}
