// The WebGPU engine: the run's plan, buffers, initialization, step program, readback and
// tangent products (one module each) put together behind the Engine interface that the run
// loop (src/train/run_loop.ts) drives. Many steps go into each submit; only the status word and
// the logged rows are read back, asynchronously.
import type { Resolved } from '../config/resolve';
import type { HaltCode } from '../model/constants';
import type { BackendInfo, Engine, Readback, StateRow, Tensors } from '../model/engine';
import { STATE_COLUMNS } from '../model/metrics';
import { allocateRun } from './allocate';
import { autotune, tuneCacheOf, tuneCandidates, tuneKey, type TunedChoice } from './autotune';
import type { Block, Shared } from './buffers';
import { initialize } from './initialize';
import { ROW_WORDS, STATUS, STATUS_BYTES, dimsBytes, modeBytes } from './layout';
import { planRun, ROWS_PER_SUBMIT } from './plan';
import { GpuContext, submitPass, type Dispatch } from './program';
import { StagingPool } from './readback';
import { stepProgram } from './step';
import { tangentProducts } from './tangent';
import { GpuTimer } from './timer';
import type { Variants } from './variants';

/** The engine's most steps per submit (the loop sizes submits to about 0.1 s of GPU work). */
const MAX_STEPS_PER_SUBMIT = 4096;

/** The WebGPU engine, with what a profiler needs: each kernel's dispatches and the bare step. */
export interface GpuEngine extends Engine {
  readonly device: GPUDevice;
  /** Bound dispatches per kernel name (one per block for per-block kernels), in step order. */
  readonly kernels: ReadonlyMap<string, readonly Dispatch[]>;
  /** Encodes `count` training steps without readback: plain, or each logged (its row kept while the log buffer has room). */
  encodeSteps(pass: GPUComputePassEncoder, count: number, logged?: boolean): void;
  /** The kernel variants this run uses (src/gpu/variants.ts). */
  readonly variants: Variants;
  /** The autotuner's choice, where it ran (--autotune on|refresh), and whether it came from its cache. */
  readonly tuning: { choice: TunedChoice; from: 'cache' | 'measured' } | null;
  /** The compiled-kernel cache (same D4) and the buffers, for kernels run beside training (benchmarks). */
  readonly context: GpuContext;
  readonly buffers: { readonly s: Shared; readonly blocks: readonly Block[] };
}

/**
 * `compile: 'async'` compiles the step's pipelines with createComputePipelineAsync, all at once
 * (the autotuner's candidates); the engine's own runs compile them synchronously, as each kernel
 * module asks for them: on Dawn's Node package with SwiftShader the asynchronous path took about
 * twice the CPU time (docs/BENCHMARKS.md).
 */
