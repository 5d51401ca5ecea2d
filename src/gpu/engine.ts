// The WebGPU training engine: allocates the buffers, initializes on the GPU, and is the one
// place where a step's dispatches are scheduled (encodeStep). Many steps go into each
// submit; only the status word and the logged rows are read back, asynchronously.
import { ConfigError } from '../config/schema';
import { MAX_CHUNKS, chunkNeuronsFor, teacherOf, type Resolved } from '../config/resolve';
import { HALT } from '../model/constants';
import { STAT_COUNT } from '../model/constants';
import { STREAMS } from '../model/rng';
import type { Row } from '../model/metrics';
import { NO_INSTRUMENTS, STATE_COLUMNS } from '../model/metrics';
import { denseFromProducts, instrumentRows, prepare, spectrum } from '../train/instruments';
import { loggedSteps } from '../train/plan';
import {
  outcomeOf, suggestedRates, type BackendInfo, type RunOptions, type RunResult, type Tensors, type Trainer,
} from '../train/trainer';
import type { Block, Shared } from './buffers';
import { backwardUpdate, vjp } from './kernels/backward_update';
import { chunkReduce } from './kernels/chunk_reduce';
import { forward, jvp } from './kernels/forward';
import { initLabels, initNeurons, initX } from './kernels/init';
import { loss } from './kernels/loss';
import { metrics } from './kernels/metrics';
import { neuronStats } from './kernels/neuron_stats';
import { RESIDUAL_SAMPLES, residual } from './kernels/residual';
import {
  ROW_WORDS, STATUS, STATUS_BYTES, blockBytes, dimsBytes, initParamsBytes, maskWords, modeBytes, type InitParams,
} from './layout';
import { GpuContext, encode, readBuffer, submitPass, type Dispatch } from './program';
import { resolveVariants, type Variants } from './variants';

/** Largest workgroup count per dispatch dimension that every WebGPU device allows. */
const MAX_WORKGROUPS = 65535;
/** Steps per submit are sized so that one submit holds about this much GPU work. */
const TARGET_SUBMIT_SECONDS = 0.1;
const MAX_STEPS_PER_SUBMIT = 4096;
/** Rows the log buffer holds; it is read back and restarted every submit. */
export const ROWS_PER_SUBMIT = 1024;

export interface Layout {
  d4: number;
  blockNeurons: number;
  blocks: { offset: number; count: number; chunkOffset: number }[];
  rowCap: number;
  /** Bytes of every buffer the run holds but backward=masked's masks (RunPlan.bytes has all); the teacher's, freed after init, not counted. */
  bytes: number;
}

