// Dense symmetric eigensolver: Householder tridiagonalization + implicit QL with
// Wilkinson-type shifts (EISPACK tred2/tql2, as in JAMA), O(n³).
//
// Internally the orthogonal factor is held transposed (row j of Z is column j of V), so
// every O(n³) loop — the Householder updates and the QL rotations — runs over contiguous
// memory; the result is transposed once at the end.

export interface Eigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Row-major n×n; eigenvector j (unit norm, for values[j]) is COLUMN j: vectors[i*n + j]. */
  vectors: Float64Array;
}

/** Iterations allowed per eigenvalue in the QL sweep; EISPACK uses 30, convergence is cubic. */
const MAX_QL_ITERATIONS = 60;

/**
 * All eigenpairs of the symmetric n×n matrix A (row-major, not modified). Only the lower
 * triangle is read. Eigenvalues have absolute error about ε·‖A‖₂ (backward stable), so
 * small eigenvalues of an ill-conditioned A are accurate only to that absolute level.
 */
export function symmetricEigen(A: Float64Array, n: number): Eigen {
  if (!Number.isInteger(n) || n < 0 || A.length !== n * n) throw new RangeError(`symmetricEigen: A must hold n×n = ${n}×${n} values`);
  for (let k = 0; k < A.length; k++) if (!Number.isFinite(A[k])) throw new RangeError('symmetricEigen: A has a non-finite entry');
  // Z = Aᵀ, so that Z's upper triangle is A's lower triangle.
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Z[j * n + i] = A[i * n + j];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(Z, n, d, e);
    // tred2 leaves e[i] coupling i−1 and i; tql2 wants e[i] coupling i and i+1.
    for (let i = 1; i < n; i++) e[i - 1] = e[i];
    e[n - 1] = 0;
    tql2(d, e, Z, n);
  }
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) vectors[i * n + j] = Z[j * n + i];
  return { values: d, vectors };
}

/**
 * Eigenpairs of the symmetric tridiagonal matrix with diagonal `diag` (k values) and
 * off-diagonal `off` (off[i] couples i and i+1; k−1 values used). `track` rows of the
 * eigenvector matrix are computed: eigenvector j restricted to components
 * `first .. first+track−1` is returned as row j of `rows` (k × track). Tracking only the last
 * component (first = k−1, track = 1) costs O(k²), which is what Lanczos needs at each step.
 */
export function tridiagonalEigen(
  diag: ArrayLike<number>, off: ArrayLike<number>, k: number, first = 0, track = k,
): { values: Float64Array; rows: Float64Array } {
  if (first < 0 || track < 0 || first + track > k) throw new RangeError('tridiagonalEigen: tracked components out of range');
  const d = new Float64Array(k);
  const e = new Float64Array(k);
  for (let i = 0; i < k; i++) d[i] = diag[i];
  for (let i = 0; i + 1 < k; i++) e[i] = off[i];
  // Row i starts as e_i restricted to the tracked components.
  const rows = new Float64Array(k * track);
  for (let c = 0; c < track; c++) rows[(first + c) * track + c] = 1;
  if (k > 0) tql2(d, e, rows, track);
  return { values: d, rows };
}

/** Math.hypot without its variadic overhead; scaled against overflow. */
function hypot(a: number, b: number): number {
  let x = Math.abs(a), y = Math.abs(b);
  if (x < y) [x, y] = [y, x];
  if (x === 0) return 0;
  const t = y / x;
  return x * Math.sqrt(1 + t * t);
}

/**
 * Householder reduction of the symmetric matrix held in Z (upper triangle of Z = lower
 * triangle of A) to tridiagonal form: d gets the diagonal, e[i] the entry coupling i−1 and
 * i (e[0] = 0), and Z the accumulated transform, transposed: row j of Z is column j of V.
 * In the comments, V[k][j] ≡ Z[j*n + k] names JAMA's indexing.
 */
function tred2(Z: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = Z[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = Z[j * n + i - 1];
        Z[j * n + i] = 0;
        Z[i * n + j] = 0;
      }
    } else {
      // Householder vector, scaled against under/overflow.
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = (lower part of the working matrix) · u, using its symmetry.
      for (let j = 0; j < i; j++) {
        f = d[j];
        Z[i * n + j] = f; // V[j][i]: the Householder vector, kept for the accumulation
        const row = j * n;
        g = e[j] + Z[row + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += Z[row + k] * d[k];
          e[k] += Z[row + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      // Rank-2 update of the remaining block.
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const row = j * n;
        for (let k = j; k <= i - 1; k++) Z[row + k] -= f * e[k] + g * d[k];
        d[j] = Z[row + i - 1];
        Z[row + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    Z[i * n + n - 1] = Z[i * n + i];
    Z[i * n + i] = 1;
    const h = d[i + 1];
    const u = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = Z[u + k] / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += Z[u + k] * Z[row + k];
        for (let k = 0; k <= i; k++) Z[row + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) Z[u + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = Z[j * n + n - 1];
    Z[j * n + n - 1] = 0;
  }
  Z[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL on the tridiagonal (d, e[i] coupling i and i+1), applying every rotation to
 * the rows of Z (k rows of `len` values; row j ends as eigenvector j, or the tracked part of
 * it). Eigenvalues end in d, ascending, with Z's rows permuted alike.
 */
function tql2(d: Float64Array, e: Float64Array, Z: Float64Array, len: number): void {
  const k = d.length;
  const eps = 2 ** -52;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < k; l++) {
    // Find a negligible subdiagonal element (relative to the matrix's scale so far).
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < k - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) throw new Error('symmetric eigensolver: QL iteration did not converge');
        // Implicit shift.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < k; i++) d[i] -= h;
        f += h;
        // Implicit QL transformation.
        p = d[m];
        let c = 1, c2 = 1, c3 = 1;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const a = i * len, b = (i + 1) * len;
          for (let q = 0; q < len; q++) {
            const zb = Z[b + q];
            Z[b + q] = s * Z[a + q] + c * zb;
            Z[a + q] = c * Z[a + q] - s * zb;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Selection sort, ascending, moving the rows of Z along.
  for (let i = 0; i < k - 1; i++) {
    let j = i;
    for (let q = i + 1; q < k; q++) if (d[q] < d[j]) j = q;
    if (j !== i) {
      [d[i], d[j]] = [d[j], d[i]];
      for (let q = 0; q < len; q++) [Z[i * len + q], Z[j * len + q]] = [Z[j * len + q], Z[i * len + q]];
    }
  }
}
