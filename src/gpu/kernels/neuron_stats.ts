import simpleSource from '../../../shaders/neuron_stats.wgsl?raw';
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

/** Each variant's WGSL (a file per variant). */
const VARIANTS: Record<Variants['stats'], KernelSource> = {
  simple: { name: 'neuron_stats', bindings: BINDINGS, libraries: [NEURON_SUMS], source: simpleSource },
  tiled: { name: 'neuron_stats_tiled', bindings: BINDINGS, libraries: [NEURON_SUMS, TILES], source: tiledSource },
};

/** Per-neuron metric inputs for one block: one thread per neuron (simple) or 4 threads per neuron, 64 neurons per workgroup (tiled). */
export function neuronStats(ctx: GpuContext, s: Shared, b: Block, variant: Variants['stats']): Dispatch {
  return {
    pipeline: ctx.pipeline(VARIANTS[variant]),
    group: ctx.group(BINDINGS, { dims: s.dims, block: b.uniform, X: s.X, r: s.r, W: b.W, W0: b.W0, a: b.a, a0: b.a0, stats: b.stats }),
    x: Math.ceil(b.count / 64),
  };
}
