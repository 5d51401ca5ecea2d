// Float64 twin of shaders/matmul.wgsl and matmul_tiled.wgsl (the benchmark's yardstick).

/** Z = X Wᵀ for neurons [first, first + cols): n × cols, row-major. */
export function matmul(X: Float64Array, W: Float64Array, n: number, d: number, first: number, cols: number): Float64Array {
  const Z = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += X[i * d + k] * W[(first + j) * d + k];
      Z[i * cols + j] = s;
    }
  }
  return Z;
}
