import simpleSource from '../../../shaders/neuron_stats.wgsl?raw';
import masksSource from '../../../shaders/neuron_stats_masks.wgsl?raw';
import tiledSource from '../../../shaders/neuron_stats_tiled.wgsl?raw';
import type { Block, Shared } from '../buffers';
import { NEURON_SUMS, TILES } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import type { Variants } from '../variants';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('neuron_stats', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['r', 'read', 'array<f32>'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['W0', 'read', 'array<vec4<f32>>'],
  ['a', 'read', 'array<f32>'],
  ['a0', 'read', 'array<f32>'],
  ['stats', 'read_write', 'array<f32>'],
]);

/** `masks`' bindings: the block's neurons and both masks, no X or r (it recomputes nothing). */
const MASK_BINDINGS = bindingTable('neuron_stats_masks', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['W', 'read', 'array<vec4<f32>>'],
  ['W0', 'read', 'array<vec4<f32>>'],
  ['a', 'read', 'array<f32>'],
  ['a0', 'read', 'array<f32>'],
  ['mask', 'read', 'array<u32>'],
  ['mask0', 'read', 'array<u32>'],
  ['stats', 'read_write', 'array<f32>'],
]);

/** Each recomputing variant's WGSL (a file per variant). */
const VARIANTS: Record<Exclude<Variants['stats'], 'masks'>, KernelSource> = {
  simple: { name: 'neuron_stats', bindings: BINDINGS, libraries: [NEURON_SUMS], source: simpleSource },
  tiled: { name: 'neuron_stats_tiled', bindings: BINDINGS, libraries: [NEURON_SUMS, TILES], source: tiledSource },
};
const MASKS: KernelSource = { name: 'neuron_stats_masks', bindings: MASK_BINDINGS, libraries: [NEURON_SUMS], source: masksSource };

/**
 * Per-neuron metric inputs for one block: one thread per neuron (simple, masks) or 4 threads per
 * neuron, 64 neurons per workgroup (tiled). `masks` leaves the gradient norm to the backward's
 * logging pass (gradientNorms in backward_update.ts), dispatched after it.
 */
export function neuronStats(ctx: GpuContext, s: Shared, b: Block, variant: Variants['stats']): Dispatch {
  const x = Math.ceil(b.count / 64);
  if (variant === 'masks') {
    if (!b.mask || !b.mask0) throw new Error('stats=masks needs the block’s activation mask and mask_0');
    return { pipeline: ctx.pipeline(MASKS), group: ctx.group(MASK_BINDINGS, { dims: s.dims, block: b.uniform, W: b.W, W0: b.W0, a: b.a, a0: b.a0, mask: b.mask, mask0: b.mask0, stats: b.stats }), x };
  }
  return {
    pipeline: ctx.pipeline(VARIANTS[variant]),
    group: ctx.group(BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, r: s.r, W: b.W, W0: b.W0, a: b.a, a0: b.a0, stats: b.stats }),
    x,
  };
}
