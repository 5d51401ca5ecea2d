import jvpSource from '../../../shaders/forward_jvp.wgsl?raw';
import blockedSource from '../../../shaders/forward_blocked.wgsl?raw';
import tiledSource from '../../../shaders/forward_tiled.wgsl?raw';
import simpleSource from '../../../shaders/forward.wgsl?raw';
import { STEP_BINDINGS, stepBuffers, type Block, type Shared, type StepBlock } from '../buffers';
import { LOAD_X, REGISTER_BLOCK, TILE_PRODUCT } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { MASK_WRITERS, type Variants } from '../variants';
import { bindingTable, type KernelSource } from '../wgsl';

/** Each variant's WGSL (a file per variant), and samples × neurons-per-chunk-or-more per workgroup. */
const VARIANTS: Record<Variants['forward'], KernelSource & { samples: number }> = {
  simple: { name: 'forward', bindings: STEP_BINDINGS, libraries: [LOAD_X], source: simpleSource, samples: 64 },
  blocked: { name: 'forward_blocked', bindings: STEP_BINDINGS, libraries: [REGISTER_BLOCK], source: blockedSource, samples: 256 },
  tiled: { name: 'forward_tiled', bindings: STEP_BINDINGS, libraries: [TILE_PRODUCT], source: tiledSource, samples: 64 },
};

/** jvp's bindings: the block's neurons, the rates and the tangent (U, ua) it is applied to, its partial sums. */
const JVP_BINDINGS = bindingTable('jvp', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['rates', 'uniform', 'Rates'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['a', 'read', 'array<f32>'],
  ['U', 'read', 'array<vec4<f32>>'],
  ['ua', 'read', 'array<f32>'],
  ['partials', 'read_write', 'array<f32>'],
]);
const JVP: KernelSource = { name: 'forward_jvp', bindings: JVP_BINDINGS, libraries: [LOAD_X], source: jvpSource };

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
  if (b.mask && !MASK_WRITERS.includes(variant)) throw new Error(`the ${variant} forward does not write the activation mask`);
  const kernel = VARIANTS[variant];
  return {
    pipeline: ctx.pipeline(kernel, 'main', variant === 'tiled' ? {} : { WRITE_MASK: b.mask ? 1 : 0 }),
    group: ctx.group(STEP_BINDINGS, stepBuffers(ctx, s, b, { dims })),
    x: Math.ceil(s.n / kernel.samples),
    y: Math.ceil(b.count / (variant === 'tiled' ? Math.max(s.q, 64) : s.q)),
  };
}

/** Per-chunk partial sums of J diag(η) (U, ua) for one block, into s.partials: forward's forward-mode derivative. */
export function jvp(ctx: GpuContext, s: Shared, b: Block, rates: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  return {
    pipeline: ctx.pipeline(JVP),
    group: ctx.group(JVP_BINDINGS, { dims: s.dims, block: b.uniform, rates, X: s.X, W: b.W, a: b.a, U, ua, partials: s.partials }),
    x: Math.ceil(s.n / 64),
    y: Math.ceil(b.count / s.q),
  };
}
