import jvpSource from '../../../shaders/forward_jvp.wgsl?raw';
import blockedSource from '../../../shaders/forward_blocked.wgsl?raw';
import gemmSource from '../../../shaders/forward_gemm.wgsl?raw';
import tiledSource from '../../../shaders/forward_tiled.wgsl?raw';
import simpleSource from '../../../shaders/forward.wgsl?raw';
import transposeSource from '../../../shaders/transpose_x.wgsl?raw';
import { STEP_BINDINGS, stepBuffers, type Block, type Shared, type StepBlock } from '../buffers';
import { subgroupMinSize } from '../device';
import { XT_PAD } from '../layout';
import { LANES_MEMORY, LANES_SUBGROUP, LOAD_X, REGISTER_BLOCK, TILE_PRODUCT } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { MASK_WRITERS, tileOf, type Variants } from '../variants';
import { bindingTable, type KernelSource } from '../wgsl';

/** Each variant's WGSL (a file per variant), and samples × neurons-per-chunk-or-more per workgroup (gemm: below). */
const VARIANTS: Record<Exclude<Variants['forward'], 'gemm'>, KernelSource & { samples: number }> = {
  simple: { name: 'forward', bindings: STEP_BINDINGS, libraries: [LOAD_X], source: simpleSource, samples: 64 },
  blocked: { name: 'forward_blocked', bindings: STEP_BINDINGS, libraries: [REGISTER_BLOCK], source: blockedSource, samples: 256 },
  tiled: { name: 'forward_tiled', bindings: STEP_BINDINGS, libraries: [TILE_PRODUCT], source: tiledSource, samples: 64 },
};

/** forward=gemm's bindings: the step's, with XT for X and none of the residual's. */
const GEMM_BINDINGS = bindingTable('forward_gemm', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['XT', 'read', 'array<vec4<f32>>'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['a', 'read', 'array<f32>'],
  ['status', 'read_write', 'Status'],
  ['partials', 'read_write', 'array<f32>'],
  ['mask', 'read_write', 'array<u32>'],
]);

/**
 * forward=gemm's kernel for a tile of TM samples × TN neurons (each a multiple of 64, at most
 * 128); its epilogue sums lanes by subgroup shuffles over groups of `subgroupMin` (the adapter's
 * smallest subgroup), or through workgroup memory alone (epilogue=memory).
 */
function gemmKernel(tm: number, tn: number, subgroupMin: number | null): KernelSource {
  const sg = subgroupMin === null ? '' : `const SUBGROUP_MIN: u32 = ${subgroupMin}u;\n`;
  const source = `const TM: u32 = ${tm}u;\nconst TN: u32 = ${tn}u;\n${sg}` + gemmSource.replaceAll('$QS', `${tm / 64}u`).replaceAll('$QN', `${tn / 64}u`);
  const lanes = subgroupMin === null ? { libraries: [LANES_MEMORY] } : { libraries: [LANES_SUBGROUP], enables: ['subgroups'] };
  return { name: `forward_gemm_${tm}x${tn}_${subgroupMin === null ? 'memory' : `subgroup${subgroupMin}`}`, bindings: GEMM_BINDINGS, source, ...lanes };
}

const TRANSPOSE_BINDINGS = bindingTable('transpose_x', [
  ['dims', 'uniform', 'Dims'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['XT', 'read_write', 'array<f32>'],
]);
const TRANSPOSE: KernelSource = { name: 'transpose_x', bindings: TRANSPOSE_BINDINGS, source: transposeSource };

/** Fills s.XT, the transposed copy of X that forward=gemm reads (run once, after X is made). */
export function transposeX(ctx: GpuContext, s: Shared): Dispatch {
  if (!s.XT) throw new Error('transposeX: the run has no XT buffer (the plan allocates it for forward=gemm)');
  return { pipeline: ctx.pipeline(TRANSPOSE), group: ctx.group(TRANSPOSE_BINDINGS, { dims: s.dims, X: s.X, XT: s.XT }), x: Math.ceil(s.n / XT_PAD) * (XT_PAD / 64), y: 2 * Math.ceil(ctx.d4 / 2) };
}

/** The adapter's smallest subgroup, as BackendInfo has it, where the device has subgroups (requestDeviceFor asks for them wherever offered). */
function deviceSubgroupSize(device: GPUDevice): number {
  const size = subgroupMinSize(device.adapterInfo, device.features);
  if (!size) throw new Error('forward=gemm,epilogue=subgroup needs a device with the subgroups feature');
  return size;
}

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
 * (tiled), or a register-blocked GEMM (gemm). `dims` replaces the run's (the teacher's). Where
 * the block has a mask (backward=masked or gemm), simple, blocked and gemm also write the signs
 * of z into it.
 */
export function forward(
  ctx: GpuContext, s: Shared, b: StepBlock & Pick<Block, 'count'>,
  { variant = 'simple', dims = s.dims, tile = '128x128', epilogue = 'memory' }: { variant?: Variants['forward']; dims?: GPUBuffer } & Partial<Pick<Variants, 'tile' | 'epilogue'>> = {},
): Dispatch {
  if (b.mask && !MASK_WRITERS.includes(variant)) throw new Error(`the ${variant} forward does not write the activation mask`);
  if (variant === 'gemm') {
    if (!s.XT) throw new Error('forward=gemm needs the run’s XT buffer (the plan allocates it)');
    const { samples, neurons } = tileOf(tile);
    return {
      pipeline: ctx.pipeline(gemmKernel(samples, neurons, epilogue === 'subgroup' ? deviceSubgroupSize(ctx.device) : null), 'main', { WRITE_MASK: b.mask ? 1 : 0 }),
      group: ctx.group(GEMM_BINDINGS, { dims, block: b.uniform, XT: s.XT, W: b.W, a: b.a, status: s.status, partials: s.partials, mask: b.mask ?? ctx.unused }),
      x: Math.ceil(s.n / samples),
      y: Math.ceil(b.count / Math.max(s.q, neurons)),
    };
  }
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
