// The batched WebGPU engine: many independent runs (any seeds, sizes, rates, labels of one
// D4 = ⌈d/4⌉) in one set of buffers, trained by one dispatch per submit in which each run's
// workgroup applies many steps (shaders/batch_train.wgsl). Each run halts on its own, logs
// its own rows at its own logged steps and writes its closing record when it ends; the host
// reads back only the runs' status words and the rows of the submit.
import type { Resolved } from '../config/resolve';
import type { HaltCode } from '../model/constants';
import type { BackendInfo, Readback, StateRow, Tensors } from '../model/engine';
import { STAT_COUNT } from '../model/constants';
import { STATE_COLUMNS } from '../model/metrics';
import { Allocator } from './allocate';
import {
  BATCH_STATE, STATE_WORDS, batchParamsBytes, batchTrain, runRecordBytes, type BatchBuffers, type BatchRunLayout,
} from './kernels/batch_train';
import { batchTangent, type BatchTangentBuffers } from './kernels/batch_tangent';
import { ROW_WORDS } from './layout';
import { GpuContext, encode, type Dispatch } from './program';
import { StagingPool } from './readback';
import { chooseLoops } from './variants';

/** A run as the batch takes it: the final config (numeric rates), its initial state, its logged steps. */
export interface BatchMember {
  c: Resolved;
  /** Float32 in the layout users load (X n×d, W0 m×d), labels final. */
  tensors: Pick<Tensors, 'X' | 'y' | 'W0' | 'a0'>;
  /** Steps below c.steps whose state is logged, increasing. */
  logged: readonly number[];
}

/** A run's report after a submit; `done`: its closing record (the last row) is in, and it is frozen. */
export interface BatchReadback extends Readback {
  done: boolean;
}

export interface BatchEngine {
  readonly backend: BackendInfo;
  readonly size: number;
  readonly memoryBytes: number;
  /** Rows a run may write per submit, its closing record included. */
  readonly rowCap: number;
  /** Applies up to `count` steps to every running run (the caller keeps each run's logged rows per submit within rowCap − 1). */
  submit(count: number): Promise<BatchReadback[]>;
  /** H v for each (run, v) at the runs' current states, at each run's own rates, in one dispatch. */
  tangentProducts(calls: readonly { run: number; v: Float64Array }[]): Promise<Float64Array[]>;
  dispose(): void;
}

/** Rows per run per submit. */
export const BATCH_ROW_CAP = 16;
/** Workgroups of one dispatch dimension, the most WebGPU guarantees. */
const MAX_BATCH_RUNS = 65535;

/**
 * Invocations per run: on CPU drivers one SIMD group of the driver (its smallest subgroup, else
 * 8): a step's barriers then cost no waiting between groups, and since the residual and the
 * neurons take blocks of BLOCK_ITEMS items per invocation, fewer invocations lose no
 * parallelism at these sizes (64 runs of 32×8×m, 500 steps, `bench --sweep --batches 64`, one
 * build per count, twice each: SwiftShader, subgroups of 4, m = 32 and 8: 20 700, 19 500 and
 * 41 000, 36 900 run-steps/s with 4 against 18 000, 18 800 and 21 300, 20 600 with 8 and
 * 9 100, 9 500 and 15 500, 16 200 with 16; lavapipe, subgroups of 8: m = 32: 97 800 with 8
 * against 79 000 with 4 and 52 400 with 16; docs/BENCHMARKS.md). 64 on GPUs (two warps, or one
 * wavefront). A run's bits depend on it: it is the adapter's, never the batch's.
 */
export function batchWorkgroup(info: BackendInfo): number {
  return info.software ? (info.subgroupMinSize ?? 8) : 64;
}

/**
 * Most runs per batch unless asked: on CPU drivers 64 (SwiftShader trained issue 13's 200 runs
 * in 40 s in batches of 16 or 64, 144 s in one batch of 200), else as many as fit.
 */
export function batchRuns(info: BackendInfo): number {
  return info.software ? 64 : MAX_BATCH_RUNS;
}

/** Bytes of a workgroup variable as Dawn counts them: whole 16-byte units. */
const units = (bytes: number) => 16 * Math.ceil(bytes / 16);

