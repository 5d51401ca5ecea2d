import source from '../../../shaders/chunk_reduce.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Per-chunk sums of one block's neuron statistics: one thread per chunk. */
export function chunkReduce(ctx: GpuContext, s: Shared, b: Block): Dispatch {
  const pipeline = ctx.pipeline('chunk_reduce', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, b.stats, s.chunkStats]),
    x: Math.ceil(Math.ceil(b.count / s.q) / 64),
  };
}
