import source from '../../../shaders/residual.wgsl?raw';
import type { Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Samples per workgroup of residual.wgsl (RS there): one partial Σr² each. */
export const RESIDUAL_SAMPLES = 32;

/** WebGPU's least per-dimension workgroup limit: longer grids wrap into rows of this many. */
export const MAX_ROW = 65535;

/**
 * r = κ·Σ partials − y, and per-workgroup Σ r² (`into` defaults to the residual buffer). One
 * workgroup per RESIDUAL_SAMPLES samples, in rows of at most `row` (n > 2 097 120 needs two).
 */
export function residual(ctx: GpuContext, s: Shared, dims = s.dims, y = s.y, into = s.r, row = MAX_ROW): Dispatch {
  const pipeline = ctx.pipeline('residual', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [dims, s.partials, y, into, s.lossParts]),
    x: Math.min(s.lossPartCount, row),
    y: Math.ceil(s.lossPartCount / row),
  };
}
