import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../src/spectrum/eigen';
import { lanczos } from '../../src/spectrum/lanczos';
import { powerIteration } from '../../src/spectrum/power';
import { dense, kernelProblem, matVec, norm, withSpectrum } from '../support/spectrum';

const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
const residual = (A: Float64Array, v: Float64Array, lambda: number) => norm(matVec(A, v).map((x, i) => x - lambda * v[i]));

describe('Lanczos vs the dense eigensolver', () => {
  it('starts from a given vector: from the top eigenvector, two products give λ_max; a zero start is refused', async () => {
    const A = withSpectrum([3, 2, 1, 0.5, 0.1, 0.01], 5);
    const { values, vectors } = symmetricEigen(A, 6);
    const top = Float64Array.from({ length: 6 }, (_, i) => 7 * vectors[i * 6 + 5]);
    const L = await lanczos(dense(A), 6, { start: top, maxIterations: 2 });
    expect(rel(L.max, values[5])).toBeLessThan(1e-12);
    await expect(lanczos(dense(A), 6, { start: new Float64Array(6) })).rejects.toThrow(/start vector/);
  });

  it('tangent kernel at initialization (n = 40): λ_min and λ_max to 1e-8 relative, with Ritz vectors', async () => {
    const p = kernelProblem({ n: 40, d: 5, m: 30 });
    const n = p.c.n;
    const { values } = symmetricEigen(p.H, n);
    const L = await lanczos(p.product, n, { tol: 1e-10, vectors: true });
    expect(L.converged).toBe(true);
    expect(rel(L.min, values[0])).toBeLessThan(1e-8);
    expect(rel(L.max, values[n - 1])).toBeLessThan(1e-8);
    // The Ritz vectors are eigenvectors: residual small against λ_max.
    expect(residual(p.H, L.vMin!, L.min)).toBeLessThan(1e-9 * values[n - 1]);
    expect(residual(p.H, L.vMax!, L.max)).toBeLessThan(1e-9 * values[n - 1]);
    expect(norm(L.vMin!)).toBeCloseTo(1, 14);
  });

  it('ill-conditioned kernel (first layer only, m·d ≈ n; cond ≈ 1e7): λ_min still to 1e-8 relative', async () => {
    const p = kernelProblem({ n: 40, d: 4, m: 11, etaA: 0 });
    const n = p.c.n;
    const { values } = symmetricEigen(p.H, n);
    expect(values[n - 1] / values[0]).toBeGreaterThan(1e6);
    const L = await lanczos(p.product, n, { tol: 1e-12 });
    expect(L.converged).toBe(true);
    expect(rel(L.min, values[0])).toBeLessThan(1e-8);
    expect(rel(L.max, values[n - 1])).toBeLessThan(1e-8);
  });

  it('synthetic spectrum spanning 1 … 1e-10: λ_min to tol·λ_max absolute, from above, as documented', async () => {
    const n = 60;
    const D = Array.from({ length: n }, (_, i) => 10 ** (-10 * (i / (n - 1))));
    const A = withSpectrum(D, 3);
    for (const tol of [1e-6, 1e-8, 1e-10]) {
      const L = await lanczos(dense(A), n, { tol });
      expect(L.converged).toBe(true);
      expect(L.iterations).toBeLessThan(n);
      // Ritz values approach λ_min from above (up to rounding), within tol·λ_max: a large
      // RELATIVE error for this λ_min = 1e-10 unless tol is tiny.
      expect(L.min).toBeGreaterThan(1e-10 - 1e-16);
      expect(L.min - 1e-10).toBeLessThanOrEqual(tol * 1);
      expect(rel(L.max, 1)).toBeLessThan(1e-12);
    }
  });

  it('converges before exhausting the Krylov space when the extremes are separated (n = 300)', async () => {
    const n = 300;
    // Bulk in [1, 2], isolated extremes 0.1 and 10.
    const D = Array.from({ length: n }, (_, i) => (i === 0 ? 0.1 : i === n - 1 ? 10 : 1 + i / n));
    const A = withSpectrum(D, 4);
    const L = await lanczos(dense(A), n, { tol: 1e-9, vectors: true });
    expect(L.converged).toBe(true);
    expect(L.iterations).toBeLessThan(60);
    expect(rel(L.min, 0.1)).toBeLessThan(1e-12);
    expect(rel(L.max, 10)).toBeLessThan(1e-12);
    // The reported residual bounds are true residuals.
    expect(L.residualMin).toBeLessThanOrEqual(1e-9 * 10);
    expect(Math.abs(residual(A, L.vMin!, L.min) - L.residualMin)).toBeLessThan(1e-12);
  });

  it("stops on λ_max's residual alone where only the top is asked for (the stability monitor's test)", async () => {
    const n = 300;
    // An isolated top 10 over a bulk in [1, 2] whose bottom edge converges slowly.
    const A = withSpectrum(Array.from({ length: n }, (_, i) => (i === n - 1 ? 10 : 1 + i / n)), 5);
    const both = await lanczos(dense(A), n, { tol: 1e-6 });
    const top = await lanczos(dense(A), n, { tol: 1e-6, only: 'max' });
    expect(top.converged).toBe(true);
    expect(top.iterations).toBeLessThan(both.iterations);
    expect(top.residualMax).toBeLessThanOrEqual(1e-6 * top.max);
    expect(rel(top.max, 10)).toBeLessThan(1e-10);
  });

  it('stops at maxIterations unconverged, with Ritz values inside the spectrum; deterministic per seed', async () => {
    const p = kernelProblem({ n: 40, d: 5, m: 30 });
    const n = p.c.n;
    const { values } = symmetricEigen(p.H, n);
    const L = await lanczos(p.product, n, { maxIterations: 8, tol: 1e-12 });
    expect(L.iterations).toBe(8);
    expect(L.converged).toBe(false);
    expect(L.min).toBeGreaterThan(values[0]);
    expect(L.max).toBeLessThanOrEqual(values[n - 1] * (1 + 1e-15));
    expect(L.residualMin).toBeGreaterThan(1e-12 * L.max);
    expect(await lanczos(p.product, n, { maxIterations: 8, tol: 1e-12 })).toEqual(L);
    const other = await lanczos(p.product, n, { maxIterations: 8, tol: 1e-12, seed: 2 });
    expect(other.min).not.toBe(L.min);
  });

  it('an operator with few distinct eigenvalues stops at the invariant subspace, exactly', async () => {
    const n = 50;
    const A = withSpectrum(Array.from({ length: n }, (_, i) => [0.5, 2, 3][i % 3]), 6);
    const L = await lanczos(dense(A), n, { tol: 1e-12 });
    expect(L.converged).toBe(true);
    expect(L.iterations).toBeLessThanOrEqual(4);
    expect(rel(L.min, 0.5)).toBeLessThan(1e-13);
    expect(rel(L.max, 3)).toBeLessThan(1e-13);
  });

  it('refuses an operator returning the wrong length or a non-finite value', async () => {
    await expect(lanczos(async () => new Float64Array(3), 4)).rejects.toThrow(/3 values, expected 4/);
    await expect(lanczos(async (v) => v.map(() => NaN), 4)).rejects.toThrow(/non-finite/);
  });
});

