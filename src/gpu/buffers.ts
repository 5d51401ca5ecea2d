// The engine's buffers, as the kernel modules see them.
import type { GpuContext, StepBuffers } from './program';

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
  /** The signs [z_ir > 0] of the last forward pass, with backward=masked only. */
  mask: GPUBuffer | null;
}

/** What the step's kernels bind of a block (the teacher's block has no mask). */
export type StepBlock = Pick<Block, 'uniform' | 'W' | 'a'> & { mask?: GPUBuffer | null };

/** The step layout's buffers for block `b` (its mask, or a placeholder), with `over` replacing some (the teacher's dims, the tangent's outputs). */
export function stepBuffers(ctx: GpuContext, s: Shared, b: StepBlock, over: Partial<StepBuffers> = {}): StepBuffers {
  return { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, status: s.status, partials: s.partials, y: s.y, r: s.r, mask: b.mask ?? ctx.unused, ...over };
}
