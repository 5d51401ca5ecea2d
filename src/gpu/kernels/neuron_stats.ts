import source from '../../../shaders/neuron_stats.wgsl?raw';
import tiles from '../../../shaders/tiles.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';
import type { Variants } from '../variants';

/** Per-neuron metric inputs for one block: one thread per neuron (simple) or 4 threads per neuron, 64 neurons per workgroup (tiled). */
export function neuronStats(ctx: GpuContext, s: Shared, b: Block, variant: Variants['stats']): Dispatch {
  const pipeline = ctx.pipeline('neuron_stats', [tiles, source], variant === 'tiled' ? 'tiled' : 'main');
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, s.r, b.W, b.W0, b.a, b.a0, b.stats]),
    x: Math.ceil(b.count / 64),
  };
}