export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** Splits the neurons into blocks that each fit one storage binding; checks every buffer fits. */
export function planLayout(c: Resolved, limits: DeviceLimits): Layout {
  const d4 = Math.ceil(c.d / 4);
  const q = c.chunkNeurons;
  const bindMax = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const xBytes = c.n * d4 * 16;
  if (xBytes > bindMax)
    throw new ConfigError('n', `--n (n) × --d (d) too large: X needs ${mib(xBytes)}, one storage binding of this device holds ${mib(bindMax)}`);
  const teacherWidth = c.labels.kind === 'teacher' ? c.labels.width : 0;
  const partialChunks = Math.max(c.chunks, teacherWidth ? Math.ceil(teacherWidth / chunkNeuronsFor(teacherWidth)) : 0);
  const partialBytes = 4 * c.n * partialChunks;
  if (partialBytes > bindMax)
    throw new ConfigError('n', `--n (n) too large: partial outputs need ${mib(partialBytes)} (${MAX_CHUNKS} chunks × n), one binding holds ${mib(bindMax)}`);
  const perNeuron = Math.max(d4 * 16, 4 * STAT_COUNT);
  let fit = Math.min(Math.floor(bindMax / perNeuron), MAX_WORKGROUPS * 64);
  fit -= fit % q;
  if (teacherWidth * d4 * 16 > bindMax)
    throw new ConfigError('labels', `--labels (labels) teacher width ${teacherWidth} too large for one storage binding at d=${c.d}`);
  if (fit < q) throw new ConfigError('d', `--d (d) too large: ${q} neurons do not fit one storage binding (${mib(bindMax)})`);
  let blockNeurons = fit;
  if (c.blockNeurons > 0) {
    if (c.blockNeurons % q !== 0)
      throw new ConfigError('blockNeurons', `--block-neurons (blockNeurons) must be 0 (auto) or a multiple of ${q}, the reduction chunk at m=${c.m}; got ${c.blockNeurons}`);
    if (c.blockNeurons > fit)
      throw new ConfigError('blockNeurons', `--block-neurons (blockNeurons) must be at most ${fit} on this device; got ${c.blockNeurons}`);
    blockNeurons = c.blockNeurons;
  }
  const blocks: Layout['blocks'] = [];
  for (let offset = 0; offset < c.m; offset += blockNeurons) {
    blocks.push({ offset, count: Math.min(blockNeurons, c.m - offset), chunkOffset: offset / q });
  }
  const rowCap = ROWS_PER_SUBMIT;
  const bytes = xBytes + 8 * c.n + partialBytes + 4 * Math.ceil(c.n / RESIDUAL_SAMPLES) + 4 * STAT_COUNT * c.chunks
    + 4 * ROW_WORDS * rowCap + STATUS_BYTES + c.m * (2 * d4 * 16 + 8 + 4 * STAT_COUNT);
  return { d4, blockNeurons, blocks, rowCap, bytes };
}

/** Bytes of the activation masks of backward=masked, over all blocks. */
function maskBytes(c: Resolved, layout: Layout): number {
  return layout.blocks.reduce((sum, b) => sum + 4 * maskWords(c.n, c.chunkNeurons, b.count), 0);
}

export interface RunPlan {
  layout: Layout;
  variants: Variants;
  /** Bytes of every buffer the run holds, the activation masks included. */
  bytes: number;
}

/** Where the run's neurons go, which kernels it uses and what it holds: checked before anything is allocated. */
export function planRun(c: Resolved, limits: GPUSupportedLimits, backend: BackendInfo, forced: Partial<Variants> = {}): RunPlan {
  const layout = planLayout(c, limits);
  const variants = resolveVariants(backend, limits, { d4: layout.d4, n: c.n, q: c.chunkNeurons }, forced);
  return { layout, variants, bytes: layout.bytes + (variants.backward === 'masked' ? maskBytes(c, layout) : 0) };
}

/** The WebGPU trainer, with what a profiler needs: each kernel's dispatches and the bare step. */
export interface GpuTrainer extends Trainer {
  readonly device: GPUDevice;
  /** Bound dispatches per kernel name (one per block for per-block kernels), in step order. */
  readonly kernels: ReadonlyMap<string, readonly Dispatch[]>;
  /** Encodes `count` training steps without logging or readback. */
  encodeSteps(pass: GPUComputePassEncoder, count: number): void;
  /** The kernel variants this run uses (src/gpu/variants.ts). */
  readonly variants: Variants;
  /** The compiled-kernel cache (same D4) and the buffers, for kernels run beside training (benchmarks). */
  readonly context: GpuContext;
  readonly buffers: { readonly s: Shared; readonly blocks: readonly Block[] };
}

/** Owns the buffers of one run: created through it, destroyed together. */
export class Allocator {
  readonly owned: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {}

