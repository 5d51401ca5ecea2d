import simpleSource from '../../../shaders/backward_update.wgsl?raw';
import gemmSource from '../../../shaders/backward_update_gemm.wgsl?raw';
import maskedSource from '../../../shaders/backward_update_masked.wgsl?raw';
import tiledSource from '../../../shaders/backward_update_tiled.wgsl?raw';
import vjpSource from '../../../shaders/backward_update_vjp.wgsl?raw';
import { STEP_BINDINGS, stepBuffers, stepRows, type Block, type Shared } from '../buffers';
import { HALTING, NEURON_GRADIENT, TILES } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { GEMM_MAX_D4, MASKED_MAX_D4, tileOf, type Variants } from '../variants';
import { bindingTable, type KernelSource } from '../wgsl';

/** Neurons per thread group of backward=masked (NB in its WGSL, four 4×4 blocks there): one vec4 of each per thread. */
export const MASKED_GROUP = 16;

/** Each variant's WGSL (a file per variant; gemm: below). */
const VARIANTS: Record<Exclude<Variants['backward'], 'gemm'>, KernelSource> = {
  simple: { name: 'backward_update', bindings: STEP_BINDINGS, libraries: [HALTING, NEURON_GRADIENT], source: simpleSource },
  tiled: { name: 'backward_update_tiled', bindings: STEP_BINDINGS, libraries: [HALTING, TILES], source: tiledSource },
  masked: { name: 'backward_update_masked', bindings: STEP_BINDINGS, libraries: [HALTING], source: `const NB: u32 = ${MASKED_GROUP}u;\n${maskedSource}` },
};

/** backward=gemm's bindings: the step's, less what only the forward pass and the residual use, plus the partial gradients of a split. */
const GEMM_BINDINGS = bindingTable('backward_update_gemm', [
  ...stepRows('dims', 'block', 'X', 'W', 'a', 'status'),
  ['r', 'read', 'array<f32>'],
  ['mask', 'read', 'array<u32>'],
  ['gradParts', 'read_write', 'array<vec4<f32>>'],
]);

/** backward=gemm's kernel for TN neurons per workgroup and `split` slices of n, at this d4. */
function gemmKernel(tn: number, split: number, d4: number): KernelSource {
  const source = `const TN: u32 = ${tn}u;\nconst SPLIT: u32 = ${split}u;\n` + gemmSource.replaceAll('$QN', `${tn / 64}u`).replaceAll('$DT', `${Math.ceil(d4 / 16)}u`);
  return { name: `backward_update_gemm_${tn}_${split}`, bindings: GEMM_BINDINGS, libraries: [HALTING], source };
}

/** vjp's bindings: the block's neurons, v (named r, as the gradient library reads it), its outputs. */
const VJP_BINDINGS = bindingTable('vjp', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['a', 'read', 'array<f32>'],
  ['r', 'read', 'array<f32>'],
  ['U', 'read_write', 'array<vec4<f32>>'],
  ['ua', 'read_write', 'array<f32>'],
]);
const VJP: KernelSource = { name: 'backward_update_vjp', bindings: VJP_BINDINGS, libraries: [NEURON_GRADIENT], source: vjpSource };

/**
 * The halting rule on the loss, then both gradients and both updates for one block: a thread per
 * neuron (simple), 4 threads per neuron, 64 neurons per workgroup (tiled), or a product over the
 * signs that the forward pass left in the block's mask (masked; gemm, whose split over n adds a
 * second dispatch that reduces the slices and updates).
 */
export function backwardUpdate(
  ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward'], { tile = '128x128', split = '1' }: Partial<Pick<Variants, 'tile' | 'split'>> = {},
): Dispatch[] {
  if (variant === 'gemm') {
    if (!b.mask) throw new Error('backward=gemm needs the block’s activation mask');
    if (ctx.d4 > GEMM_MAX_D4) throw new Error(`backward=gemm takes d ≤ ${4 * GEMM_MAX_D4}`);
    const S = Number(split);
    if (S > 1 && !s.gradParts) throw new Error(`backward=gemm,split=${split} needs the run’s partial-gradient buffer (the plan allocates it)`);
    const tn = tileOf(tile).neurons;
    const kernel = gemmKernel(tn, S, ctx.d4);
    const group = ctx.group(GEMM_BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, status: s.status, r: s.r, mask: b.mask, gradParts: s.gradParts ?? ctx.unused });
    const product: Dispatch = { pipeline: ctx.pipeline(kernel), group, x: Math.ceil(b.count / tn), y: S };
    return S > 1 ? [product, { pipeline: ctx.pipeline(kernel, 'reduce'), group, x: Math.ceil(b.count / 64) }] : [product];
  }
  const group = ctx.group(STEP_BINDINGS, stepBuffers(ctx, s, b));
  const pipeline = ctx.pipeline(VARIANTS[variant]);
  if (variant === 'masked') {
    if (!b.mask) throw new Error('backward=masked needs the block’s activation mask');
    if (ctx.d4 > MASKED_MAX_D4) throw new Error(`backward=masked takes d ≤ ${4 * MASKED_MAX_D4}`);
    // 64 / d4 groups of MASKED_GROUP neurons per workgroup, d4 threads each.
    return [{ pipeline, group, x: Math.ceil(b.count / (MASKED_GROUP * Math.floor(64 / ctx.d4))) }];
  }
  return [{ pipeline, group, x: Math.ceil(b.count / 64) }];
}

/** Jᵀv for one block into (U, ua): the same gradient with the residual replaced by `v`, not applied. */
export function vjp(ctx: GpuContext, s: Shared, b: Block, v: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  return {
    pipeline: ctx.pipeline(VJP),
    group: ctx.group(VJP_BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, r: v, U, ua }),
    x: Math.ceil(b.count / 64),
  };
}
