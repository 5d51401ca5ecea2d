// Host side of shaders/batch_monitor.wgsl: the stability monitor of the batched engine, one
// workgroup per run, on batch_train's bindings (src/gpu/kernels/batch_train.ts).
import source from '../../../shaders/batch_monitor.wgsl?raw';
import { BATCH_LAYOUT, BATCH_RESIDENT, BATCH_STATE_LIB, HALT_RULE } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import type { KernelSource } from '../wgsl';
import { BATCH_BINDINGS, type BatchBuffers } from './batch_train';

const KERNEL: KernelSource = { name: 'batch_monitor', bindings: BATCH_BINDINGS, libraries: [BATCH_LAYOUT, BATCH_RESIDENT, BATCH_STATE_LIB, HALT_RULE], source };

/** Measures the sharpness of each run of the batch that waits at a logged step or lacks its closing record's, in workgroups of `workgroup`, with residuals of `residual` words. */
export function batchMonitor(ctx: GpuContext, buffers: BatchBuffers, runs: number, workgroup: number, residual: number): Dispatch {
  return { pipeline: ctx.pipeline(KERNEL, 'main', { WG: workgroup, RN: residual }), group: ctx.group(BATCH_BINDINGS, buffers), x: runs };
}
