import halting from '../../../shaders/halting.wgsl?raw';
import source from '../../../shaders/loss.wgsl?raw';
import type { Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** L = ½Σr², its record in the status buffer (L0 at step 0), and the halting rule. One workgroup. */
export function loss(ctx: GpuContext, s: Shared): Dispatch {
  const pipeline = ctx.pipeline('loss', [halting, source]);
  return { pipeline, group: ctx.bind(pipeline, [s.dims, s.status]), x: 1 };
}
