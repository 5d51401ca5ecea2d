// Float64 twin of shaders/neuron_stats.wgsl: per-neuron quantities behind the logged metrics.
import { STAT, STAT_COUNT } from '../model/constants';


/**
 * For each neuron: ‖w_r−w_r(0)‖², ‖w_r(0)‖², (a_r−a_r(0))², a_r(0)², the relative move,
 * the number of samples whose activation changed since step 0, whether it is active on
 * any sample, its squared gradient norm ‖∇w_r‖² + (∇a_r)², and the drift of the quantity
 * ‖w_r‖²/η_W − a_r²/η_a (conserved under gradient flow) relative to its initial scale,
 * leaving out a layer whose rate is 0.
 */
export function neuronStats(
  X: Float64Array, W: Float64Array, W0: Float64Array, a: Float64Array, a0: Float64Array, r: Float64Array,
  n: number, d: number, m: number, kappa: number, etaW: number, etaA: number,
): Float64Array {
  const out = new Float64Array(m * STAT_COUNT);
  const g = new Float64Array(d);
  for (let j = 0; j < m; j++) {
    let dW2 = 0, w02 = 0, w2 = 0;
    for (let k = 0; k < d; k++) {
      const w0 = W0[j * d + k];
      dW2 += (W[j * d + k] - w0) ** 2;
      w02 += w0 * w0;
      w2 += W[j * d + k] ** 2;
    }
    g.fill(0);
    let ga = 0, flips = 0, active = 0;
    for (let i = 0; i < n; i++) {
      let z = 0, z0 = 0;
      for (let k = 0; k < d; k++) {
        z += W[j * d + k] * X[i * d + k];
        z0 += W0[j * d + k] * X[i * d + k];
      }
      if (z > 0 !== z0 > 0) flips++;
      if (z > 0) {
        active = 1;
        for (let k = 0; k < d; k++) g[k] += r[i] * X[i * d + k];
        ga += r[i] * z;
      }
    }
    let g2 = 0;
    for (let k = 0; k < d; k++) g2 += (kappa * a[j] * g[k]) ** 2;
    g2 += (kappa * ga) ** 2;
    const o = j * STAT_COUNT;
    out[o + STAT.dW2] = dW2;
    out[o + STAT.w02] = w02;
    out[o + STAT.dA2] = (a[j] - a0[j]) ** 2;
    out[o + STAT.a02] = a0[j] * a0[j];
    out[o + STAT.move] = w02 > 0 ? Math.sqrt(dW2 / w02) : 0;
    out[o + STAT.flips] = flips;
    out[o + STAT.active] = active;
    out[o + STAT.grad2] = g2;
    const iW = etaW > 0 ? 1 / etaW : 0, iA = etaA > 0 ? 1 / etaA : 0;
    const scale = w02 * iW + a0[j] * a0[j] * iA;
    const drift = Math.abs(w2 * iW - a[j] * a[j] * iA - (w02 * iW - a0[j] * a0[j] * iA));
    out[o + STAT.cons] = scale > 0 ? drift / scale : 0;
  }
  return out;
}
