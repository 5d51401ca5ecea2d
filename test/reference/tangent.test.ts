import { describe, expect, it } from 'vitest';
import { forward } from '../../src/reference/forward';
import { denseTangentKernel, jvp, tangentProduct, vjp } from '../../src/reference/tangent';
import { kernelProblem, matVec, maxAbs, normals } from '../support/spectrum';

const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i], 0);

describe('tangent-kernel products (float64 reference)', () => {
  const p = kernelProblem({ n: 20, d: 5, m: 30 });
  const { n, d, m, outputScale: kappa } = p.c;
  const { X, W, a } = p.s;

  it('H v = J diag(η) Jᵀ v equals the dense kernel from MODEL.md times v, for each block and both', () => {
    expect(p.etaW).toBeGreaterThan(0);
    expect(p.etaA).toBeGreaterThan(0);
    for (const [etaW, etaA] of [[p.etaW, p.etaA], [p.etaW, 0], [0, p.etaA]]) {
      const H = denseTangentKernel(X, W, a, n, d, m, kappa, etaW, etaA);
      for (const seed of [1, 2, 3]) {
        const v = normals(seed, n);
        const want = matVec(H, v);
        const got = tangentProduct(p.s, p.c, v, etaW, etaA);
        expect(maxAbs(got.map((x, i) => x - want[i]))).toBeLessThan(1e-13 * maxAbs(want));
        // Not vacuous: the product is far from zero.
        expect(maxAbs(want)).toBeGreaterThan(1e-3);
      }
    }
  });

  it('the dense kernel is exactly symmetric and positive semidefinite on random directions', () => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(p.H[i * n + j]).toBe(p.H[j * n + i]);
    for (const seed of [4, 5, 6]) {
      const v = normals(seed, n);
      expect(dot(v, matVec(p.H, v))).toBeGreaterThan(0);
    }
  });

  it('jvp and vjp are adjoint: ⟨J u, v⟩ = ⟨u, Jᵀ v⟩', () => {
    for (const seed of [7, 8]) {
      const uW = normals(seed, m * d), ua = normals(seed + 100, m), v = normals(seed + 200, n);
      const Ju = jvp(X, W, a, uW, ua, n, d, m, kappa);
      const { uW: gW, ua: gA } = vjp(X, W, a, v, n, d, m, kappa);
      const lhs = dot(Ju, v);
      const rhs = dot(uW, gW) + dot(ua, gA);
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * (Math.abs(lhs) + 1));
      expect(Math.abs(lhs)).toBeGreaterThan(1e-2);
    }
  });

  it('jvp is the directional derivative of the forward pass', () => {
    const uW = normals(9, m * d), ua = normals(10, m);
    const h = 1e-6;
    const at = (s: number) => forward(X, W.map((w, k) => w + s * uW[k]), a.map((x, j) => x + s * ua[j]), n, d, m, kappa);
    const fd = at(h).map((x, i) => (x - at(-h)[i]) / (2 * h));
    const Ju = jvp(X, W, a, uW, ua, n, d, m, kappa);
    // f is piecewise quadratic in (W, a): central differences are exact up to rounding while no pattern flips.
    expect(maxAbs(Ju.map((x, i) => x - fd[i]))).toBeLessThan(1e-7 * maxAbs(Ju));
    expect(maxAbs(Ju)).toBeGreaterThan(1e-2);
  });
});
