// Float64 twins of the init kernels (shaders/init_x.wgsl, init_labels.wgsl, init_neurons.wgsl):
// the same Philox draws, computed in double precision.
import { teacherOf, type Resolved } from '../config/resolve';
import { gaussian, sign, STREAMS } from '../model/rng';
import { forward } from './forward';

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

export interface ReferenceState {
  X: Float64Array;
  y: Float64Array;
  W: Float64Array;
  a: Float64Array;
  W0: Float64Array;
  a0: Float64Array;
}

/** X, y, W0, a0 of a config, from the same random streams as the GPU init kernels. */
export function initialState(c: Resolved, labelValues?: Float64Array): ReferenceState {
  const X = initX(c.seed, c.n, c.d, c.data === 'sphere');
  let y: Float64Array;
  const teacher = teacherOf(c);
  if (labelValues) y = Float64Array.from(labelValues);
  else if (teacher) {
    const t = initNeurons(
      { seed: c.seed, streamW: STREAMS.teacherW, streamA: STREAMS.teacherA, wScale: teacher.wScale, aScale: teacher.aScale, signA: false },
      teacher.width, c.d,
    );
    y = forward(X, t.W, t.a, c.n, c.d, teacher.width, teacher.outputScale);
  } else if (c.labels.kind === 'sign' || c.labels.kind === 'gaussian') y = initLabels(c.seed, c.n, c.labels.kind);
  else if (c.labels.kind === 'adversarial') y = new Float64Array(c.n); // set from H_0 by the instruments
  else throw new Error(`labels ${c.labels.kind} need their values`);
  const { W, a } = initNeurons(
    { seed: c.seed, streamW: STREAMS.w, streamA: STREAMS.a, wScale: c.wScale, aScale: c.aScale, signA: c.outputInit === 'sign' },
    c.m, c.d,
  );
  return { X, y, W, a, W0: W.slice(), a0: a.slice() };
}
