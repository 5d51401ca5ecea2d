import source from '../../../shaders/residual.wgsl?raw';
import type { Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Samples per workgroup of residual.wgsl (RS there): one partial Σr² each. */
export const RESIDUAL_SAMPLES = 32;

/** r = κ·Σ partials − y, and per-workgroup Σ r² (`into` defaults to the residual buffer). */
export function residual(ctx: GpuContext, s: Shared, dims = s.dims, y = s.y, into = s.r): Dispatch {
  const pipeline = ctx.pipeline('residual', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [dims, s.partials, y, into, s.lossParts]),
    // One workgroup per RESIDUAL_SAMPLES samples, in rows of at most 65535.
    x: Math.min(s.lossPartCount, 65535),
    y: Math.ceil(s.lossPartCount / 65535),
  };
}
