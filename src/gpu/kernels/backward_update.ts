import simpleSource from '../../../shaders/backward_update.wgsl?raw';
import gemmSource from '../../../shaders/backward_update_gemm.wgsl?raw';
import maskedSource from '../../../shaders/backward_update_masked.wgsl?raw';
import maskedGradientSource from '../../../shaders/masked_gradient.wgsl?raw';
import maskedNormsSource from '../../../shaders/masked_gradient_norms.wgsl?raw';
import tiledSource from '../../../shaders/backward_update_tiled.wgsl?raw';
import vjpSource from '../../../shaders/backward_update_vjp.wgsl?raw';
import { STEP_BINDINGS, stepBuffers, stepRows, type Block, type Shared } from '../buffers';
import { HALTING, NEURON_GRADIENT, NEURON_STAT, TILES } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { GEMM_MAX_D4, MASKED_MAX_D4, tileOf, type Variants } from '../variants';
import { bindingTable, type KernelSource, type WgslLibrary } from '../wgsl';

/** Neurons per thread group of backward=masked (NB in its WGSL, four 4×4 blocks there): one vec4 of each per thread. */
export const MASKED_GROUP = 16;

/** backward=masked's product over the mask, for its update and its logging pass. */
const MASKED_GRADIENT: WgslLibrary = { name: 'masked_gradient', source: `const NB: u32 = ${MASKED_GROUP}u;\n${maskedGradientSource}`, needs: ['dims', 'block', 'X', 'r', 'mask'] };

/** Each variant's WGSL (a file per variant; gemm: below). */
const VARIANTS: Record<Exclude<Variants['backward'], 'gemm'>, KernelSource> = {
  simple: { name: 'backward_update', bindings: STEP_BINDINGS, libraries: [HALTING, NEURON_GRADIENT], source: simpleSource },
  tiled: { name: 'backward_update_tiled', bindings: STEP_BINDINGS, libraries: [HALTING, TILES], source: tiledSource },
  masked: { name: 'backward_update_masked', bindings: STEP_BINDINGS, libraries: [HALTING, MASKED_GRADIENT], source: maskedSource },
};

