import simpleSource from '../../../shaders/backward_update.wgsl?raw';
import tiledSource from '../../../shaders/backward_update_tiled.wgsl?raw';
import halting from '../../../shaders/halting.wgsl?raw';
import maskedSource from '../../../shaders/backward_update_masked.wgsl?raw';
import tiles from '../../../shaders/tiles.wgsl?raw';
import { stepBuffers, type Block, type Shared } from '../buffers';
import { STEP_DECLARATIONS, type Dispatch, type GpuContext } from '../program';
import type { Variants } from '../variants';

/**
 * The halting rule on the loss, then both gradients and both updates for one block: a thread per
 * neuron (simple), 4 threads per neuron, 64 neurons per workgroup (tiled), or a product over the
 * signs that the forward pass left in the block's mask (masked).
 */
export function backwardUpdate(ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward']): Dispatch {
  const group = ctx.stepGroup(stepBuffers(ctx, s, b));
  if (variant === 'masked') {
    if (!b.mask) throw new Error('backward=masked needs the block’s activation mask');
    // KT threads share a group of NH quads of neurons: KT ≤ 16 and NH = 4 keep 8 4×4 blocks of g
    // per thread at d = 128 (lavapipe, 1024×128×16384, interleaved runs: 0.21–0.25 s with 4
    // quads, 0.29–0.41 s with 2; SwiftShader: no difference).
    const kt = Math.min(ctx.d4, 16);
    const nh = 4;
    const pipeline = ctx.pipeline('backward_update_masked', [STEP_DECLARATIONS, halting, `const KT: u32 = ${kt}u;\nconst NH: u32 = ${nh}u;`, maskedSource], 'main', {}, 'step');
    return { pipeline, group, x: Math.ceil(b.count / (4 * nh * Math.floor(64 / kt))) };
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