export async function createGpuEngine(
  device: GPUDevice, backend: BackendInfo, c: Resolved, labelValues?: Float64Array, forced: Partial<Variants> = {}, compile: 'sync' | 'async' = 'sync',
): Promise<GpuEngine> {
  const tuning = c.autotune === 'off' ? null : await tuneRun(device, backend, c, forced);
  // --kernel forces over the tuner's choice.
  const plan = planRun(c, device.limits, backend, { ...tuning?.choice.variants, ...forced });
  const { variants } = plan;
  const ctx = new GpuContext(device, plan.d4, variants.loops === 'unrolled');
  const { alloc, s, blocks } = await allocateRun(device, c, plan);
  const staging = new StagingPool(device);
  // Errors after setup (device lost, a failed submit) end the run with their message.
  let failure: string | null = null;
  let disposed = false;
  const onError = (e: Event) => { failure ??= (e as GPUUncapturedErrorEvent).error.message; };
  const release = () => {
    disposed = true;
    device.removeEventListener('uncapturederror', onError);
    staging.destroy();
    alloc.destroyAll();
    ctx.destroy();
  };
  device.pushErrorScope('validation');
  let step: ReturnType<typeof stepProgram>;
  try {
    const modes = { step: alloc.uniform(modeBytes(false), 'modeStep'), record: alloc.uniform(modeBytes(true), 'modeRecord') };
    const build = () => stepProgram(ctx, s, blocks, variants, modes);
    if (compile === 'async') await ctx.precompile(build);
    await initialize(ctx, alloc, c, plan, s, blocks, variants, labelValues);
    step = build();
  } catch (e) {
    await device.popErrorScope();
    release();
    throw e;
  }
  const invalid = await device.popErrorScope();
  if (invalid) {
    release();
    throw new Error(`WebGPU rejected the engine's setup: ${invalid.message}`);
  }
  device.addEventListener('uncapturederror', onError);
  device.lost.then((info) => {
    if (!disposed) failure ??= `the WebGPU device was lost (${info.reason}): ${info.message}`;
  });

  /** A failed readback's error, named by what failed on the device (a lost device) where that is known. */
  const failed = (e: unknown) => new Error(failure ?? (e as Error).message);

  const rowBytes = 4 * ROW_WORDS;
  /** Submits an encoder that ends with copies of the status and the first `planned` rows, and reads them back. */
  async function submitAndRead(enc: GPUCommandEncoder, planned: number): Promise<Readback> {
    const size = STATUS_BYTES + rowBytes * planned;
    const read = staging.submitAndRead(enc, size, (b) => {
      enc.copyBufferToBuffer(s.status, 0, b, 0, STATUS_BYTES);
      if (planned > 0) enc.copyBufferToBuffer(s.rows, 0, b, STATUS_BYTES, rowBytes * planned);
      // Queue order puts this reset after the copies of this submit: each submit logs from row 0.
      device.queue.writeBuffer(s.status, 4 * STATUS.rows, new Uint32Array([0]));
    });
    let data: ArrayBuffer;
    try {
      data = await read;
    } catch (e) {
      throw failed(e);
    }
    if (failure) throw new Error(failure);
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    const rows: StateRow[] = [];
    for (let k = 0; k < Math.min(planned, u[STATUS.rows]); k++) {
      const o = STATUS_BYTES / 4 + k * ROW_WORDS;
      const row = { step: u[o] } as StateRow;
      STATE_COLUMNS.forEach((col, j) => { row[col] = f[o + 2 + j]; });
      rows.push(row);
    }
    const epsStep = u[STATUS.epsStep];
    return { step: u[STATUS.step], halt: u[STATUS.halt] as HaltCode, epsStep: epsStep > 0 ? epsStep - 1 : null, loss: f[STATUS.loss], loss0: f[STATUS.loss0], rows };
  }

  const products = tangentProducts(ctx, alloc, staging, plan, s, blocks, variants);
  // The stability monitor takes products during training: a lost device must read as one there too.
  const product: typeof products = (v, etaW, etaA) => products(v, etaW, etaA).catch((e) => { throw failed(e); });
  const padded = plan.d4 * 4;
  /** Rows of `width` floats (stride `stride` on the GPU) of each buffer in turn, `count` in all. */
  const readRows = async (parts: readonly GPUBuffer[], width: number, stride: number, count: number) => {
    const out = new Float32Array(count * width);
    let at = 0;
    for (const b of parts) {
      const src = await staging.read(b);
      const here = Math.min(Math.floor(src.length / stride), count - at);
      for (let i = 0; i < here; i++) out.set(src.subarray(i * stride, i * stride + width), (at + i) * width);
      at += here;
    }
    return out;
  };

  return {
    backend,
    memoryBytes: plan.bytes,
    pace: { maxSteps: MAX_STEPS_PER_SUBMIT, maxRows: ROWS_PER_SUBMIT - 1, inflight: 2 },
    device,
    kernels: step.kernels,
    variants,
    tuning,
    context: ctx,
    buffers: { s, blocks },
    tangentProduct: product,
    async setLabels(y) {
      device.queue.writeBuffer(s.y, 0, Float32Array.from(y));
    },
    async residual0() {
      submitPass(device, step.residualPass, 'r0');
      return Float64Array.from((await staging.read(s.r)).subarray(0, c.n));
    },
    async start(final) {
      device.queue.writeBuffer(s.dims, 0, dimsBytes(final, plan.lossParts, plan.rowCap));
      // L0, which every step's halting rule needs, from the state at step 0 (labels are final now).
      submitPass(device, [...step.residualPass, step.loss], 'L0');
    },
    submit(from, count, logged) {
      const enc = device.createCommandEncoder({ label: `steps from ${from}` });
      const pass = enc.beginComputePass();
      let planned = 0;
      for (let t = from; t < from + count; t++) {
        const log = logged.has(t);
        step.encodeStep(pass, log, false);
        if (log) planned++;
      }
      pass.end();
      return submitAndRead(enc, planned);
    },
    record() {
      const enc = device.createCommandEncoder({ label: 'record' });
      const pass = enc.beginComputePass();
      step.encodeStep(pass, false, true);
      pass.end();
      return submitAndRead(enc, 1);
    },
    encodeSteps(pass, count, logged = false) {
      for (let k = 0; k < count; k++) step.encodeStep(pass, logged, false);
    },
    async readTensors(): Promise<Tensors> {
      return {
        X: await readRows([s.X], c.d, padded, c.n),
        y: await readRows([s.y], 1, 1, c.n),
        W0: await readRows(blocks.map((b) => b.W0), c.d, padded, c.m),
        a0: await readRows(blocks.map((b) => b.a0), 1, 1, c.m),
        W: await readRows(blocks.map((b) => b.W), c.d, padded, c.m),
        a: await readRows(blocks.map((b) => b.a), 1, 1, c.m),
      };
    },
    dispose: release,
  };
}


/** GPU seconds each candidate's measurement aims for (3 repeats, the least counts). */
const TUNE_SECONDS = 0.02;

/**
 * The autotuner on this run's shape: each candidate an engine of its own (autotune off, rates 0
 * so that no halting rule stops the work), timed over whole steps with timestamp queries where
 * the device has them, else the host's clock around a submit (GpuTimer says which).
 */
async function tuneRun(device: GPUDevice, backend: BackendInfo, c: Resolved, forced: Partial<Variants>) {
  const shape = { d4: Math.ceil(c.d / 4), n: c.n, m: c.m, q: c.chunkNeurons };
  const timer = new GpuTimer(device);
  const probe: Resolved = { ...c, autotune: 'off', etaW: 0, etaA: 0, stopAtEps: false };
  return autotune({
    key: tuneKey(backend, shape), mode: c.autotune === 'refresh' ? 'refresh' : 'on', cache: tuneCacheOf(device),
    candidates: tuneCandidates(backend, device.limits, shape, forced), timing: timer.method,
    async measure(v) {
      const e = await createGpuEngine(device, backend, probe, undefined, v, 'async');
      try {
        await e.start(probe);
        const per = async (steps: number) => (await timer.time((pass) => e.encodeSteps(pass, steps))) / steps;
        const steps = Math.max(1, Math.min(256, Math.ceil(TUNE_SECONDS / Math.max(await per(1), 1e-6))));
        let best = Infinity;
        for (let k = 0; k < 3; k++) best = Math.min(best, await per(steps));
        return best;
      } finally {
        e.dispose();
      }
    },
  });
}
