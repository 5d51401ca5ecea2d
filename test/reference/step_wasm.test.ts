import { describe, expect, it } from 'vitest';
import { gradients, update } from '../../src/reference/backward_update';
import { forward } from '../../src/reference/forward';
import { initNeurons, initX } from '../../src/reference/init';
import { residual } from '../../src/reference/residual';
import { createReferenceStep, stepBytes } from '../../src/reference/step_wasm';
import { tangentProduct } from '../../src/reference/tangent';

const KAPPA = 0.3;
const ETA_W = 0.7, ETA_A = 1.3;

/** A problem whose steps move W and a enough that the active sets change between steps. */
function problem(n: number, d: number, m: number, seed: number) {
  const X = initX(seed, n, d, false);
  const { W, a } = initNeurons({ seed, streamW: 2, streamA: 3, wScale: 0.7, aScale: 0.9, signA: false }, m, d);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * i + seed));
  return { X, W, a, y, eta: 1 / (n * m * KAPPA * KAPPA) };
}

/** Which (sample, neuron) pairs are active, as one string. */
function activePattern(X: Float64Array, W: Float64Array, n: number, d: number, m: number): string {
  let s = '';
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += W[j * d + k] * X[i * d + k];
      s += z > 0 ? '1' : '0';
    }
  return s;
}

describe('the WebAssembly step', () => {
  // Sizes that are not multiples of its blocks (4 samples, 4 neurons, 8 and 2 coordinates), and one of each below them.
  const sizes = [[67, 13, 30], [5, 130, 7], [1, 1, 1], [8, 8, 8], [33, 2, 5], [6, 17, 4]];

  it('gives forward.ts, backward_update.ts and tangent.ts\'s bits: f, W and a over steps, and the tangent product between them', () => {
    for (const [n, d, m] of sizes) {
      const p = problem(n, d, m, n + d);
      const k = createReferenceStep(p.X, p.W, p.a, n, d, m, KAPPA, 8 * n * m);
      const W = p.W.slice(), a = p.a.slice();
      let activeChanged = false;
      let before = '';
      for (let step = 0; step < 6; step++) {
        const f = forward(p.X, W, a, n, d, m, KAPPA);
        expect(k.forward()).toEqual(f);
        const active = activePattern(p.X, W, n, d, m);
        activeChanged ||= before !== '' && active !== before;
        before = active;
        const r = residual(f, p.y);
        expect(k.tangentProduct(r, ETA_W, ETA_A)).toEqual(tangentProduct({ X: p.X, W, a }, { n, d, m, outputScale: KAPPA }, r, ETA_W, ETA_A));
        update(W, a, gradients(p.X, W, a, r, n, d, m, KAPPA), p.eta, 2 * p.eta);
        k.backwardUpdate(r, p.eta, 2 * p.eta);
        expect(k.W).toEqual(W);
        expect(k.a).toEqual(a);
      }
      expect(k.X).toEqual(p.X);
      // The steps were not vacuous: W moved, and so did some neuron's active set (1×1×1 is there for its bounds alone).
      if (n * m > 1) {
        expect(W).not.toEqual(p.W);
        expect(activeChanged).toBe(true);
      }
    }
  });

  it('recomputes the pre-activations in chunks of rows where they do not fit, with the same bits', () => {
    const n = 67, d = 13, m = 30;
    const p = problem(n, d, m, 9);
    // Room for 8 rows of Z: 9 chunks, the last of 3 rows.
    const k = createReferenceStep(p.X, p.W, p.a, n, d, m, KAPPA, 8 * 8 * m + 7);
    expect(stepBytes(n, d, m, 8 * 8 * m)).toBeLessThan(stepBytes(n, d, m, 8 * n * m));
    const W = p.W.slice(), a = p.a.slice();
    for (let step = 0; step < 4; step++) {
      const f = forward(p.X, W, a, n, d, m, KAPPA);
      expect(k.forward()).toEqual(f);
      const r = residual(f, p.y);
      expect(k.tangentProduct(r, ETA_W, ETA_A)).toEqual(tangentProduct({ X: p.X, W, a }, { n, d, m, outputScale: KAPPA }, r, ETA_W, ETA_A));
      update(W, a, gradients(p.X, W, a, r, n, d, m, KAPPA), p.eta, p.eta);
      k.backwardUpdate(r, p.eta, p.eta);
      expect(k.W).toEqual(W);
      expect(k.a).toEqual(a);
    }
    expect(W).not.toEqual(p.W);
  });

  it('computes the pre-activations at the current W itself when a product or an update comes right after an update', () => {
    const n = 10, d = 3, m = 6;
    const p = problem(n, d, m, 2);
    const k = createReferenceStep(p.X, p.W, p.a, n, d, m, KAPPA, 8 * n * m);
    const W = p.W.slice(), a = p.a.slice();
    // No forward() before the first update, nor between the updates and the product.
    for (let step = 0; step < 2; step++) {
      const r = residual(forward(p.X, W, a, n, d, m, KAPPA), p.y);
      update(W, a, gradients(p.X, W, a, r, n, d, m, KAPPA), p.eta, p.eta);
      k.backwardUpdate(r, p.eta, p.eta);
    }
    expect(k.W).toEqual(W);
    expect(k.tangentProduct(p.y, ETA_W, ETA_A)).toEqual(tangentProduct({ X: p.X, W, a }, { n, d, m, outputScale: KAPPA }, p.y, ETA_W, ETA_A));
  });
});
