import simpleSource from '../../../shaders/backward_update.wgsl?raw';
import tiledSource from '../../../shaders/backward_update_tiled.wgsl?raw';
import halting from '../../../shaders/halting.wgsl?raw';
import tiles from '../../../shaders/tiles.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';
import type { Variants } from '../variants';

/**
 * The halting rule on the loss, then both gradients and both updates for one block: a thread per
 * neuron (simple) or 4 threads per neuron, 64 neurons per workgroup (tiled).
 */
export function backwardUpdate(ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward']): Dispatch {
  const tiled = variant === 'tiled';
  const pipeline = tiled ? ctx.pipeline('backward_update_tiled', [halting, tiles, tiledSource]) : ctx.pipeline('backward_update', [halting, simpleSource]);
  const common = [s.dims, b.uniform, s.X, s.r, b.W, b.a, s.status];
  return {
    pipeline,
    group: ctx.bind(pipeline, tiled ? [...common, s.lossParts] : [...common, null, null, s.lossParts]),
    x: Math.ceil(b.count / 64),
  };
}

/** Jᵀv for one block into (U, ua): the same gradient with the residual replaced by `v`, not applied. */
export function vjp(ctx: GpuContext, s: Shared, b: Block, v: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  const pipeline = ctx.pipeline('backward_update', [halting, simpleSource], 'vjp');
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, v, b.W, b.a, null, U, ua]),
    x: Math.ceil(b.count / 64),
  };
}
