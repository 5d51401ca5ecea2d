import simpleSource from '../../../shaders/backward_update.wgsl?raw';
import tiledSource from '../../../shaders/backward_update_tiled.wgsl?raw';
import halting from '../../../shaders/halting.wgsl?raw';
import maskedSource from '../../../shaders/backward_update_masked.wgsl?raw';
import tiles from '../../../shaders/tiles.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';
import type { Variants } from '../variants';

/**
 * The halting rule on the loss, then both gradients and both updates for one block: a thread per
 * neuron (simple), 4 threads per neuron, 64 neurons per workgroup (tiled), or a product over the
 * signs that the forward pass left in the block's mask (masked).
 */
export function backwardUpdate(ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward']): Dispatch {
  const common = [s.dims, b.uniform, s.X, s.r, b.W, b.a, s.status];
  if (variant === 'masked') {
    if (!b.mask) throw new Error('backward=masked needs the block’s activation mask');
    // KT threads share a group of NH quads of neurons: KT ≤ 16 and NH = 4 keep 8 4×4 blocks of g
    // per thread at d = 128 (on lavapipe, 4 quads ran the kernel about 1.5× faster than 2).
    const kt = Math.min(ctx.d4, 16);
    const nh = 4;
    const pipeline = ctx.pipeline('backward_update_masked', [halting, `const KT: u32 = ${kt}u;\nconst NH: u32 = ${nh}u;`, maskedSource]);
    return { pipeline, group: ctx.bind(pipeline, [...common, s.lossParts, b.mask]), x: Math.ceil(b.count / (4 * nh * Math.floor(64 / kt))) };
  }
  const tiled = variant === 'tiled';
  const pipeline = tiled ? ctx.pipeline('backward_update_tiled', [halting, tiles, tiledSource]) : ctx.pipeline('backward_update', [halting, simpleSource]);
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
