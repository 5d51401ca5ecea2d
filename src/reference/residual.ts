// Float64 twin of shaders/residual.wgsl.

/** r = f − y. */
export function residual(f: Float64Array, y: Float64Array): Float64Array {
  return f.map((fi, i) => fi - y[i]);
}
