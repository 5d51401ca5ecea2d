import source from '../../../shaders/loss.wgsl?raw';
import type { Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** L = ½Σr², its record in the status buffer, and the halting rule. One workgroup. */
export function loss(ctx: GpuContext, s: Shared): Dispatch {
  const pipeline = ctx.pipeline('loss', source);
  return { pipeline, group: ctx.bind(pipeline, [s.dims, s.lossParts, s.status]), x: 1 };
}
