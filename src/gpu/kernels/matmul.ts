import registers from '../../../shaders/matmul.wgsl?raw';
import tiled from '../../../shaders/matmul_tiled.wgsl?raw';
import type { Dispatch, GpuContext } from '../program';

/** The yardstick's variants: output columns and rows per workgroup of each. */
export const MATMUL_VARIANTS = {
  registers: { source: registers, tile: 32 },
  tiled: { source: tiled, tile: 64 },
} as const;
export type MatmulVariant = keyof typeof MATMUL_VARIANTS;

/** Z = X Wᵀ over neurons [first, first + cols) of a block: the benchmark's reference product. */
export function matmul(
  ctx: GpuContext, variant: MatmulVariant, dims: GPUBuffer, X: GPUBuffer, W: GPUBuffer, Z: GPUBuffer, n: number, cols: number,
): Dispatch {
  const { source, tile } = MATMUL_VARIANTS[variant];
  const pipeline = ctx.pipeline(`matmul_${variant}`, source);
  return { pipeline, group: ctx.bind(pipeline, [dims, X, W, Z]), x: Math.ceil(cols / tile), y: Math.ceil(n / tile) };
}

export function matmulDims(n: number, cols: number, first: number): ArrayBuffer {
  return new Uint32Array([n, cols, first, 0]).buffer;
}
