// What the linearized (NTK, lazy) model predicts from the tangent kernel at initialization:
// the loss curve L_lin(t), and the labels a kernel method fits most slowly.
//
// H is the kernel WITH the rates folded in (H_t = η_W·H_W + η_a·H_a), so one linearized GD
// step is r ↦ (I − H) r. Both functions take an eigendecomposition in symmetricEigen's layout:
// values[j] with eigenvector j in COLUMN j of the row-major n×n `vectors`.

/**
 * L_lin(t) = ½ Σ_j (1−λ_j)^{2t} (v_jᵀ r0)² for each t in `steps` (non-negative integers).
 * For 0 ≤ λ < 1 the factor is exp(2t·log1p(−λ)), which keeps full relative accuracy for the
 * tiny λ that dominate large t; directions with λ > 2 grow, as they do under GD.
 */
export function linearizedLoss(values: Float64Array, vectors: Float64Array, r0: Float64Array, steps: number[]): number[] {
  const n = values.length;
  if (vectors.length !== n * n || r0.length !== n) throw new RangeError(`linearizedLoss: need n = ${n} values, n×n vectors and n residuals`);
  for (const t of steps) if (!Number.isInteger(t) || t < 0) throw new RangeError(`linearizedLoss: steps must be non-negative integers, got ${t}`);
  // Squared coordinates of r0 in the eigenbasis: c_j² = (v_jᵀ r0)².
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = r0[i];
    for (let j = 0; j < n; j++) c[j] += vectors[i * n + j] * ri;
  }
  for (let j = 0; j < n; j++) c[j] *= c[j];
  return steps.map((t) => {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const lam = values[j];
      const factor = lam < 1 ? Math.exp(2 * t * Math.log1p(-lam)) : ((lam - 1) * (lam - 1)) ** t;
      s += factor * c[j];
    }
    return 0.5 * s;
  });
}

/**
 * Adversarial labels y = √n · v_min(H_0): the unit eigenvector of the smallest eigenvalue,
 * scaled so that ‖y‖² = n like ±1 labels, with the sign fixed by `labelsFromVector`.
 */
export function adversarialLabels(values: Float64Array, vectors: Float64Array): Float64Array {
  const n = values.length;
  if (n === 0 || vectors.length !== n * n) throw new RangeError(`adversarialLabels: need n ≥ 1 values and n×n vectors`);
  let jMin = 0;
  for (let j = 1; j < n; j++) if (values[j] < values[jMin]) jMin = j;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = vectors[i * n + jMin];
  return labelsFromVector(v);
}

/**
 * √n · v/‖v‖ with a deterministic sign: the component of largest magnitude (the first of them
 * on an exact tie) is made positive. Unlike "first nonzero component positive", this does not
 * hinge on a component that is zero up to rounding, so two solvers (dense, Lanczos, CPU, GPU)
 * agree on the sign unless two components tie in magnitude. Also takes Lanczos' vMin directly.
 */
export function labelsFromVector(v: Float64Array): Float64Array {
  const n = v.length;
  let big = 0;
  let nrm2 = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
    nrm2 += v[i] * v[i];
  }
  if (!(nrm2 > 0) || !Number.isFinite(nrm2)) throw new RangeError('labelsFromVector: v must be a finite nonzero vector');
  const s = (v[big] < 0 ? -1 : 1) * Math.sqrt(n / nrm2);
  return v.map((x) => s * x);
}
