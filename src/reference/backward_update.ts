// Float64 twin of shaders/backward_update*.wgsl: both gradients at the same point, then both updates.

/**
 * ∇W row r = κ a_r Σ_i r_i S_ir x_i and ∇a_r = κ Σ_i r_i S_ir z_ir, S_ir = [z_ir > 0].
 * Computed neuron by neuron (no n×m storage), as the kernel does. `signs` gives S instead, as
 * backward_update_masked.wgsl takes it from the forward pass's mask.
 */
export function gradients(
  X: Float64Array, W: Float64Array, a: Float64Array, r: Float64Array, n: number, d: number, m: number, kappa: number,
  signs?: (i: number, j: number) => boolean,
): { gW: Float64Array; gA: Float64Array } {
  const gW = new Float64Array(m * d);
  const gA = new Float64Array(m);
  const g = new Float64Array(d);
  for (let j = 0; j < m; j++) {
    g.fill(0);
    let ga = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += W[j * d + k] * X[i * d + k];
      if (signs ? signs(i, j) : z > 0) {
        for (let k = 0; k < d; k++) g[k] += r[i] * X[i * d + k];
        ga += r[i] * z;
      }
    }
    scaleGradients(gW, gA, g, ga, j, a[j], d, kappa);
  }
  return { gW, gA };
}

/** Neuron j's sums (g = Σ_i r_i S_ij x_i, ga = Σ_i r_i S_ij z_ij) into its gradients. */
function scaleGradients(gW: Float64Array, gA: Float64Array, g: Float64Array, ga: number, j: number, aj: number, d: number, kappa: number): void {
  for (let k = 0; k < d; k++) gW[j * d + k] = kappa * aj * g[k];
  gA[j] = kappa * ga;
}

/** W ← W − η_W ∇W, a ← a − η_a ∇a, in place. */
export function update(W: Float64Array, a: Float64Array, g: { gW: Float64Array; gA: Float64Array }, etaW: number, etaA: number): void {
  for (let k = 0; k < W.length; k++) W[k] -= etaW * g.gW[k];
  for (let j = 0; j < a.length; j++) a[j] -= etaA * g.gA[j];
}

/** One GD step on both layers: W ← W − η_W ∇W, a ← a − η_a ∇a, in place. */
export function backwardUpdate(
  X: Float64Array, W: Float64Array, a: Float64Array, r: Float64Array,
  n: number, d: number, m: number, kappa: number, etaW: number, etaA: number, signs?: (i: number, j: number) => boolean,
): void {
  update(W, a, gradients(X, W, a, r, n, d, m, kappa, signs), etaW, etaA);
}
