import source from '../../../shaders/forward.wgsl?raw';
import registerBlock from '../../../shaders/register_block.wgsl?raw';
import tileProduct from '../../../shaders/tile_product.wgsl?raw';
import { stepBuffers, type Block, type Shared, type StepBlock } from '../buffers';
import { STEP_DECLARATIONS, type Dispatch, type GpuContext } from '../program';
import { MASK_WRITERS, type Variants } from '../variants';

/**
 * Partial outputs of one block: one thread per (sample, chunk) (simple), per 4 samples of a chunk
 * (blocked), or 64 samples × max(q, 64) neurons per workgroup through workgroup-memory tiles
 * (tiled). `dims` replaces the run's (the teacher's). Where the block has a mask (backward=masked),
 * simple and blocked also write the signs of z into it.
 */
export function forward(
  ctx: GpuContext, s: Shared, b: StepBlock & Pick<Block, 'count'>,
  { variant = 'simple', dims = s.dims }: { variant?: Variants['forward']; dims?: GPUBuffer } = {},
): Dispatch {
  const writes = MASK_WRITERS.includes(variant);
  if (b.mask && !writes) throw new Error(`the ${variant} forward does not write the activation mask`);
  const pipeline = ctx.pipeline('forward', [STEP_DECLARATIONS, registerBlock, tileProduct, source], variant === 'simple' ? 'main' : variant, { WRITE_MASK: b.mask ? 1 : 0 }, 'step');
  return {
    pipeline,
    group: ctx.stepGroup(stepBuffers(ctx, s, b, { dims })),
    x: Math.ceil(s.n / (variant === 'blocked' ? 256 : 64)),
    y: Math.ceil(b.count / (variant === 'tiled' ? Math.max(s.q, 64) : s.q)),
  };
}

/** Per-chunk partial sums of J diag(η) (U, ua) for one block, into s.partials: forward's forward-mode derivative. */
export function jvp(ctx: GpuContext, s: Shared, b: Block, rates: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  const pipeline = ctx.pipeline('forward', [STEP_DECLARATIONS, registerBlock, tileProduct, source], 'jvp');
  return {
    pipeline,
    group: ctx.bind(pipeline, [s.dims, b.uniform, s.X, b.W, b.a, null, s.partials, null, null, null, null, rates, U, ua]),
    x: Math.ceil(s.n / 64),
    y: Math.ceil(b.count / s.q),
  };
}
