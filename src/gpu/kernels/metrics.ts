import source from '../../../shaders/metrics.wgsl?raw';
import type { Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** The logged row from the chunk sums; `mode` says whether it is the closing record. One workgroup. */
export function metrics(ctx: GpuContext, s: Shared, mode: GPUBuffer): Dispatch {
  const pipeline = ctx.pipeline('metrics', source);
  return { pipeline, group: ctx.bind(pipeline, [s.dims, mode, s.chunkStats, s.status, s.rows]), x: 1 };
}