/** backward=masked's logging pass: its update's inputs (read only) and the block's statistics. */
const MASKED_NORMS_BINDINGS = bindingTable('masked_gradient_norms', [
  ...stepRows('dims', 'block'),
  ['X', 'read', 'array<vec4<f32>>'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['a', 'read', 'array<f32>'],
  ['r', 'read', 'array<f32>'],
  ['mask', 'read', 'array<u32>'],
  ['stats', 'read_write', 'array<f32>'],
]);
const MASKED_NORMS: KernelSource = { name: 'masked_gradient_norms', bindings: MASKED_NORMS_BINDINGS, libraries: [MASKED_GRADIENT, NEURON_STAT], source: maskedNormsSource };

/**
 * backward=gemm's bindings: the step's, less what only the forward pass and the residual use,
 * plus the partial gradients of a split and the statistics its logging pass writes.
 */
const GEMM_BINDINGS = bindingTable('backward_update_gemm', [
  ...stepRows('dims', 'block', 'X', 'W', 'a', 'status'),
  ['r', 'read', 'array<f32>'],
  ['mask', 'read', 'array<u32>'],
  ['gradParts', 'read_write', 'array<vec4<f32>>'],
  ['stats', 'read_write', 'array<f32>'],
]);

/** backward=gemm's kernel for TN neurons per workgroup and `split` slices of n, at this d4. */
function gemmKernel(tn: number, split: number, d4: number): KernelSource {
  const source = `const TN: u32 = ${tn}u;\nconst SPLIT: u32 = ${split}u;\n` + gemmSource.replaceAll('$QN', `${tn / 64}u`).replaceAll('$DT', `${Math.ceil(d4 / 16)}u`);
  return { name: `backward_update_gemm_${tn}_${split}`, bindings: GEMM_BINDINGS, libraries: [HALTING, NEURON_STAT], source };
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
export function backwardUpdate(ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward'], options: GemmOptions = {}): Dispatch[] {
  if (variant === 'gemm') return gemmDispatches(ctx, s, b, options, false);
  const group = ctx.group(STEP_BINDINGS, stepBuffers(ctx, s, b));
  const pipeline = ctx.pipeline(VARIANTS[variant]);
  if (variant === 'masked') return [{ pipeline, group, x: maskedWorkgroups(ctx, b) }];
  return [{ pipeline, group, x: Math.ceil(b.count / 64) }];
}

/**
 * stats=masks' logging pass of a mask-reading backward: the product its update takes, at the
 * current state, as each neuron's STAT_GRAD2 in the block's statistics (after neuronStats, which
 * leaves that column 0); nothing is updated. Its order of summation is the update's.
 */
export function gradientNorms(ctx: GpuContext, s: Shared, b: Block, variant: Variants['backward'], options: GemmOptions = {}): Dispatch[] {
  if (variant === 'gemm') return gemmDispatches(ctx, s, b, options, true);
  if (variant !== 'masked') throw new Error(`the gradient norms come from backward=masked or gemm, not ${variant}`);
  const group = ctx.group(MASKED_NORMS_BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, r: s.r, mask: b.mask!, stats: b.stats });
  return [{ pipeline: ctx.pipeline(MASKED_NORMS), group, x: maskedWorkgroups(ctx, b) }];
}

type GemmOptions = Partial<Pick<Variants, 'tile' | 'split'>>;

/** backward=masked's workgroups for block b: 64 / d4 groups of MASKED_GROUP neurons each, d4 threads per group. */
function maskedWorkgroups(ctx: GpuContext, b: Block): number {
  if (!b.mask) throw new Error('backward=masked needs the block’s activation mask');
  if (ctx.d4 > MASKED_MAX_D4) throw new Error(`backward=masked takes d ≤ ${4 * MASKED_MAX_D4}`);
  return Math.ceil(b.count / (MASKED_GROUP * Math.floor(64 / ctx.d4)));
}

/** backward=gemm's product (and its reducing dispatch where it splits n), updating or (log) recording the gradient norms. */
function gemmDispatches(ctx: GpuContext, s: Shared, b: Block, { tile = '128x128', split = '1' }: GemmOptions, log: boolean): Dispatch[] {
  if (!b.mask) throw new Error('backward=gemm needs the block’s activation mask');
  if (ctx.d4 > GEMM_MAX_D4) throw new Error(`backward=gemm takes d ≤ ${4 * GEMM_MAX_D4}`);
  const S = Number(split);
  if (S > 1 && !s.gradParts) throw new Error(`backward=gemm,split=${split} needs the run’s partial-gradient buffer (the plan allocates it)`);
  const tn = tileOf(tile).neurons;
  const kernel = gemmKernel(tn, S, ctx.d4);
  const group = ctx.group(GEMM_BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, status: s.status, r: s.r, mask: b.mask, gradParts: s.gradParts ?? ctx.unused, stats: b.stats });
  const constants = { LOG: log ? 1 : 0 };
  const product: Dispatch = { pipeline: ctx.pipeline(kernel, 'main', constants), group, x: Math.ceil(b.count / tn), y: S };
  return S > 1 ? [product, { pipeline: ctx.pipeline(kernel, 'reduce', constants), group, x: Math.ceil(b.count / 64) }] : [product];
}

/** Jᵀv for one block into (U, ua): the same gradient with the residual replaced by `v`, not applied. */
export function vjp(ctx: GpuContext, s: Shared, b: Block, v: GPUBuffer, U: GPUBuffer, ua: GPUBuffer): Dispatch {
  return {
    pipeline: ctx.pipeline(VJP),
    group: ctx.group(VJP_BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, r: v, U, ua }),
    x: Math.ceil(b.count / 64),
  };
}
