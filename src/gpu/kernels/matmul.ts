import registers from '../../../shaders/matmul.wgsl?raw';
import tiled from '../../../shaders/matmul_tiled.wgsl?raw';
import { REGISTER_BLOCK, TILE_PRODUCT } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('matmul', [
  ['md', 'uniform', 'MatmulDims'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['Z', 'read_write', 'array<f32>'],
]);

/** The yardstick's variants: their WGSL (a file per variant), and output columns and rows per workgroup. */
export const MATMUL_VARIANTS = {
  registers: { kernel: { name: 'matmul', bindings: BINDINGS, libraries: [REGISTER_BLOCK], source: registers } as KernelSource, tile: 32 },
  tiled: { kernel: { name: 'matmul_tiled', bindings: BINDINGS, libraries: [TILE_PRODUCT], source: tiled } as KernelSource, tile: 64 },
} as const;
export type MatmulVariant = keyof typeof MATMUL_VARIANTS;

/** Z = X Wᵀ over neurons [first, first + cols) of a block: the benchmark's reference product. */
export function matmul(
  ctx: GpuContext, variant: MatmulVariant, dims: GPUBuffer, X: GPUBuffer, W: GPUBuffer, Z: GPUBuffer, n: number, cols: number,
): Dispatch {
  const { kernel, tile } = MATMUL_VARIANTS[variant];
  return { pipeline: ctx.pipeline(kernel), group: ctx.group(BINDINGS, { md: dims, X, W, Z }), x: Math.ceil(cols / tile), y: Math.ceil(n / tile) };
}

export function matmulDims(n: number, cols: number, first: number): ArrayBuffer {
  return new Uint32Array([n, cols, first, 0]).buffer;
}
