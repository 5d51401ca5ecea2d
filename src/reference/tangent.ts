// Float64 twins of the tangent-kernel products (forward_jvp.wgsl, backward_update_vjp.wgsl): J is the n × (m·d + m)
// Jacobian of the outputs f(x_i) with respect to (W, a), and H = J diag(η) Jᵀ is the tangent
// kernel η_W·H_W + η_a·H_a of MODEL.md, applied without ever forming it.
import type { Resolved } from '../config/resolve';
import { gradients } from './backward_update';
import type { ReferenceState } from './init';

/** Jᵀ v: the backward pass with the residual r := v. uW is m×d (row r = neuron r), ua is m. */
export function vjp(
  X: Float64Array, W: Float64Array, a: Float64Array, v: Float64Array, n: number, d: number, m: number, kappa: number,
): { uW: Float64Array; ua: Float64Array } {
  const { gW, gA } = gradients(X, W, a, v, n, d, m, kappa);
  return { uW: gW, ua: gA };
}

/**
 * J u: (J u)_i = κ Σ_r [ a_r S_ir ⟨u_r, x_i⟩ + ua_r relu(z_ir) ], z_ir = ⟨w_r, x_i⟩,
 * S_ir = [z_ir > 0] (relu'(0) = 0). Sample by sample, recomputing z like forward().
 */
export function jvp(
  X: Float64Array, W: Float64Array, a: Float64Array, uW: Float64Array, ua: Float64Array,
  n: number, d: number, m: number, kappa: number,
): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let r = 0; r < m; r++) {
      let z = 0, uz = 0;
      for (let k = 0; k < d; k++) {
        z += W[r * d + k] * X[i * d + k];
        uz += uW[r * d + k] * X[i * d + k];
      }
      if (z > 0) acc += a[r] * uz + ua[r] * z;
    }
    out[i] = kappa * acc;
  }
  return out;
}

/** The sizes a tangent product needs; a Resolved config is one. */
export type TangentDims = Pick<Resolved, 'n' | 'd' | 'm' | 'outputScale'>;

/**
 * H v = J diag(η) Jᵀ v, with η = η_W on the W coordinates and η_a on the a coordinates (the
 * engine's products, step_wasm.ts, reuse the pre-activations, with these bits).
 */
export function tangentProduct(
  state: Pick<ReferenceState, 'X' | 'W' | 'a'>, dims: TangentDims, v: Float64Array, etaW: number, etaA: number,
): Float64Array {
  const { n, d, m, outputScale: kappa } = dims;
  const { uW, ua } = vjp(state.X, state.W, state.a, v, n, d, m, kappa);
  for (let k = 0; k < m * d; k++) uW[k] *= etaW;
  for (let r = 0; r < m; r++) ua[r] *= etaA;
  return jvp(state.X, state.W, state.a, uW, ua, n, d, m, kappa);
}

/**
 * The n×n kernel η_W·H_W + η_a·H_a from MODEL.md's formulas, H_W = κ²(S diag(a²) Sᵀ)∘(X Xᵀ) and
 * H_a = κ² A Aᵀ, accumulated neuron by neuron (O(n²·m + n²·d) time, one n-vector of z at a
 * time). Independent of the J products on purpose: it is what they are tested against.
 * Exactly symmetric: H_ij and H_ji come from the same operations.
 */
export function denseTangentKernel(
  X: Float64Array, W: Float64Array, a: Float64Array, n: number, d: number, m: number, kappa: number, etaW: number, etaA: number,
): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += X[i * d + k] * X[j * d + k];
      G[i * n + j] = G[j * n + i] = s;
    }
  }
  const H = new Float64Array(n * n);
  const z = new Float64Array(n);
  const active: number[] = [];
  const k2 = kappa * kappa;
  for (let r = 0; r < m; r++) {
    active.length = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += W[r * d + k] * X[i * d + k];
      z[i] = s;
      if (s > 0) active.push(i);
    }
    // Only pairs active on both samples contribute to either block; z_i·z_j is formed first so
    // that H_ij and H_ji round alike.
    const cW = k2 * etaW * a[r] * a[r], cA = k2 * etaA;
    for (const i of active) for (const j of active) H[i * n + j] += cW * G[i * n + j] + cA * (z[i] * z[j]);
  }
  return H;
}
