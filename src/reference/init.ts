// Float64 twins of the init kernels (shaders/init_x.wgsl, init_labels.wgsl, init_neurons.wgsl):
// the same Philox draws, computed in double precision.
import { gaussian, sign, STREAMS } from '../model/rng';

/** X (n×d, row-major), rows N(0, I_d), or normalized to the unit sphere. */
export function initX(seed: number, n: number, d: number, sphere: boolean): Float64Array {
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm2 = 0;
    for (let k = 0; k < d; k++) {
      const g = gaussian(seed, STREAMS.x, i, k);
      X[i * d + k] = g;
      norm2 += g * g;
    }
    if (sphere) {
      const s = 1 / Math.sqrt(norm2);
      for (let k = 0; k < d; k++) X[i * d + k] *= s;
    }
  }
  return X;
}

/** Labels drawn from the seed: uniform ±1 or standard normal. */
export function initLabels(seed: number, n: number, kind: 'sign' | 'gaussian'): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = kind === 'sign' ? sign(seed, STREAMS.labels, i, 0) : gaussian(seed, STREAMS.labels, i, 0);
  return y;
}

export interface NeuronInit {
  seed: number;
  streamW: number;
  streamA: number;
  wScale: number;
  aScale: number;
  signA: boolean;
}

/** W (m×d) with entries wScale·N(0,1) and a with aScale·N(0,1) or ±aScale; neuron r uses counter index r. */
export function initNeurons(p: NeuronInit, m: number, d: number): { W: Float64Array; a: Float64Array } {
  const W = new Float64Array(m * d);
  const a = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    for (let k = 0; k < d; k++) W[r * d + k] = p.wScale * gaussian(p.seed, p.streamW, r, k);
    a[r] = p.aScale * (p.signA ? sign(p.seed, p.streamA, r, 0) : gaussian(p.seed, p.streamA, r, 0));
  }
  return { W, a };
}
