import { describe, expect, it } from 'vitest';
import { forward } from '../../src/reference/forward';
import { loss } from '../../src/reference/loss';
import { residual } from '../../src/reference/residual';
import { symmetricEigen } from '../../src/spectrum/eigen';
import { adversarialLabels, labelsFromVector, linearizedLoss } from '../../src/spectrum/kernel_prediction';
import { lanczos } from '../../src/spectrum/lanczos';
import { kernelProblem, matVec, norm } from '../support/spectrum';

/** ½‖r_t‖² along r ↦ (I − H) r, recorded at the given steps. */
function iterate(H: Float64Array, r0: Float64Array, steps: number[]): number[] {
  const out: number[] = [];
  let r = r0.slice();
  const last = Math.max(...steps);
  for (let t = 0; t <= last; t++) {
    if (steps.includes(t)) out.push(loss(r));
    const Hr = matVec(H, r);
    r = r.map((x, i) => x - Hr[i]);
  }
  return out;
}

describe('L_lin vs explicitly iterating r ↦ (I − H_0) r', () => {
  const steps = [0, 1, 2, 10, 100, 1000, 10000];

  it('at the auto rates (stable, λ_max < 1): agree from t = 0 to t = 10⁴', () => {
    const p = kernelProblem({ n: 40, d: 5, m: 30 });
    const { n, d, m, outputScale } = p.c;
    const { values, vectors } = symmetricEigen(p.H, n);
    expect(values[n - 1]).toBeLessThan(1);
    const r0 = residual(forward(p.s.X, p.s.W0, p.s.a0, n, d, m, outputScale), p.s.y);
    const want = iterate(p.H, r0, steps);
    const got = linearizedLoss(values, vectors, r0, steps);
    expect(got[0]).toBeCloseTo(loss(r0), 12);
    for (let k = 0; k < steps.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-9 * want[k]);
    // Not vacuous: the curve falls by orders of magnitude, yet is not at zero.
    expect(want[steps.length - 1] / want[0]).toBeLessThan(1e-2);
    expect(want[steps.length - 1]).toBeGreaterThan(1e-12);
  });

  it('with rates large enough that 1 < λ_max < 2 (oscillating top mode), and past 2 (divergent)', () => {
    const base = kernelProblem({ n: 40, d: 5, m: 30 });
    for (const [scale, T] of [[1.6, 2000], [2.6, 60]]) {
      const p = kernelProblem({ n: 40, d: 5, m: 30 }, { etaW: scale * base.etaW, etaA: scale * base.etaA });
      const { n, d, m, outputScale } = p.c;
      const { values, vectors } = symmetricEigen(p.H, n);
      expect(values[n - 1]).toBeGreaterThan(1);
      const r0 = residual(forward(p.s.X, p.s.W0, p.s.a0, n, d, m, outputScale), p.s.y);
      const at = [0, 1, 5, T];
      const want = iterate(p.H, r0, at);
      const got = linearizedLoss(values, vectors, r0, at);
      for (let k = 0; k < at.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-8 * want[k]);
      if (values[n - 1] > 2) expect(want[3]).toBeGreaterThan(1e3 * want[0]);
    }
  });

  it('refuses negative or fractional steps', () => {
    const one = Float64Array.of(1);
    expect(() => linearizedLoss(Float64Array.of(0.5), one, one, [1.5])).toThrow(RangeError);
    expect(() => linearizedLoss(Float64Array.of(0.5), one, one, [-1])).toThrow(RangeError);
  });
});

describe('adversarial labels', () => {
  const p = kernelProblem({ n: 40, d: 5, m: 30 });
  const n = p.c.n;
  const { values, vectors } = symmetricEigen(p.H, n);

  it('are a unit eigenvector of λ_min (residual small) scaled to √n, largest component positive', () => {
    const y = adversarialLabels(values, vectors);
    expect(norm(y)).toBeCloseTo(Math.sqrt(n), 12);
    const Hy = matVec(p.H, y);
    expect(norm(Hy.map((x, i) => x - values[0] * y[i]))).toBeLessThan(1e-12 * values[n - 1] * Math.sqrt(n));
    // An eigenvector of λ_min, not of another eigenvalue: its Rayleigh quotient is λ_min.
    expect(Math.abs(Hy.reduce((s, x, i) => s + x * y[i], 0) / n - values[0])).toBeLessThan(1e-12 * values[n - 1]);
    const big = y.reduce((b, x, i) => (Math.abs(x) > Math.abs(y[b]) ? i : b), 0);
    expect(y[big]).toBeGreaterThan(0);
    // The sign convention makes v and −v give the same labels.
    const flipped = labelsFromVector(y.map((x) => -x / 7));
    expect(norm(flipped.map((x, i) => x - y[i]))).toBeLessThan(1e-14 * Math.sqrt(n));
  });

  it('agree between the dense solver and Lanczos vMin', async () => {
    const L = await lanczos(p.product, n, { tol: 1e-10, vectors: true });
    const fromLanczos = labelsFromVector(L.vMin!);
    const y = adversarialLabels(values, vectors);
    expect(norm(fromLanczos.map((x, i) => x - y[i]))).toBeLessThan(1e-6 * Math.sqrt(n));
  });

  it('are the labels the linearized model fits most slowly', () => {
    const y = adversarialLabels(values, vectors);
    // Zero output, so that r0 = −y exactly; compare with the ±1 labels of the config.
    const zero = new Float64Array(n);
    const adv = linearizedLoss(values, vectors, residual(zero, y), [0, 1000]);
    const sign = linearizedLoss(values, vectors, residual(zero, p.s.y), [0, 1000]);
    expect(adv[0]).toBeCloseTo(sign[0], 10);
    expect(adv[1] / adv[0]).toBeCloseTo((1 - values[0]) ** 2000, 10);
    expect(adv[1]).toBeGreaterThan(10 * sign[1]);
  });
});
