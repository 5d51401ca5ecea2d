import source from '../../../shaders/metrics.wgsl?raw';
import type { Shared } from '../buffers';
import { NEURON_STAT, STATE_ROW } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('metrics', [
  ['dims', 'uniform', 'Dims'],
  ['mode', 'uniform', 'Mode'],
  ['chunk_stats', 'read', 'array<f32>'],
  ['status', 'read_write', 'Status'],
  ['rows', 'read_write', 'array<u32>'],
]);
const KERNEL: KernelSource = { name: 'metrics', bindings: BINDINGS, libraries: [NEURON_STAT, STATE_ROW], source };

/** The logged row from the chunk sums; `mode` says whether it is the closing record. One workgroup. */
export function metrics(ctx: GpuContext, s: Shared, mode: GPUBuffer): Dispatch {
  return {
    pipeline: ctx.pipeline(KERNEL),
    group: ctx.group(BINDINGS, { dims: s.dims, mode, chunk_stats: s.chunkStats, status: s.status, rows: s.rows }),
    x: 1,
  };
}
