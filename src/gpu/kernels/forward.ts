import source from '../../../shaders/forward.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';

/** Partial outputs of one block: one thread per (sample, chunk). */
export function forward(ctx: GpuContext, s: Shared, b: Pick<Block, 'uniform' | 'W' | 'a' | 'count'>, dims = s.dims): Dispatch {
  const pipeline = ctx.pipeline('forward', source);
  return {
    pipeline,
    group: ctx.bind(pipeline, [dims, b.uniform, s.X, b.W, b.a, s.status, s.partials]),
    x: Math.ceil(s.n / 64),
    y: Math.ceil(b.count / s.q),
  };
}

/** Per-chunk partial sums of J diag(η) (U, ua) for one block, into s.partials: forward's forward-mode derivative. */
export function jvp(ctx: GpuContext, s: Shared, b: Block, rates: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  const pipeline = ctx.pipeline('forward', source, 'jvp');
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, b.W, b.a, null, s.partials, rates, U, ua]),
    x: Math.ceil(s.n / 64),
    y: Math.ceil(b.count / s.q),
  };
}