/** Bytes of workgroup memory batch_train holds beside the residual: `lane`, `stat_lane` (a word per invocation, per column), `state_sh`. */
const reductionBytes = (workgroup: number) => units(4 * workgroup) + units(4 * workgroup * STAT_COUNT) + units(4 * STATE_WORDS);

/**
 * The most samples of a batched run on this device: a run's residual lives in its workgroup's
 * memory, beside batch_train's reductions (at 32 KiB: 8 144 with 4 invocations, 8 104 with 8, 7 544 with 64).
 * A multiple of 4 words, as Dawn counts the array in 16-byte units.
 */
export function batchMaxN(limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>, workgroup: number): number {
  return 4 * Math.floor((limits.maxComputeWorkgroupStorageSize - reductionBytes(workgroup)) / 16);
}

/**
 * The length of a batch's residual array (RN) for runs of at most `n` samples: a power of 2,
 * at least 64, so that few pipelines serve every batch, or else the device's most. The array
 * takes a workgroup's memory: on a GPU, the larger it is, the fewer workgroups fit at once.
 */
export function residualLength(n: number, max: number): number {
  return Math.min(Math.max(64, 2 ** Math.ceil(Math.log2(n))), max);
}

/**
 * The most vec4 multiply-adds one invocation may owe a batched run per step (batchStepWork). A
 * dispatch holds one step at least, and the loop stops (Pause, Ctrl-C) only between dispatches,
 * so the step must stay well under 0.1 s, as the page's CPU step does. At one vec4 multiply-add
 * per 4 cycles of about 1.5 GHz, 2²² take about 11 ms on a GPU's lane; a phone's is several times
 * slower. A larger run needs the whole device anyway: the single-run engine spreads it over
 * every lane.
 */
export const BATCH_MAX_STEP_WORK = 2 ** 22;

/**
 * vec4 multiply-adds of one invocation in a step of batch_train: ⌈n/WG⌉ samples' residuals over
 * m neurons, then ⌈m/WG⌉ neurons' z and gradient over n samples.
 */
export function batchStepWork(c: Pick<Resolved, 'n' | 'm' | 'd'>, workgroup: number): number {
  return Math.ceil(c.d / 4) * (Math.ceil(c.n / workgroup) * c.m + 2 * c.n * Math.ceil(c.m / workgroup));
}

/** Why a run cannot join a batch on this device (it trains on the single-run engine), or null; `workgroup`: the adapter's unless a test asks for another. */
export function unbatchable(
  c: Resolved, limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>, info: BackendInfo, workgroup = batchWorkgroup(info),
): string | null {
  const max = batchMaxN(limits, workgroup);
  if (c.n > max) return `n > ${max}, a workgroup's memory here`;
  if (batchStepWork(c, workgroup) > BATCH_MAX_STEP_WORK) return 'a step too large for one workgroup';
  return null;
}

/**
 * Runs packed into batches: one D4 per batch (a run's kernel depends only on its own d), similar
 * residual lengths and sizes together (a dispatch lasts as long as its largest run), each batch's buffers within
 * the device's binding limit and at most `maxRuns` runs.
 */
