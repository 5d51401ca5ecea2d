// Host side of shaders/batch_tangent.wgsl: H v for the listed runs of a batch (one workgroup each),
// from row 0 of each run's Lanczos basis into row 1.
import source from '../../../shaders/batch_tangent.wgsl?raw';
import { BATCH_LAYOUT, BATCH_RESIDENT } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('batch_tangent', [
  ['runs', 'read', 'array<BatchRun>'],
  ['list', 'read', 'array<u32>'],
  ['fixed4', 'read', 'array<vec4<f32>>'],
  ['vars4', 'read_write', 'array<vec4<f32>>'],
  ['vars1', 'read_write', 'array<f32>'],
]);
export type BatchTangentBuffers = Record<(typeof BINDINGS.names)[number], GPUBuffer>;

const KERNEL: KernelSource = { name: 'batch_tangent', bindings: BINDINGS, libraries: [BATCH_LAYOUT, BATCH_RESIDENT], source };

/** H v of `count` runs, those the list buffer names, in workgroups of `workgroup` (a power of 2), with residuals of `residual` words. */
export function batchTangent(ctx: GpuContext, buffers: BatchTangentBuffers, count: number, workgroup: number, residual: number): Dispatch {
  return { pipeline: ctx.pipeline(KERNEL, 'main', { WG: workgroup, RN: residual }), group: ctx.group(BINDINGS, buffers), x: count };
}