describe('power iteration', () => {
  it('matches the dense λ_max of each tangent-kernel block and of the sum', async () => {
    const base = kernelProblem({ n: 40, d: 5, m: 30 });
    for (const rates of [{ etaW: 1, etaA: 0 }, { etaW: 0, etaA: 1 }, { etaW: base.etaW, etaA: base.etaA }]) {
      const p = kernelProblem({ n: 40, d: 5, m: 30 }, rates);
      const n = p.c.n;
      const { values } = symmetricEigen(p.H, n);
      const P = await powerIteration(p.product, n, { tol: 1e-7 });
      expect(P.converged).toBe(true);
      expect(rel(P.lambda, values[n - 1])).toBeLessThan(1e-10);
      expect(P.lambda).toBeLessThanOrEqual(values[n - 1] * (1 + 1e-14));
      expect(residual(p.H, P.v, P.lambda)).toBeLessThanOrEqual(1e-7 * P.lambda);
    }
  });

  it('stops at maxIterations unconverged on a clustered top of the spectrum', async () => {
    const A = withSpectrum([1, 0.999, 0.5, 0.2, 0.1], 8);
    const P = await powerIteration(dense(A), 5, { maxIterations: 20, tol: 1e-10 });
    expect(P.iterations).toBe(20);
    expect(P.converged).toBe(false);
    expect(P.lambda).toBeLessThan(1);
    expect(P.lambda).toBeGreaterThan(0.99);
  });
});
