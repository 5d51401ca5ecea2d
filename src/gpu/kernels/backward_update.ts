import source from '../../../shaders/backward_update.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Both gradients and both updates for one block: one thread per neuron. */
export function backwardUpdate(ctx: GpuContext, s: Shared, b: Block): Dispatch {
  const pipeline = ctx.pipeline('backward_update', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, s.r, b.W, b.a, s.status]),
    x: Math.ceil(b.count / 64),
  };
}
