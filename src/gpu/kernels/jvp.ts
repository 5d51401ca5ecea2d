import source from '../../../shaders/jvp.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Per-chunk partial sums of J diag(η) (U, ua) for one block: one thread per (sample, chunk), as forward. */
export function jvp(ctx: GpuContext, s: Shared, b: Block, rates: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  const pipeline = ctx.pipeline('jvp', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, rates, s.X, b.W, b.a, U, ua, s.partials]),
    x: Math.ceil(s.n / 64),
    y: Math.ceil(b.count / s.q),
  };
}
