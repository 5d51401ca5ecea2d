import source from '../../../shaders/chunk_reduce.wgsl?raw';
import type { Block, Shared } from '../buffers';
import { NEURON_STAT } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('chunk_reduce', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['stats', 'read', 'array<f32>'],
  ['chunk_stats', 'read_write', 'array<f32>'],
]);
const KERNEL: KernelSource = { name: 'chunk_reduce', bindings: BINDINGS, libraries: [NEURON_STAT], source };

/**
 * Lanes that share a chunk of q neurons: one per 16 neurons, at most a workgroup's 64. One lane
 * up to q = 16 keeps the serial sum where every chunk is small (m ≤ 4096); at m = 2^20 (q = 4096)
 * the serial loop of one thread per chunk took 2.07 ms on an H200.
 */
export function chunkLanes(q: number): number {
  return Math.min(64, Math.max(1, q / 16));
}

/** Per-chunk sums of one block's neuron statistics: chunkLanes(q) threads per chunk, reduced in a fixed order. */
export function chunkReduce(ctx: GpuContext, s: Shared, b: Block): Dispatch {
  const lanes = chunkLanes(s.q);
  return {
    pipeline: ctx.pipeline(KERNEL, 'main', { L: lanes }),
    group: ctx.group(BINDINGS, { dims: s.dims, block: b.uniform, stats: b.stats, chunk_stats: s.chunkStats }),
    x: Math.ceil(Math.ceil(b.count / s.q) / (64 / lanes)),
  };
}
