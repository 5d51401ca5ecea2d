import registers from '../../../shaders/matmul.wgsl?raw';
import registerBlock from '../../../shaders/register_block.wgsl?raw';
import tiled from '../../../shaders/matmul_tiled.wgsl?raw';
import tileProduct from '../../../shaders/tile_product.wgsl?raw';
import type { Dispatch, GpuContext } from '../program';

/** The yardstick's variants: their WGSL sources, and output columns and rows per workgroup. */
export const MATMUL_VARIANTS = {
  registers: { sources: [registerBlock, registers], tile: 32 },
  tiled: { sources: [tileProduct, tiled], tile: 64 },
} as const;
export type MatmulVariant = keyof typeof MATMUL_VARIANTS;

/** Z = X Wᵀ over neurons [first, first + cols) of a block: the benchmark's reference product. */
export function matmul(
  ctx: GpuContext, variant: MatmulVariant, dims: GPUBuffer, X: GPUBuffer, W: GPUBuffer, Z: GPUBuffer, n: number, cols: number,
): Dispatch {
  const { sources, tile } = MATMUL_VARIANTS[variant];
  const pipeline = ctx.pipeline(`matmul_${variant}`, sources);
  return { pipeline, group: ctx.bind(pipeline, [dims, X, W, Z]), x: Math.ceil(cols / tile), y: Math.ceil(n / tile) };
}

export function matmulDims(n: number, cols: number, first: number): ArrayBuffer {
  return new Uint32Array([n, cols, first, 0]).buffer;
}
