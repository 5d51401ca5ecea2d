// The engine's buffers, as the kernel modules see them (src/gpu/allocate.ts makes them from
// the run's plan), and the step's binding table.
import type { GpuContext } from './program';
import { bindingTable, type Access } from './wgsl';

/** Buffers shared by all blocks: sizes O(n·d + n·chunks + chunks). */
export interface Shared {
  dims: GPUBuffer;
  X: GPUBuffer;
  y: GPUBuffer;
  r: GPUBuffer;
  partials: GPUBuffer;
  status: GPUBuffer;
  chunkStats: GPUBuffer;
  rows: GPUBuffer;
  /** X transposed, with forward=gemm (transpose_x.wgsl). */
  XT?: GPUBuffer;
  /** backward=gemm's partial gradients, one set per slice of n, where it splits n. */
  gradParts?: GPUBuffer;
  n: number;
  q: number;
  lossPartCount: number;
}

/** One block of neurons, within one storage binding each. */
export interface Block {
  offset: number;
  count: number;
  chunkOffset: number;
  uniform: GPUBuffer;
  W: GPUBuffer;
  a: GPUBuffer;
  W0: GPUBuffer;
  a0: GPUBuffer;
  stats: GPUBuffer;
  /** The signs [z_ir > 0] of the last forward pass, with backward=masked or gemm only. */
  mask: GPUBuffer | null;
  /** The signs at initialization (the mask's layout), with stats=masks only. */
  mask0: GPUBuffer | null;
}

/**
 * The bindings of a training step's kernels (forward, residual, backward_update) in one table:
 * one bind group per block then serves all three, and a step re-binds nothing (the host's cost
 * per step is its API calls). Eight storage buffers, the most WebGPU guarantees a kernel.
 */
export const STEP_BINDINGS = bindingTable('step', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['W', 'read_write', 'array<vec4<f32>>'],
  ['a', 'read_write', 'array<f32>'],
  ['status', 'read_write', 'Status'],
  ['partials', 'read_write', 'array<f32>'],
  ['y', 'read', 'array<f32>'],
  ['r', 'read_write', 'array<f32>'],
  ['mask', 'read_write', 'array<u32>'],
]);

/** Rows of the step's table by name, for a kernel's own table that shares them (the gemm kernels'). */
export function stepRows<N extends (typeof STEP_BINDINGS)['names'][number]>(...names: N[]): [N, Access, string][] {
  return names.map((name) => {
    const spec = STEP_BINDINGS.specs.find((x) => x.name === name)!;
    return [name, spec.access, spec.type];
  });
}

/** A buffer for each of the step's bindings. */
export type StepBuffers = Record<(typeof STEP_BINDINGS)['names'][number], GPUBuffer>;

/** What the step's kernels bind of a block (the teacher's block has no mask). */
export type StepBlock = Pick<Block, 'uniform' | 'W' | 'a'> & { mask?: GPUBuffer | null };

/** The step's buffers for block `b` (its mask, or a placeholder), with `over` replacing some (the teacher's dims, the tangent's outputs). */
export function stepBuffers(ctx: GpuContext, s: Shared, b: StepBlock, over: Partial<StepBuffers> = {}): StepBuffers {
  return { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, status: s.status, partials: s.partials, y: s.y, r: s.r, mask: b.mask ?? ctx.unused, ...over };
}
