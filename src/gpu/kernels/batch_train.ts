// Host side of shaders/batch_train.wgsl: its bindings, the byte layouts of its per-run
// records, and its dispatch (one workgroup per run of the batch).
import source from '../../../shaders/batch_train.wgsl?raw';
import { BATCH_LAYOUT, BATCH_RESIDENT, BATCH_STATE_LIB, BATCH_STEP } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

/** batch_train's bindings, which batch_monitor and batch_spread share (one bind group serves them all). */
export const BATCH_BINDINGS = bindingTable('batch_train', [
  ['params', 'uniform', 'BatchParams'],
  ['runs', 'read', 'array<BatchRun>'],
  ['fixed4', 'read', 'array<vec4<f32>>'],
  ['fixed1', 'read', 'array<f32>'],
  ['logged', 'read', 'array<u32>'],
  ['vars4', 'read_write', 'array<vec4<f32>>'],
  ['vars1', 'read_write', 'array<f32>'],
  ['state', 'read_write', 'array<BatchState>'],
  ['rows', 'read_write', 'array<u32>'],
]);
export type BatchBuffers = Record<(typeof BATCH_BINDINGS.names)[number], GPUBuffer>;

const KERNEL: KernelSource = {
  name: 'batch_train',
  bindings: BATCH_BINDINGS,
  libraries: [BATCH_LAYOUT, BATCH_RESIDENT, BATCH_STATE_LIB, BATCH_STEP],
  source,
};

/** Words of BatchRun and BatchState. */
const RUN_WORDS = 29;
export const STATE_WORDS = 15;
export const BATCH_STATE = { step: 0, halt: 1, epsStep: 2, logIndex: 3, done: 4, rows: 5, loss: 6, loss0: 7 } as const;

/** One run's record: offsets in vec4s (X, W0 in fixed4; W, G in vars4) and floats (y, a0, the seeded start in fixed1; the others in vars1) into the batch's buffers (shaders/batch_layout.wgsl). */
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
  gOff: number;
  gaOff: number;
  s0Off: number;
  ritzOff: number;
  qOff: number;
  triOff: number;
  /** The stability monitor's products per measurement on the device (0: off, or on the host). */
  products: number;
  /** The spread schedule's: the residual and the neuron tiles' statistics in vars1, the run's first sample and neuron tiles. */
  resOff: number;
  partOff: number;
  tile0: number;
  ntile0: number;
  /** The most monitor products per dispatch. */
  monitorChunk: number;
}

export function runRecordBytes(runs: readonly BatchRunLayout[]): ArrayBuffer {
  const buf = new ArrayBuffer(4 * RUN_WORDS * runs.length);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  runs.forEach((r, i) => {
    const o = i * RUN_WORDS;
    u.set([r.n, r.m, r.steps, r.logCount, r.xOff, r.w0Off, r.wOff, r.yOff, r.a0Off, r.aOff, r.logOff, r.stopAtEps ? 1 : 0], o);
    f.set([r.kappa, r.etaW, r.etaA, r.eps, r.divergeAt], o + 12);
    u.set([r.gOff, r.gaOff, r.s0Off, r.ritzOff, r.qOff, r.triOff, r.products, r.resOff, r.partOff, r.tile0, r.ntile0, r.monitorChunk], o + 17);
  });
  return buf;
}

/** The submit's params: `epoch` numbers the submits (a new one resets each run's steps and rows). */
export function batchParamsBytes(count: number, rowCap: number, epoch: number): ArrayBuffer {
  return new Uint32Array([count, rowCap, epoch, 0]).buffer;
}

/** Trains every run of the batch for up to the submit's `count` steps (params), in workgroups of `workgroup` (a power of 2), with residuals of `residual` words. */
export function batchTrain(ctx: GpuContext, buffers: BatchBuffers, runs: number, workgroup: number, residual: number): Dispatch {
  return { pipeline: ctx.pipeline(KERNEL, 'main', { WG: workgroup, RN: residual }), group: ctx.group(BATCH_BINDINGS, buffers), x: runs };
}
