// A small problem uploaded into the engine's own buffers, for testing one kernel at a time
// against its float64 twin. The reference sees the same float32-rounded inputs as the GPU.
import { resolveConfig, type Resolved } from '../../src/config/resolve';
import { buildConfig, type SettingKey } from '../../src/config/schema';
import type { Block, Shared } from '../../src/gpu/buffers';
import { allocateRun } from '../../src/gpu/allocate';
import { planLayout } from '../../src/gpu/plan';
import type { Variants } from '../../src/gpu/variants';
import { STATUS, STATUS_BYTES } from '../../src/gpu/layout';
import { GpuContext, readBuffer, submitPass, type Dispatch } from '../../src/gpu/program';
import { initialState, type ReferenceState } from '../../src/reference/init';
import { gpu } from './gpu';

const f32 = (x: Float64Array) => Float64Array.from(Float32Array.from(x));

export interface Problem {
  c: Resolved;
  ctx: GpuContext;
  s: Shared;
  blocks: Block[];
  /** The uploaded state, float32-rounded, as float64. */
  st: ReferenceState;
  run(dispatches: Dispatch[]): Promise<void>;
  read(b: GPUBuffer): Promise<Float32Array>;
  /** A per-neuron tensor gathered over blocks: `width` values per neuron, `stride` apart (default: W's d of d4·4, or 1). */
  readNeurons(pick: (b: Block) => GPUBuffer, width: number, stride?: number): Promise<Float64Array>;
  status(): Promise<{ step: number; halt: number; rows: number; epsStep: number; loss: number; loss0: number }>;
  setStatus(fields: Partial<Record<'step' | 'halt' | 'rows' | 'epsStep', number> & Record<'loss' | 'loss0', number>>): void;
}

/**
 * `perturb` moves W and a away from W0 and a0, so movement and flips are not zero; `masked`
 * gives each block the activation mask that backward=masked reads (forward then writes it);
 * `variants` allocates what those variants need (XT for forward=gemm, a split's partial gradients).
 */
export async function problem(given: Partial<Record<SettingKey, unknown>>, perturb = false, { masked = false, variants = {} as Partial<Variants> } = {}): Promise<Problem> {
  const { device } = await gpu();
  const c = resolveConfig(buildConfig(given));
  const layout = planLayout(c, device.limits, masked ? { backward: 'masked', ...variants } : variants);
  const ctx = new GpuContext(device, layout.d4);
  const { s, blocks } = await allocateRun(device, c, layout);
  const init = initialState(c);
  const st: ReferenceState = {
    X: f32(init.X), y: f32(init.y), W0: f32(init.W0), a0: f32(init.a0),
    W: f32(init.W0.map((w, k) => w * (1 + (perturb ? 0.4 * Math.sin(1.7 * k) : 0)))),
    a: f32(init.a0.map((a, j) => a + (perturb ? 0.3 * c.aScale * Math.cos(j) : 0))),
  };
  const pad = layout.d4 * 4;
  const padded = (src: Float64Array, rows: number, from = 0) => {
    const out = new Float32Array(rows * pad);
    for (let i = 0; i < rows; i++) for (let k = 0; k < c.d; k++) out[i * pad + k] = src[(from + i) * c.d + k];
    return out;
  };
  const q = device.queue;
  q.writeBuffer(s.X, 0, padded(st.X, c.n));
  q.writeBuffer(s.y, 0, Float32Array.from(st.y));
  for (const b of blocks) {
    q.writeBuffer(b.W, 0, padded(st.W, b.count, b.offset));
    q.writeBuffer(b.W0, 0, padded(st.W0, b.count, b.offset));
    q.writeBuffer(b.a, 0, Float32Array.from(st.a.subarray(b.offset, b.offset + b.count)));
    q.writeBuffer(b.a0, 0, Float32Array.from(st.a0.subarray(b.offset, b.offset + b.count)));
  }
  const read = (b: GPUBuffer) => readBuffer(device, b);
  return {
    c, ctx, s, blocks, st, read,
    async run(dispatches) {
      submitPass(device, dispatches);
      await q.onSubmittedWorkDone();
    },
    async readNeurons(pick, width, stride = width === c.d ? pad : width) {
      const out = new Float64Array(c.m * width);
      for (const b of blocks) {
        const data = await read(pick(b));
        for (let j = 0; j < b.count; j++) for (let k = 0; k < width; k++) out[(b.offset + j) * width + k] = data[j * stride + k];
      }
      return out;
    },
    async status() {
      const data = await read(s.status);
      const u = new Uint32Array(data.buffer);
      return { step: u[STATUS.step], halt: u[STATUS.halt], rows: u[STATUS.rows], epsStep: u[STATUS.epsStep], loss: data[STATUS.loss], loss0: data[STATUS.loss0] };
    },
    setStatus(fields) {
      const buf = new ArrayBuffer(STATUS_BYTES);
      const u = new Uint32Array(buf);
      const f = new Float32Array(buf);
      u[STATUS.step] = fields.step ?? 0;
      u[STATUS.halt] = fields.halt ?? 0;
      u[STATUS.rows] = fields.rows ?? 0;
      u[STATUS.epsStep] = fields.epsStep ?? 0;
      f[STATUS.loss] = fields.loss ?? 0;
      f[STATUS.loss0] = fields.loss0 ?? 0;
      q.writeBuffer(s.status, 0, buf);
    },
  };
}
