import source from '../../../shaders/residual.wgsl?raw';
import { STEP_BINDINGS, stepBuffers, type Shared, type StepBlock } from '../buffers';
import type { Dispatch, GpuContext } from '../program';
import type { Variants } from '../variants';
import type { KernelSource } from '../wgsl';

/** Samples per workgroup of residual.wgsl (RS there): one partial Σr² each. */
export const RESIDUAL_SAMPLES = 32;

/** Chunk lanes per sample (RL in residual.wgsl): workgroups of 256 threads (wide) or 64 (narrow). */
export const RESIDUAL_LANES: Record<Variants['residual'], number> = { wide: 8, narrow: 2 };

/** WebGPU's least per-dimension workgroup limit: longer grids wrap into rows of this many. */
export const MAX_ROW = 65535;

const RESIDUAL: KernelSource = { name: 'residual', bindings: STEP_BINDINGS, source };

/**
 * r = κ·Σ partials − y, and per-workgroup Σ r² (`into` defaults to the residual buffer). One
 * workgroup per RESIDUAL_SAMPLES samples, in rows of at most `row` (n > 2 097 120 needs two).
 * Bound in the step layout with block `b`'s buffers, which it does not read: the step's three
 * kernels then share one bind group.
 */
export function residual(
  ctx: GpuContext, s: Shared, b: StepBlock,
  variant: Variants['residual'],
  { dims = s.dims, y = s.y, into = s.r, row = MAX_ROW }: { dims?: GPUBuffer; y?: GPUBuffer; into?: GPUBuffer; row?: number } = {},
): Dispatch {
  return {
    pipeline: ctx.pipeline(RESIDUAL, 'main', { RS: RESIDUAL_SAMPLES, RL: RESIDUAL_LANES[variant] }),
    group: ctx.group(STEP_BINDINGS, stepBuffers(ctx, s, b, { dims, y, r: into })),
    x: Math.min(s.lossPartCount, row),
    y: Math.ceil(s.lossPartCount / row),
  };
}
