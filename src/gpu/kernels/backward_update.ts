import simpleSource from '../../../shaders/backward_update.wgsl?raw';
import tiledSource from '../../../shaders/backward_update_tiled.wgsl?raw';
import halting from '../../../shaders/halting.wgsl?raw';
import maskedSource from '../../../shaders/backward_update_masked.wgsl?raw';
import tiles from '../../../shaders/tiles.wgsl?raw';
import { stepBuffers, type Block, type Shared } from '../buffers';
import { STEP_DECLARATIONS, type Dispatch, type GpuContext } from '../program';
import { MASKED_MAX_D4, type Variants } from '../variants';

/** Neurons per thread group of backward=masked (NB in its WGSL, four 4×4 blocks there): one vec4 of each per thread. */
export const MASKED_GROUP = 16;

/**
 * The halting rule on the loss, then both gradients and both updates for one block: a thread per
 * neuron (simple), 4 threads per neuron, 64 neurons per workgroup (tiled), or a product over the
 * signs that the forward pass left in the block's mask (masked).
 */
export function backwardUpdate(ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward']): Dispatch {
  const group = ctx.stepGroup(stepBuffers(ctx, s, b));
  if (variant === 'masked') {
    if (!b.mask) throw new Error('backward=masked needs the block’s activation mask');
    if (ctx.d4 > MASKED_MAX_D4) throw new Error(`backward=masked takes d ≤ ${4 * MASKED_MAX_D4}`);
    // 64 / d4 groups of MASKED_GROUP neurons per workgroup, d4 threads each.
    const pipeline = ctx.pipeline('backward_update_masked', [STEP_DECLARATIONS, halting, `const NB: u32 = ${MASKED_GROUP}u;`, maskedSource], 'main', {}, 'step');
    return { pipeline, group, x: Math.ceil(b.count / (MASKED_GROUP * Math.floor(64 / ctx.d4))) };
  }
  const tiled = variant === 'tiled';
  const pipeline = tiled
    ? ctx.pipeline('backward_update_tiled', [STEP_DECLARATIONS, halting, tiles, tiledSource], 'main', {}, 'step')
    : ctx.pipeline('backward_update', [STEP_DECLARATIONS, halting, simpleSource], 'main', {}, 'step');
  return { pipeline, group, x: Math.ceil(b.count / 64) };
}

/** Jᵀv for one block into (U, ua): the same gradient with the residual replaced by `v`, not applied. */
export function vjp(ctx: GpuContext, s: Shared, b: Block, v: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  const pipeline = ctx.pipeline('backward_update', [STEP_DECLARATIONS, halting, simpleSource], 'vjp');
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, b.W, b.a, null, null, null, v, null, null, U, ua]),
    x: Math.ceil(b.count / 64),
  };
}
