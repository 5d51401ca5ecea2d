// Host side of shaders/batch_train.wgsl: its bindings, the byte layouts of its per-run
// records, and its dispatch (one workgroup per run of the batch).
import source from '../../../shaders/batch_train.wgsl?raw';
import { BATCH_LAYOUT, BATCH_NEURON, HALT_RULE, NEURON_STAT, STATE_ROW } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('batch_train', [
  ['params', 'uniform', 'BatchParams'],
  ['runs', 'read', 'array<BatchRun>'],
  ['fixed4', 'read', 'array<vec4<f32>>'],
  ['fixed1', 'read', 'array<f32>'],
  ['logged', 'read', 'array<u32>'],
  ['W', 'read_write', 'array<vec4<f32>>'],
  ['a', 'read_write', 'array<f32>'],
  ['state', 'read_write', 'array<BatchState>'],
  ['rows', 'read_write', 'array<u32>'],
]);
export type BatchBuffers = Record<(typeof BINDINGS.names)[number], GPUBuffer>;

const KERNEL: KernelSource = {
  name: 'batch_train',
  bindings: BINDINGS,
  libraries: [BATCH_LAYOUT, BATCH_NEURON, HALT_RULE, NEURON_STAT, STATE_ROW],
  source,
};

/** Words of BatchRun and BatchState. */
const RUN_WORDS = 20;
export const STATE_WORDS = 8;
export const BATCH_STATE = { step: 0, halt: 1, epsStep: 2, logIndex: 3, done: 4, rows: 5, loss: 6, loss0: 7 } as const;

/** One run's record: offsets in vec4s (X, W0, W) and floats (y, a0, a) into the batch's buffers. */
export interface BatchRunLayout {
  n: number;
  m: number;
  steps: number;
  logCount: number;
  xOff: number;
  w0Off: number;
  wOff: number;
  yOff: number;
  a0Off: number;
  aOff: number;
  logOff: number;
  stopAtEps: boolean;
  kappa: number;
  etaW: number;
  etaA: number;
  eps: number;
  divergeAt: number;
}

export function runRecordBytes(runs: readonly BatchRunLayout[]): ArrayBuffer {
  const buf = new ArrayBuffer(4 * RUN_WORDS * runs.length);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  runs.forEach((r, i) => {
    const o = i * RUN_WORDS;
    u.set([r.n, r.m, r.steps, r.logCount, r.xOff, r.w0Off, r.wOff, r.yOff, r.a0Off, r.aOff, r.logOff, r.stopAtEps ? 1 : 0], o);
    f.set([r.kappa, r.etaW, r.etaA, r.eps, r.divergeAt], o + 12);
  });
  return buf;
}

export function batchParamsBytes(count: number, rowCap: number): ArrayBuffer {
  return new Uint32Array([count, rowCap, 0, 0]).buffer;
}

/** Trains every run of the batch for up to `count` steps (params), in workgroups of `workgroup` (a power of 2), with residuals of `residual` words. */
export function batchTrain(ctx: GpuContext, buffers: BatchBuffers, runs: number, workgroup: number, residual: number): Dispatch {
  return { pipeline: ctx.pipeline(KERNEL, 'main', { WG: workgroup, RN: residual }), group: ctx.group(BINDINGS, buffers), x: runs };
}
