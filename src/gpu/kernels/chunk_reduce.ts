import source from '../../../shaders/chunk_reduce.wgsl?raw';
import type { Block, Shared } from '../buffers';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('chunk_reduce', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['stats', 'read', 'array<f32>'],
  ['chunk_stats', 'read_write', 'array<f32>'],
]);
const KERNEL: KernelSource = { name: 'chunk_reduce', bindings: BINDINGS, source };

/** Per-chunk sums of one block's neuron statistics: one thread per chunk. */
export function chunkReduce(ctx: GpuContext, s: Shared, b: Block): Dispatch {
  return {
    pipeline: ctx.pipeline(KERNEL),
    group: ctx.group(BINDINGS, { dims: s.dims, block: b.uniform, stats: b.stats, chunk_stats: s.chunkStats }),
    x: Math.ceil(Math.ceil(b.count / s.q) / 64),
  };
}