  buffer(size: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    this.owned.push(b);
    return b;
  }
  uniform(data: ArrayBuffer, label: string): GPUBuffer {
    const b = this.buffer(data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(b, 0, data);
    return b;
  }
  storage(size: number, label: string): GPUBuffer {
    return this.buffer(size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label);
  }
  release(b: GPUBuffer): void {
    b.destroy();
    this.owned.splice(this.owned.indexOf(b), 1);
  }
  destroyAll(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}

/**
 * Creates the run's buffers (zero-filled), with each block's activation mask where `masked`;
 * `bytes` counts them all. Fails with a one-line ConfigError when the device is out of memory.
 */
export async function allocate(device: GPUDevice, c: Resolved, layout: Layout, masked = false): Promise<{ alloc: Allocator; s: Shared; blocks: Block[] }> {
  const alloc = new Allocator(device);
  const bytes = layout.bytes + (masked ? maskBytes(c, layout) : 0);
  const d4 = layout.d4;
  device.pushErrorScope('out-of-memory');
  const lossPartCount = Math.ceil(c.n / RESIDUAL_SAMPLES);
  const teacherWidth = c.labels.kind === 'teacher' ? c.labels.width : 0;
  const teacherChunks = teacherWidth ? Math.ceil(teacherWidth / chunkNeuronsFor(teacherWidth)) : 0;
  const s: Shared = {
    dims: alloc.uniform(dimsBytes(c, lossPartCount, layout.rowCap), 'dims'),
    X: alloc.storage(c.n * d4 * 16, 'X'),
    y: alloc.storage(4 * c.n, 'y'),
    r: alloc.storage(4 * c.n, 'r'),
    partials: alloc.storage(4 * c.n * Math.max(c.chunks, teacherChunks), 'partials'),
    status: alloc.storage(STATUS_BYTES + 4 * lossPartCount, 'status'),
    chunkStats: alloc.storage(4 * STAT_COUNT * c.chunks, 'chunkStats'),
    rows: alloc.storage(4 * ROW_WORDS * layout.rowCap, 'rows'),
    n: c.n,
    q: c.chunkNeurons,
    lossPartCount,
  };
  const blocks: Block[] = layout.blocks.map((b, i) => ({
    ...b,
    uniform: alloc.uniform(blockBytes(b.offset, b.count, b.chunkOffset, i === 0), `block${i}`),
    W: alloc.storage(b.count * d4 * 16, `W${i}`),
    a: alloc.storage(4 * b.count, `a${i}`),
    W0: alloc.storage(b.count * d4 * 16, `W0_${i}`),
    a0: alloc.storage(4 * b.count, `a0_${i}`),
    stats: alloc.storage(4 * STAT_COUNT * b.count, `stats${i}`),
    mask: masked ? alloc.storage(4 * maskWords(c.n, c.chunkNeurons, b.count), `mask${i}`) : null,
  }));
  const oom = await device.popErrorScope();
  if (oom) {
    alloc.destroyAll();
    throw new ConfigError('m', `the run needs ${(bytes / 2 ** 20).toFixed(1)} MiB of GPU memory and the device could not allocate it: lower --m (m), --n (n) or --d (d)`);
  }
  return { alloc, s, blocks };
}

export async function createGpuTrainer(
  device: GPUDevice, backend: BackendInfo, given: Resolved, labelValues?: Float64Array, forced: Partial<Variants> = {},
): Promise<GpuTrainer> {
  // Replaced once the instruments have measured the rates at initialization.
  let c = given;
  const { layout, variants, bytes } = planRun(c, device.limits, backend, forced);
  const U = GPUBufferUsage;
  const ctx = new GpuContext(device, layout.d4);
  const d4 = layout.d4;
  const teacher = labelValues ? null : teacherOf(c);
  const { alloc, s, blocks } = await allocate(device, c, layout, variants.backward === 'masked');
  const uniform = alloc.uniform.bind(alloc);
  const storage = alloc.storage.bind(alloc);
  device.pushErrorScope('validation');
  const teacherChunks = teacher ? Math.ceil(teacher.width / chunkNeuronsFor(teacher.width)) : 0;
  const lossPartCount = s.lossPartCount;
  const modeStep = uniform(modeBytes(false), 'modeStep');
  const modeRecord = uniform(modeBytes(true), 'modeRecord');

  // Initialization, all on the GPU: X, labels (drawn, a teacher's outputs, or uploaded), W0, a0.
  const scratch: GPUBuffer[] = [];
  const initUniform = (p: InitParams, label: string) => {
    const b = uniform(initParamsBytes(p), label);
    scratch.push(b);
    return b;
  };
  const init: Dispatch[] = [initX(ctx, initUniform({ seed: c.seed, streamA: STREAMS.x, flag: c.data === 'sphere', count: c.n, d: c.d }, 'initX'), s.X, c.n)];
  if (labelValues) {
    device.queue.writeBuffer(s.y, 0, Float32Array.from(labelValues));
  } else if (teacher) {
    const tq = chunkNeuronsFor(teacher.width);
    const tb = {
      count: teacher.width,
      uniform: uniform(blockBytes(0, teacher.width, 0, true), 'teacherBlock'),
      W: storage(teacher.width * d4 * 16, 'teacherW'),
      a: storage(4 * teacher.width, 'teacherA'),
    };
    const tDims = uniform(dimsBytes(c, lossPartCount, layout.rowCap, { m: teacher.width, chunks: teacherChunks, q: tq, kappa: teacher.outputScale }), 'teacherDims');
    const zeros = storage(4 * c.n, 'zeros');
    scratch.push(tb.uniform, tb.W, tb.a, tDims, zeros);
    const tp = { seed: c.seed, streamA: STREAMS.teacherW, streamB: STREAMS.teacherA, flag: false, count: teacher.width, d: c.d, scaleA: teacher.wScale, scaleB: teacher.aScale };
    init.push(initNeurons(ctx, initUniform(tp, 'initTeacher'), tb.W, tb.a, teacher.width));
    init.push(forward(ctx, { ...s, q: tq }, tb, { dims: tDims }));
    init.push(residual(ctx, s, tb, variants.residual, { dims: tDims, y: zeros, into: s.y }));
  } else if (c.labels.kind === 'sign' || c.labels.kind === 'gaussian') {
    init.push(initLabels(ctx, initUniform({ seed: c.seed, streamA: STREAMS.labels, flag: c.labels.kind === 'sign', count: c.n, d: c.d }, 'initLabels'), s.y, c.n));
  }
  blocks.forEach((b, i) => {
    const p = { seed: c.seed, streamA: STREAMS.w, streamB: STREAMS.a, flag: c.outputInit === 'sign', count: b.count, offset: b.offset, d: c.d, scaleA: c.wScale, scaleB: c.aScale };
    init.push(initNeurons(ctx, initUniform(p, `initNeurons${i}`), b.W, b.a, b.count));
  });
  {
    const enc = device.createCommandEncoder({ label: 'init' });
    const pass = enc.beginComputePass();
    for (const d of init) encode(pass, d);
    pass.end();
    for (const b of blocks) {
      enc.copyBufferToBuffer(b.W, 0, b.W0, 0, b.W.size);
      enc.copyBufferToBuffer(b.a, 0, b.a0, 0, b.a.size);
    }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    for (const b of scratch) alloc.release(b);
  }

  // Every dispatch is bound once; a step only replays them.
  const fwd = blocks.map((b) => forward(ctx, s, b, { variant: variants.forward }));
  const res = residual(ctx, s, blocks[0], variants.residual);
  const lossD = loss(ctx, s);
  const upd = blocks.map((b) => backwardUpdate(ctx, s, b, variants.backward));
  const stats = blocks.map((b) => neuronStats(ctx, s, b, variants.stats));
  const reduce = blocks.map((b) => chunkReduce(ctx, s, b));
  const rowStep = metrics(ctx, s, modeStep);
  const rowRecord = metrics(ctx, s, modeRecord);
  const invalid = await device.popErrorScope();
  if (invalid) {
    alloc.destroyAll();
    ctx.destroy();
    throw new Error(`WebGPU rejected the engine's setup: ${invalid.message}`);
  }
  // Errors after setup (device lost, a failed submit) end the run with their message.
  let failure: string | null = null;
  const onError = (e: Event) => { failure ??= (e as GPUUncapturedErrorEvent).error.message; };
  device.addEventListener('uncapturederror', onError);
  let disposed = false;
  device.lost.then((info) => {
    if (!disposed) failure ??= `the WebGPU device was lost (${info.reason}): ${info.message}`;
  });


  /**
   * The state's residual, its row if logged, then one update unless `record`. The update applies
   * the halting rule to the loss itself; the loss dispatch (the same rule, idempotent) runs only
   * where a row needs the loss recorded first.
   */
  function encodeStep(pass: GPUComputePassEncoder, log: boolean, record: boolean) {
    for (const d of fwd) encode(pass, d);
    encode(pass, res);
    if (log || record) {
      encode(pass, lossD);
      for (const d of stats) encode(pass, d);
      for (const d of reduce) encode(pass, d);
      encode(pass, record ? rowRecord : rowStep);
    }
    if (!record) for (const d of upd) encode(pass, d);
  }

  interface Readback {
    step: number;
    halt: number;
    epsStep: number;
    loss: number;
    loss0: number;
    rowData: Row[];
  }

  /** Submits an encoder that ends with copies of the status and the first `planned` rows, and reads them back. */
  function submitAndRead(enc: GPUCommandEncoder, planned: number): Promise<Readback> {
    const rowBytes = 4 * ROW_WORDS;
    const size = STATUS_BYTES + rowBytes * planned;
    const staging = device.createBuffer({ size, usage: U.MAP_READ | U.COPY_DST, label: 'staging' });
    enc.copyBufferToBuffer(s.status, 0, staging, 0, STATUS_BYTES);
    if (planned > 0) enc.copyBufferToBuffer(s.rows, 0, staging, STATUS_BYTES, rowBytes * planned);
    // Queue order puts this reset after every earlier submit's copies: each submit logs from row 0.
    device.queue.writeBuffer(s.status, 4 * STATUS.rows, new Uint32Array([0]));
    device.queue.submit([enc.finish()]);
    return staging.mapAsync(GPUMapMode.READ).then(() => {
      const data = staging.getMappedRange().slice(0);
      staging.destroy();
      const u = new Uint32Array(data);
      const f = new Float32Array(data);
      const rowData: Row[] = [];
      for (let k = 0; k < Math.min(planned, u[STATUS.rows]); k++) {
        const o = STATUS_BYTES / 4 + k * ROW_WORDS;
        const row = { step: u[o] } as Row;
        STATE_COLUMNS.forEach((col, j) => { row[col] = f[o + 2 + j]; });
        Object.assign(row, NO_INSTRUMENTS);
        rowData.push(row);
      }
      return { step: u[STATUS.step], halt: u[STATUS.halt], epsStep: u[STATUS.epsStep], loss: f[STATUS.loss], loss0: f[STATUS.loss0], rowData };
    });
  }

  // Tangent-kernel products: buffers made on first use (O(n·chunks + m·d)), apart from the
  // training buffers so that a product never disturbs a run (a halted run re-reads partials).
  let tangent: { v: GPUBuffer; out: GPUBuffer; rates: GPUBuffer; zeros: GPUBuffer; dispatches: Dispatch[] } | null = null;
  async function tangentProduct(v: Float64Array, etaW: number, etaA: number): Promise<Float64Array> {
    if (!tangent) {
      const t = {
        v: storage(4 * c.n, 'tangentV'),
        out: storage(4 * c.n, 'tangentOut'),
        rates: uniform(new Float32Array(4).buffer, 'tangentRates'),
        zeros: storage(4 * c.n, 'tangentZeros'),
      };
      const side: Shared = { ...s, partials: storage(4 * c.n * c.chunks, 'tangentPartials'), status: storage(STATUS_BYTES + 4 * s.lossPartCount, 'tangentStatus') };
      const dispatches: Dispatch[] = [];
      for (const b of blocks) {
        const U = storage(b.count * d4 * 16, 'tangentU');
        const ua = storage(4 * b.count, 'tangentUa');
        dispatches.push(vjp(ctx, s, b, t.v, U, ua), jvp(ctx, side, b, t.rates, U, ua));
      }
      dispatches.push(residual(ctx, side, blocks[0], variants.residual, { y: t.zeros, into: t.out }));
      tangent = { ...t, dispatches };
    }
    device.queue.writeBuffer(tangent.v, 0, Float32Array.from(v));
    device.queue.writeBuffer(tangent.rates, 0, new Float32Array([etaW, etaA, 0, 0]));
    submitPass(device, tangent.dispatches, 'tangent product');
    return Float64Array.from((await readBuffer(device, tangent.out)).subarray(0, c.n));
  }

  async function runSteps(options: RunOptions): Promise<RunResult> {
    const T = c.steps;
    const logged = new Set(loggedSteps(T, c.logEvery, c.logPerDecade).filter((t) => t < T && t !== lastRecorded));
    const start = performance.now();
    const firstStep = last.step;
    let lastDone = start;
    let stepsPerSubmit = 4;
    let next = last.step;
    const inflight: { promise: Promise<Readback>; steps: number }[] = [];
    const keep = (r: Readback) => {
      last = r;
      instrumentRows(r.rowData, spectra, prediction);
      for (const row of r.rowData) {
        rows.push(row);
        options.onRow?.(row);
      }
    };
    const take = async () => {
      const { promise, steps } = inflight.shift()!;
      keep(await promise.catch((e: Error) => { throw new Error(failure ?? e.message); }));
      if (failure) throw new Error(failure);
      const now = performance.now();
      const rate = steps / Math.max((now - lastDone) / 1000, 1e-6);
      lastDone = now;
      stepsPerSubmit = Math.max(1, Math.min(MAX_STEPS_PER_SUBMIT, Math.round(rate * TARGET_SUBMIT_SECONDS)));
      const overall = (last.step - firstStep) / ((now - start) / 1000);
      options.onProgress?.({
        step: last.step, loss: last.loss, lossRatio: last.loss / last.loss0, stepsPerSecond: overall,
        etaSeconds: (T - last.step) / overall,
      });
    };
    const drain = async () => {
      try {
        while (inflight.length) await take();
      } catch (e) {
        // Settle the other readbacks too, so that none rejects unobserved after this one.
        await Promise.allSettled(inflight.splice(0).map((x) => x.promise));
        throw e;
      }
    };
    /** The spectrum needs the state of its step: everything encoded must have run. */
    const measureSpectrum = async () => {
      await drain();
      if (!spectra.has(last.step)) spectra.set(last.step, await spectrum(c, tangentProduct));
    };
    while (next < T && last.halt === HALT.running && !options.signal?.aborted) {
      if (c.spectrum && logged.has(next)) {
        await measureSpectrum();
        if (last.halt !== HALT.running) break;
      }
      const enc = device.createCommandEncoder({ label: `steps from ${next}` });
      const pass = enc.beginComputePass();
      const from = next;
      let planned = 0;
      // One row slot stays free for a closing record; with --spectrum a submit ends before the next logged step.
      while (next < Math.min(T, from + stepsPerSubmit) && planned < ROWS_PER_SUBMIT - 1 && !(c.spectrum && next > from && logged.has(next))) {
        const log = logged.has(next);
        encodeStep(pass, log, false);
        if (log) planned++;
        next++;
      }
      pass.end();
      inflight.push({ promise: submitAndRead(enc, planned), steps: next - from });
      // Two submits in flight keep the GPU busy while the host reads the older one.
      if (inflight.length >= 2) await take().catch(async (e) => {
        await Promise.allSettled(inflight.splice(0).map((x) => x.promise));
        throw e;
      });
    }
    await drain();
    if (c.spectrum) await measureSpectrum();
    if (lastRecorded !== last.step) {
      // The closing record: the state the run stopped at (halted, paused, or at T).
      const enc = device.createCommandEncoder({ label: 'record' });
      const pass = enc.beginComputePass();
      encodeStep(pass, false, true);
      pass.end();
      keep(await submitAndRead(enc, 1));
      lastRecorded = last.step;
    }
    const wallSeconds = (performance.now() - start) / 1000;
    const outcome = outcomeOf(last.halt, last.step < T);
    return {
      outcome,
      stepsDone: last.step,
      stepsToEps: last.epsStep > 0 ? last.epsStep - 1 : null,
      rows: rows.slice(),
      loss0: last.loss0,
      wallSeconds,
      stepsPerSecond: (last.step - firstStep) / Math.max(wallSeconds, 1e-9),
      ...(outcome === 'diverged' ? { suggested: suggestedRates(c) } : {}),
    };
  }

  // What the GPU last reported, kept across run() calls so that a run can resume.
  let last: Readback = { step: 0, halt: HALT.running, epsStep: 0, loss: NaN, loss0: NaN, rowData: [] };
  let lastRecorded = -1;
  let running = false;
  const rows: Row[] = [];

  // Fixed at initialization: measured rates, adversarial labels, H_0 for the kernel prediction.
  const release = () => {
    disposed = true;
    device.removeEventListener('uncapturederror', onError);
    alloc.destroyAll();
    ctx.destroy();
  };
  const { c: measured, prediction } = await prepare(c, {
    product: tangentProduct,
    dense: (etaW, etaA) => denseFromProducts(c.n, (v) => tangentProduct(v, etaW, etaA)),
    setLabels: async (y) => device.queue.writeBuffer(s.y, 0, Float32Array.from(y)),
    residual0: async () => {
      submitPass(device, [...fwd, res], 'r0');
      return Float64Array.from((await readBuffer(device, s.r)).subarray(0, c.n));
    },
  }).catch((e: unknown) => {
    // A failed measurement at initialization leaves nothing behind on a device the page reuses.
    release();
    throw e;
  });
  c = measured;
  device.queue.writeBuffer(s.dims, 0, dimsBytes(c, s.lossPartCount, layout.rowCap));
  // L0, which every step's halting rule needs, from the state at step 0 (labels are final now).
  submitPass(device, [...fwd, res, lossD], 'L0');
  // λ_min, λ_max of H_t at the logged steps where they were measured (--spectrum).
  const spectra = new Map<number, Awaited<ReturnType<typeof spectrum>>>();

  const trainer: GpuTrainer = {
    backend,
    get config() { return c; },
    memoryBytes: bytes,
    device,
    kernels: new Map([
      ['forward', fwd], ['residual', [res]], ['loss', [lossD]], ['backward_update', upd],
      ['neuron_stats', stats], ['chunk_reduce', reduce], ['metrics', [rowStep]],
    ]),
    context: ctx,
    buffers: { s, blocks },
    variants,
    tangentProduct,
    encodeSteps(pass, count) {
      for (let k = 0; k < count; k++) encodeStep(pass, false, false);
    },
    async run(options: RunOptions = {}): Promise<RunResult> {
      if (running) throw new Error('this trainer is already running');
      running = true;
      try {
        return await runSteps(options);
      } finally {
        running = false;
      }
    },
    async readTensors(): Promise<Tensors> {
      const read = async (parts: GPUBuffer[], width: number, stride: number, count: number) => {
        const out = new Float32Array(count * width);
        let at = 0;
        for (const b of parts) {
          const src = await readBuffer(device, b);
          const rowsHere = Math.min(Math.floor(src.length / stride), count - at);
          for (let i = 0; i < rowsHere; i++) out.set(src.subarray(i * stride, i * stride + width), (at + i) * width);
          at += rowsHere;
        }
        return out;
      };
      const padded = d4 * 4;
      return {
        X: await read([s.X], c.d, padded, c.n),
        y: await read([s.y], 1, 1, c.n),
        W0: await read(blocks.map((b) => b.W0), c.d, padded, c.m),
        a0: await read(blocks.map((b) => b.a0), 1, 1, c.m),
        W: await read(blocks.map((b) => b.W), c.d, padded, c.m),
        a: await read(blocks.map((b) => b.a), 1, 1, c.m),
      };
    },
    dispose: release,
  };
  return trainer;
}
