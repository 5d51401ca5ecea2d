import { describe, expect, it } from 'vitest';
import { symmetricEigen, tridiagonalEigen } from '../../src/spectrum/eigen';
import { maxResidual, normals, orthogonalityError, withSpectrum } from '../support/spectrum';

describe('symmetricEigen', () => {
  it('diagonal: sorted values, unit coordinate vectors', () => {
    const D = [3, -2, 7.5, 0, -2.25, 1e-3];
    const n = D.length;
    const A = new Float64Array(n * n);
    D.forEach((x, i) => (A[i * n + i] = x));
    const { values, vectors } = symmetricEigen(A, n);
    expect(Array.from(values)).toEqual([...D].sort((x, y) => x - y));
    for (let j = 0; j < n; j++) {
      // Column j is ±e_i for the i with D[i] = values[j].
      const i = D.indexOf(values[j]);
      for (let r = 0; r < n; r++) expect(Math.abs(vectors[r * n + j])).toBe(r === i ? 1 : 0);
    }
  });

  it('rotated diagonal Q D Qᵀ: the known spectrum, tiny residuals, orthonormal vectors; A untouched', () => {
    const n = 60;
    const D = Array.from({ length: n }, (_, i) => Math.sin(1.3 * i) * 10 + (i % 7));
    const A = withSpectrum(D, 5);
    const copy = A.slice();
    const { values, vectors } = symmetricEigen(A, n);
    const sorted = [...D].sort((x, y) => x - y);
    for (let j = 0; j < n; j++) expect(Math.abs(values[j] - sorted[j])).toBeLessThan(1e-12 * 20);
    expect(maxResidual(A, values, vectors)).toBeLessThan(1e-12 * 20);
    expect(orthogonalityError(vectors, n)).toBeLessThan(1e-13);
    expect(A).toEqual(copy);
  });

  it('repeated eigenvalues: multiplicities kept, any orthonormal basis of each eigenspace', () => {
    const D = [2, 2, 2, -1, -1, 5, 0, 0, 0, 0, 2, 5];
    const n = D.length;
    const A = withSpectrum(D, 9);
    const { values, vectors } = symmetricEigen(A, n);
    const sorted = [...D].sort((x, y) => x - y);
    for (let j = 0; j < n; j++) expect(Math.abs(values[j] - sorted[j])).toBeLessThan(1e-13 * 5);
    expect(maxResidual(A, values, vectors)).toBeLessThan(1e-13 * 5);
    expect(orthogonalityError(vectors, n)).toBeLessThan(1e-14);
  });

  it('a random dense matrix (n = 400): backward-stable residuals and orthogonality', () => {
    const n = 400;
    const g = normals(11, n * n);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = g[i * n + j];
    const { values, vectors } = symmetricEigen(A, n);
    // ‖A‖₂ ≈ 2√n = 40 for this Wigner matrix.
    expect(values[n - 1]).toBeGreaterThan(30);
    for (let j = 1; j < n; j++) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += A[i * n + i];
    expect(Math.abs(values.reduce((s, x) => s + x, 0) - trace)).toBeLessThan(1e-10);
    expect(maxResidual(A, values, vectors)).toBeLessThan(40 * 1e-13);
    expect(orthogonalityError(vectors, n)).toBeLessThan(1e-13);
  });

  it('reads only the lower triangle', () => {
    const n = 8;
    const A = withSpectrum([1, 2, 3, 4, 5, 6, 7, 8], 2);
    const B = A.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) B[i * n + j] = 99;
    expect(symmetricEigen(B, n).values).toEqual(symmetricEigen(A, n).values);
  });

  it('edge cases: n = 1, the zero matrix; bad input is refused', () => {
    expect(symmetricEigen(Float64Array.of(-4), 1)).toEqual({ values: Float64Array.of(-4), vectors: Float64Array.of(1) });
    const z = symmetricEigen(new Float64Array(9), 3);
    expect(Array.from(z.values)).toEqual([0, 0, 0]);
    expect(orthogonalityError(z.vectors, 3)).toBe(0);
    expect(() => symmetricEigen(new Float64Array(8), 3)).toThrow(RangeError);
    expect(() => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2)).toThrow(/non-finite/);
  });
});

describe('tridiagonalEigen', () => {
  it('tracking the last component only gives the last row of the full eigenvectors', () => {
    const k = 30;
    const diag = normals(3, k), off = normals(4, k - 1);
    const full = tridiagonalEigen(diag, off, k);
    const last = tridiagonalEigen(diag, off, k, k - 1, 1);
    expect(last.values).toEqual(full.values);
    for (let j = 0; j < k; j++) expect(Math.abs(last.rows[j] - full.rows[j * k + k - 1])).toBeLessThan(1e-14);
    // The full rows are the eigenvectors of T: T y_j = λ_j y_j.
    for (let j = 0; j < k; j++) {
      const y = full.rows.subarray(j * k, (j + 1) * k);
      for (let i = 0; i < k; i++) {
        const Ty = diag[i] * y[i] + (i > 0 ? off[i - 1] * y[i - 1] : 0) + (i < k - 1 ? off[i] * y[i + 1] : 0);
        expect(Math.abs(Ty - full.values[j] * y[i])).toBeLessThan(1e-13);
      }
    }
  });
});
