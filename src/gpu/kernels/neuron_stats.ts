import source from '../../../shaders/neuron_stats.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Per-neuron metric inputs for one block: one thread per neuron. */
export function neuronStats(ctx: GpuContext, s: Shared, b: Block): Dispatch {
  const pipeline = ctx.pipeline('neuron_stats', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, s.r, b.W, b.W0, b.a, b.a0, b.stats]),
    x: Math.ceil(b.count / 64),
  };
}
