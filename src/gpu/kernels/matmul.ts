import source from '../../../shaders/matmul.wgsl?raw';
import type { Dispatch, GpuContext } from '../program';

/** Z = X Wᵀ over neurons [first, first + cols) of a block: the benchmark's reference product. */
export function matmul(ctx: GpuContext, dims: GPUBuffer, X: GPUBuffer, W: GPUBuffer, Z: GPUBuffer, n: number, cols: number): Dispatch {
  const pipeline = ctx.pipeline('matmul', source);
  return { pipeline, group: ctx.bind(pipeline, [dims, X, W, Z]), x: Math.ceil(cols / 32), y: Math.ceil(n / 32) };
}

export function matmulDims(n: number, cols: number, first: number): ArrayBuffer {
  return new Uint32Array([n, cols, first, 0]).buffer;
}
