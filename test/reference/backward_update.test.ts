import { describe, expect, it } from 'vitest';
import { gradients } from '../../src/reference/backward_update';
import { forward } from '../../src/reference/forward';
import { initNeurons, initX } from '../../src/reference/init';
import { loss } from '../../src/reference/loss';
import { residual } from '../../src/reference/residual';

describe('reference gradients', () => {
  it('match central finite differences of L = ½‖f − y‖² for both layers', () => {
    const n = 12, d = 5, m = 7, kappa = 0.8;
    const X = initX(3, n, d, false);
    const { W, a } = initNeurons({ seed: 3, streamW: 2, streamA: 3, wScale: 0.5, aScale: 0.4, signA: false }, m, d);
    const y = X.subarray(0, n).map((_, i) => Math.sin(i));
    const L = (Wv: Float64Array, av: Float64Array) => loss(residual(forward(X, Wv, av, n, d, m, kappa), y));
    const r = residual(forward(X, W, a, n, d, m, kappa), y);
    const { gW, gA } = gradients(X, W, a, r, n, d, m, kappa);
    const h = 1e-6;
    let checked = 0;
    for (let k = 0; k < m * d; k++) {
      const Wp = W.slice(), Wm = W.slice();
      Wp[k] += h;
      Wm[k] -= h;
      const fd = (L(Wp, a) - L(Wm, a)) / (2 * h);
      expect(Math.abs(fd - gW[k])).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
      checked++;
    }
    for (let j = 0; j < m; j++) {
      const ap = a.slice(), am = a.slice();
      ap[j] += h;
      am[j] -= h;
      const fd = (L(W, ap) - L(W, am)) / (2 * h);
      expect(Math.abs(fd - gA[j])).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
    }
    expect(checked).toBe(m * d);
    // The check is not vacuous: the gradient is far from zero.
    expect(Math.max(...gW.map(Math.abs))).toBeGreaterThan(1e-2);
  });

  it('the blocked forward has the bits of one neuron at a time, at m not a multiple of its blocks', () => {
    for (const [n, d, m] of [[9, 5, 7], [16, 8, 12], [5, 3, 1]]) {
      const X = initX(4, n, d, false);
      const { W, a } = initNeurons({ seed: 4, streamW: 2, streamA: 3, wScale: 0.6, aScale: 0.5, signA: false }, m, d);
      const f = forward(X, W, a, n, d, m, 0.7);
      // One neuron at a time, the order the blocked forward must keep.
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < m; j++) {
          let z = 0;
          for (let k = 0; k < d; k++) z += W[j * d + k] * X[i * d + k];
          if (z > 0) acc += a[j] * z;
        }
        expect(f[i]).toBe(0.7 * acc);
      }
      // Not vacuous: some sample has active neurons.
      expect(Math.max(...f.map(Math.abs))).toBeGreaterThan(1e-3);
    }
  });
});