export function packBatches<T>(items: readonly T[], config: (t: T) => Resolved, limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize'>, maxRuns = MAX_BATCH_RUNS): T[][] {
  const work = (c: Resolved) => c.n * c.m * Math.ceil(c.d / 4);
  // Within a D4, runs of one residual length together: a batch's longest n sizes every one of
  // its workgroups' memory (on a GPU, fewer workgroups at once).
  const rn = (c: Resolved) => residualLength(c.n, Infinity);
  const sorted = [...items].sort((x, y) => {
    const a = config(x), b = config(y);
    return Math.ceil(a.d / 4) - Math.ceil(b.d / 4) || rn(a) - rn(b) || work(a) - work(b);
  });
  const out: T[][] = [];
  let batch: T[] = [];
  let vec4s = 0;
  const cap = Math.min(maxRuns, MAX_BATCH_RUNS);
  for (const t of sorted) {
    const c = config(t);
    const d4 = Math.ceil(c.d / 4);
    const need = d4 * (c.n + 2 * c.m);
    const first = batch.length > 0 ? config(batch[0]) : null;
    if (first && (Math.ceil(first.d / 4) !== d4 || batch.length >= cap || 16 * (vec4s + need) > limits.maxStorageBufferBindingSize)) {
      out.push(batch);
      batch = [];
      vec4s = 0;
    }
    batch.push(t);
    vec4s += need;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** Rows of `width` floats copied into vec4-padded rows of D4 vec4s at `at` (in floats). */
function putPadded(into: Float32Array, at: number, src: Float32Array, rows: number, width: number, d4: number): void {
  for (let i = 0; i < rows; i++) into.set(src.subarray(i * width, (i + 1) * width), at + i * 4 * d4);
}

/** `workgroup`: invocations per run, a power of 2 from 1 to 256 (the adapter's, unless a test asks for another). */
export async function createBatchEngine(device: GPUDevice, backend: BackendInfo, members: readonly BatchMember[], workgroup = batchWorkgroup(backend)): Promise<BatchEngine> {
  const d4 = Math.ceil(members[0].c.d / 4);
  if (members.some((x) => Math.ceil(x.c.d / 4) !== d4)) throw new Error('createBatchEngine: every run of a batch has the same ⌈d/4⌉');
  if (members.length > MAX_BATCH_RUNS) throw new Error(`createBatchEngine: at most ${MAX_BATCH_RUNS} runs per batch`);
  for (const x of members) {
    const why = unbatchable(x.c, device.limits, backend, workgroup);
    if (why) throw new Error(`createBatchEngine: a run with ${why} cannot be batched`);
  }
  const residual = residualLength(Math.max(...members.map((x) => x.c.n)), batchMaxN(device.limits, workgroup));
  // Offsets of each run's arrays: X then W0 in fixed4, y then a0 in fixed1, W and a, logged.
  let v4 = 0, f1 = 0, w4 = 0, a1 = 0, lg = 0;
  const layouts: BatchRunLayout[] = members.map(({ c, logged }) => {
    const l: BatchRunLayout = {
      n: c.n, m: c.m, steps: c.steps, logCount: logged.length,
      xOff: v4, w0Off: v4 + c.n * d4, wOff: w4, yOff: f1, a0Off: f1 + c.n, aOff: a1, logOff: lg,
      stopAtEps: c.stopAtEps, kappa: c.outputScale, etaW: c.etaW, etaA: c.etaA, eps: c.eps, divergeAt: c.divergeAt,
    };
    v4 += (c.n + c.m) * d4;
    f1 += c.n + c.m;
    w4 += c.m * d4;
    a1 += c.m;
    lg += logged.length;
    return l;
  });
  const fixed4 = new Float32Array(4 * v4), fixed1 = new Float32Array(f1), W = new Float32Array(4 * w4), a = new Float32Array(a1);
  const logged = new Uint32Array(Math.max(lg, 1));
  members.forEach(({ c, tensors, logged: steps }, i) => {
    const l = layouts[i];
    putPadded(fixed4, 4 * l.xOff, tensors.X, c.n, c.d, d4);
    putPadded(fixed4, 4 * l.w0Off, tensors.W0, c.m, c.d, d4);
    putPadded(W, 4 * l.wOff, tensors.W0, c.m, c.d, d4);
    fixed1.set(tensors.y, l.yOff);
    fixed1.set(tensors.a0, l.a0Off);
    a.set(tensors.a0, l.aOff);
    logged.set(steps, l.logOff);
  });

  const alloc = new Allocator(device);
  const ctx = new GpuContext(device, d4, chooseLoops(backend, d4) === 'unrolled');
  const staging = new StagingPool(device);
  const release = () => {
    staging.destroy();
    alloc.destroyAll();
    ctx.destroy();
  };
  const filled = (data: ArrayBufferView, label: string) => {
    const b = alloc.storage(data.byteLength, label);
    device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  };
  const runs = members.length;
  const rowBytes = 4 * ROW_WORDS * BATCH_ROW_CAP * runs;
  const stateBytes = 4 * STATE_WORDS * runs;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let buffers: BatchBuffers;
  let params: GPUBuffer;
  // Compiled here, under the error scopes: a rejected kernel fails the engine's creation.
  let dispatch: Dispatch;
  try {
    params = alloc.uniform(batchParamsBytes(0, BATCH_ROW_CAP), 'batchParams');
    buffers = {
      params,
      runs: filled(new Uint8Array(runRecordBytes(layouts)), 'runs'),
      fixed4: filled(fixed4, 'fixed4'),
      fixed1: filled(fixed1, 'fixed1'),
      logged: filled(logged, 'logged'),
      W: filled(W, 'W'),
      a: filled(a, 'a'),
      state: alloc.storage(stateBytes, 'state'),
      rows: alloc.storage(rowBytes, 'rows'),
    };
    dispatch = batchTrain(ctx, buffers, runs, workgroup, residual);
  } finally {
    const invalid = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (invalid || oom) {
      release();
      throw new Error(`WebGPU rejected the batch of ${runs} runs: ${(invalid ?? oom)!.message}`);
    }
  }
  let tangent: BatchTangentBuffers | undefined;
  const memoryBytes = alloc.owned.reduce((s, b) => s + b.size, 0);
  let lost: string | null = null;
  device.lost.then((info) => { lost = `the WebGPU device was lost (${info.reason}): ${info.message}`; });

  return {
    backend,
    size: runs,
    memoryBytes,
    rowCap: BATCH_ROW_CAP,
    async submit(count) {
      device.queue.writeBuffer(params, 0, batchParamsBytes(count, BATCH_ROW_CAP));
      const enc = device.createCommandEncoder({ label: `batch of ${runs}: ${count} steps` });
      const pass = enc.beginComputePass();
      encode(pass, dispatch);
      pass.end();
      const data = await staging.submitAndRead(enc, stateBytes + rowBytes, (b) => {
        enc.copyBufferToBuffer(buffers.state, 0, b, 0, stateBytes);
        enc.copyBufferToBuffer(buffers.rows, 0, b, stateBytes, rowBytes);
      });
      if (lost) throw new Error(lost);
      const u = new Uint32Array(data);
      const f = new Float32Array(data);
      return layouts.map((_, i) => {
        const o = i * STATE_WORDS;
        const rows: StateRow[] = [];
        for (let k = 0; k < u[o + BATCH_STATE.rows]; k++) {
          const ro = stateBytes / 4 + (i * BATCH_ROW_CAP + k) * ROW_WORDS;
          const row = { step: u[ro] } as StateRow;
          STATE_COLUMNS.forEach((col, j) => { row[col] = f[ro + 2 + j]; });
          rows.push(row);
        }
        const epsStep = u[o + BATCH_STATE.epsStep];
        return {
          step: u[o + BATCH_STATE.step], halt: u[o + BATCH_STATE.halt] as HaltCode, epsStep: epsStep > 0 ? epsStep - 1 : null,
          loss: f[o + BATCH_STATE.loss], loss0: f[o + BATCH_STATE.loss0], rows, done: u[o + BATCH_STATE.done] === 1,
        };
      });
    },
    async tangentProducts(calls) {
      if (calls.length === 0) return [];
      // The product's own buffers, made at the first call: many batches never measure.
      tangent ??= {
        runs: buffers.runs, fixed4: buffers.fixed4, W: buffers.W, a: buffers.a,
        list: alloc.storage(4 * runs, 'tangentList'), vin: alloc.storage(fixed1.byteLength, 'tangentV'),
        G: alloc.storage(W.byteLength, 'tangentG'), out: alloc.storage(fixed1.byteLength, 'tangentOut'),
      };
      const v = new Float32Array(fixed1.length);
      calls.forEach((call) => v.set(call.v, layouts[call.run].yOff));
      device.queue.writeBuffer(tangent.vin, 0, v);
      device.queue.writeBuffer(tangent.list, 0, Uint32Array.from(calls.map((call) => call.run)));
      const enc = device.createCommandEncoder({ label: `batch H v for ${calls.length} runs` });
      const pass = enc.beginComputePass();
      encode(pass, batchTangent(ctx, tangent, calls.length, workgroup, residual));
      pass.end();
      const out = tangent.out;
      const f = new Float32Array(await staging.submitAndRead(enc, out.size, (b) => enc.copyBufferToBuffer(out, 0, b, 0, out.size)));
      if (lost) throw new Error(lost);
      return calls.map((call) => {
        const l = layouts[call.run];
        return Float64Array.from(f.subarray(l.yOff, l.yOff + l.n));
      });
    },
    dispose: release,
  };
}
