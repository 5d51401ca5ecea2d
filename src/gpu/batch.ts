// The batched WebGPU engine: many independent runs (any seeds, sizes, rates, labels of one
// D4 = ⌈d/4⌉ and one schedule) in one set of buffers, every dispatch covering every run. On the
// resident schedule each run's workgroup applies many steps per dispatch
// (shaders/batch_train.wgsl) and measures the stability monitor's sharpness at logged steps
// (shaders/batch_monitor.wgsl); on the spread schedule each step is three dispatches spread over
// many workgroups per run (shaders/batch_spread.wgsl). Each run halts on its own, logs its own
// rows at its own logged steps and writes its closing record when it ends; the host reads back
// only the runs' status words and the rows of the submit.
import type { Resolved } from '../config/resolve';
import type { HaltCode } from '../model/constants';
import type { BackendInfo, Readback, StateRow, Tensors } from '../model/engine';
import { STAT_COUNT } from '../model/constants';
import { STATE_COLUMNS } from '../model/metrics';
import { Allocator } from './allocate';
import {
  BATCH_STATE, STATE_WORDS, batchParamsBytes, batchTrain, runRecordBytes, type BatchBuffers, type BatchRunLayout,
} from './kernels/batch_train';
import { batchMonitor } from './kernels/batch_monitor';
import { batchSpread } from './kernels/batch_spread';
import { batchTangent } from './kernels/batch_tangent';
import { startVector, START_STREAMS } from '../spectrum/vec';
import { BATCH_ROW_WORDS, MONITOR_DOTS, ROW_WORDS, blockItems } from './layout';
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

/** A logged row of a batched run, with the sharpness λ_max(H_t) its workgroup measured (NaN where the monitor is off or the state diverged). */
export type BatchRow = StateRow & { sharpness: number };

/** A run's report after a submit; `done`: its closing record (the last row) is in, and it is frozen. */
export interface BatchReadback extends Readback {
  rows: BatchRow[];
  done: boolean;
}

export interface BatchEngine {
  readonly backend: BackendInfo;
  readonly size: number;
  readonly memoryBytes: number;
  /** Rows a run may write per submit, its closing record included. */
  readonly rowCap: number;
  /** Its runs' schedule: on the resident one the stability monitor runs on the device, its sharpness in the rows; on the spread one the host measures with tangentProducts. */
  readonly schedule: BatchSchedule;
  /**
   * Applies up to `count` steps to every running run (the caller keeps each run's logged rows
   * per submit within rowCap − 1). `stops`: the most logged steps after the submit's first
   * that one run's stability monitor measures within it (each is a stop of batch_train).
   */
  submit(count: number, stops?: number): Promise<BatchReadback[]>;
  /** H v for each (run, v) at the runs' current states, at each run's own rates, in one submit (one dispatch; two on the spread schedule, which computes every run's). */
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

/** Bytes of workgroup memory batch_monitor holds beside the residual: `lane`, `dots_lane` (DOTS words per invocation), `top_sh`, `stop_sh`, `state_sh`. */
const monitorReductionBytes = (workgroup: number) => units(4 * workgroup) + units(4 * workgroup * MONITOR_DOTS) + 2 * units(4) + units(4 * STATE_WORDS);

/**
 * Bytes of workgroup memory a batch's kernels hold beside the residual, the most of
 * batch_train's (`lane`, `stat_lane`: a word per invocation, per column, `state_sh`) and
 * batch_monitor's.
 */
const reductionBytes = (workgroup: number) =>
  Math.max(units(4 * workgroup) + units(4 * workgroup * STAT_COUNT) + units(4 * STATE_WORDS), monitorReductionBytes(workgroup));

/**
 * The most samples of a batched run on this device: a run's residual lives in its workgroup's
 * memory, beside batch_train's reductions (at 32 KiB: 8 132 with 4 invocations, 8 096 with 8, 7 536 with 64).
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
 * The most vec4 multiply-adds one invocation may owe a run in one dispatch of the monitor:
 * 8 steps' worth at the largest step (BATCH_MAX_STEP_WORK), about 0.1 s on a GPU's lane, so
 * that a measurement of many products (--sharpness-products up to 100) of a large run does not
 * hold Pause or Ctrl-C back for longer.
 */
const MONITOR_DISPATCH_WORK = 8 * BATCH_MAX_STEP_WORK;

/** The most monitor products of a resident run per dispatch: a product is about 1.5 steps' work. */
export function monitorChunk(c: Pick<Resolved, 'n' | 'm' | 'd'>, workgroup: number): number {
  return Math.max(1, Math.floor(MONITOR_DISPATCH_WORK / (1.5 * batchStepWork(c, workgroup))));
}

/**
 * vec4 multiply-adds of one invocation in a step of batch_train: ⌈n/WG⌉ samples' residuals over
 * m neurons, then ⌈m/WG⌉ neurons' z and gradient over n samples.
 */
export function batchStepWork(c: Pick<Resolved, 'n' | 'm' | 'd'>, workgroup: number): number {
  return Math.ceil(c.d / 4) * (Math.ceil(c.n / workgroup) * c.m + 2 * c.n * Math.ceil(c.m / workgroup));
}

/**
 * How a batch trains a run: `resident`, one workgroup holds it and applies many steps per
 * dispatch (shaders/batch_train.wgsl); `spread`, for a run with more samples than a
 * workgroup's memory holds, each step spread over many workgroups in three dispatches, the
 * single-run engine's schedule batched (shaders/batch_spread.wgsl). A run's schedule, like its
 * bits, depends only on itself and the adapter.
 */
export type BatchSchedule = 'resident' | 'spread';

export function batchSchedule(c: Pick<Resolved, 'n'>, limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>, workgroup: number): BatchSchedule {
  return c.n > batchMaxN(limits, workgroup) ? 'spread' : 'resident';
}

/** Samples or neurons per workgroup of the spread schedule: each invocation takes a block. */
const spreadTile = (d4: number, workgroup: number) => blockItems(d4) * workgroup;

/** The spread schedule's sample and neuron tiles of a run. */
function spreadTiles(c: Pick<Resolved, 'n' | 'm' | 'd'>, workgroup: number): { samples: number; neurons: number } {
  const tile = spreadTile(Math.ceil(c.d / 4), workgroup);
  return { samples: Math.ceil(c.n / tile), neurons: Math.ceil(c.m / tile) };
}

/** Why a run cannot join a batch on this device (it trains on the single-run engine), or null; `workgroup`: the adapter's unless a test asks for another. */
export function unbatchable(
  c: Resolved, limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>, info: BackendInfo, workgroup = batchWorkgroup(info),
): string | null {
  // The step of a run that would keep one workgroup busy for long fills the device on its own:
  // the single-run engine's tiled kernels serve it best, whether or not its samples fit.
  if (batchStepWork(c, workgroup) > BATCH_MAX_STEP_WORK) return 'a step too large for one workgroup';
  if (batchSchedule(c, limits, workgroup) === 'spread' && spreadTiles(c, workgroup).samples > MAX_BATCH_RUNS)
    return `more samples than ${MAX_BATCH_RUNS} workgroups of ${spreadTile(Math.ceil(c.d / 4), workgroup)} take`;
  return null;
}

/** Consecutive regions of the given lengths: each one's offset, and `size`, their total. */
function carve<K extends string>(parts: readonly (readonly [K, number])[]): Record<K, number> & { size: number } {
  let size = 0;
  const at = {} as Record<K, number>;
  for (const [name, length] of parts) {
    at[name] = size;
    size += length;
  }
  return { ...at, size };
}

/**
 * Where a run's arrays lie within its part of each of a batch's arrays (shaders/batch_layout.wgsl),
 * in vec4s for fixed4 and vars4, in floats for the others.
 */
function runRegions(c: Pick<Resolved, 'n' | 'm' | 'd' | 'sharpnessProducts'>, schedule: BatchSchedule, workgroup: number) {
  const d4 = Math.ceil(c.d / 4);
  // The spread schedule's monitor runs on the host: no Lanczos basis or T on the device.
  const spread = schedule === 'spread';
  const k = spread ? 0 : c.sharpnessProducts;
  return {
    fixed4: carve([['x', c.n * d4], ['w0', c.m * d4]]),
    // The monitor's seeded start last.
    fixed1: carve([['y', c.n], ['a0', c.m], ['s0', c.n]]),
    vars4: carve([['w', c.m * d4], ['g', c.m * d4]]),
    // a, ga, the warm start, the Lanczos basis (a product's v and H v at least), T; spread: the
    // residual, the tiles' statistics.
    vars1: carve([
      ['a', c.m], ['ga', c.m], ['ritz', c.n], ['q', (Math.max(k, 1) + 1) * c.n], ['tri', 4 * k],
      ['res', spread ? c.n : 0], ['part', spread ? STAT_COUNT * spreadTiles(c, workgroup).neurons : 0],
    ]),
  };
}

type ArrayBytes = { fixed4: number; fixed1: number; vars4: number; vars1: number };

/** A run's bytes in each array (none for null). */
function runBytes(c: Parameters<typeof runRegions>[0] | null, schedule: BatchSchedule = 'resident', workgroup = 1): ArrayBytes {
  if (!c) return { fixed4: 0, fixed1: 0, vars4: 0, vars1: 0 };
  const r = runRegions(c, schedule, workgroup);
  return { fixed4: 16 * r.fixed4.size, fixed1: 4 * r.fixed1.size, vars4: 16 * r.vars4.size, vars1: 4 * r.vars1.size };
}

const sum = (x: ArrayBytes, y: ArrayBytes): ArrayBytes => ({ fixed4: x.fixed4 + y.fixed4, fixed1: x.fixed1 + y.fixed1, vars4: x.vars4 + y.vars4, vars1: x.vars1 + y.vars1 });

/**
 * Runs packed into batches: one D4 and one schedule per batch (a run's kernels depend only on
 * its own d and schedule), similar residual lengths and sizes together (a dispatch lasts as
 * long as its largest run), each batch's buffers within the device's binding limit, its spread
 * tiles within one dispatch, and at most `maxRuns` runs. `workgroup`: the adapter's (batchWorkgroup).
 */
export function packBatches<T>(
  items: readonly T[], config: (t: T) => Resolved, limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxComputeWorkgroupStorageSize'>,
  workgroup: number, maxRuns = MAX_BATCH_RUNS,
): T[][] {
  const work = (c: Resolved) => c.n * c.m * Math.ceil(c.d / 4);
  const schedule = (c: Resolved) => batchSchedule(c, limits, workgroup);
  // Within a D4 and schedule (a batch's kernels), runs of one residual length together: a
  // batch's longest n sizes every one of its workgroups' memory (on a GPU, fewer at once).
  const rn = (c: Resolved) => residualLength(c.n, Infinity);
  const sorted = [...items].sort((x, y) => {
    const a = config(x), b = config(y);
    return Math.ceil(a.d / 4) - Math.ceil(b.d / 4) || schedule(a).localeCompare(schedule(b)) || rn(a) - rn(b) || work(a) - work(b);
  });
  const out: T[][] = [];
  let batch: T[] = [];
  let held = runBytes(null);
  let tiles = { samples: 0, neurons: 0 };
  const cap = Math.min(maxRuns, MAX_BATCH_RUNS);
  for (const t of sorted) {
    const c = config(t);
    const need = runBytes(c, schedule(c), workgroup);
    const more = schedule(c) === 'spread' ? spreadTiles(c, workgroup) : { samples: 0, neurons: 0 };
    const first = batch.length > 0 ? config(batch[0]) : null;
    const over = Object.values(sum(held, need)).some((bytes) => bytes > limits.maxStorageBufferBindingSize)
      || tiles.samples + more.samples > MAX_BATCH_RUNS || tiles.neurons + more.neurons > MAX_BATCH_RUNS;
    const other = first && (Math.ceil(first.d / 4) !== Math.ceil(c.d / 4) || schedule(first) !== schedule(c));
    if (first && (other || batch.length >= cap || over)) {
      out.push(batch);
      batch = [];
      held = runBytes(null);
      tiles = { samples: 0, neurons: 0 };
    }
    batch.push(t);
    held = sum(held, need);
    tiles = { samples: tiles.samples + more.samples, neurons: tiles.neurons + more.neurons };
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** Rows of `width` floats copied into vec4-padded rows of D4 vec4s at `at` (in floats). */
function putPadded(into: Float32Array, at: number, src: Float32Array, rows: number, width: number, d4: number): void {
  for (let i = 0; i < rows; i++) into.set(src.subarray(i * width, (i + 1) * width), at + i * 4 * d4);
}

/**
 * `workgroup`: invocations per run, a power of 2 from 1 to 256 (the adapter's, unless a test
 * asks for another); `chunk`: the most monitor products per dispatch (monitorChunk's, unless a
 * test asks for fewer: the bits are the same).
 */
export async function createBatchEngine(
  device: GPUDevice, backend: BackendInfo, members: readonly BatchMember[], workgroup = batchWorkgroup(backend), chunk?: number,
): Promise<BatchEngine> {
  const d4 = Math.ceil(members[0].c.d / 4);
  if (members.some((x) => Math.ceil(x.c.d / 4) !== d4)) throw new Error('createBatchEngine: every run of a batch has the same ⌈d/4⌉');
  if (members.length > MAX_BATCH_RUNS) throw new Error(`createBatchEngine: at most ${MAX_BATCH_RUNS} runs per batch`);
  for (const x of members) {
    const why = unbatchable(x.c, device.limits, backend, workgroup);
    if (why) throw new Error(`createBatchEngine: a run with ${why} cannot be batched`);
  }
  const schedule = batchSchedule(members[0].c, device.limits, workgroup);
  if (members.some((x) => batchSchedule(x.c, device.limits, workgroup) !== schedule)) throw new Error('createBatchEngine: every run of a batch has the same schedule');
  const spread = schedule === 'spread';
  const residual = residualLength(Math.max(...members.map((x) => x.c.n)), batchMaxN(device.limits, workgroup));
  // Each run's arrays (shaders/batch_layout.wgsl): X, W0 in fixed4; y, a0, the monitor's seeded
  // start in fixed1; W, G in vars4; a, ga, the warm start, the Lanczos basis and T, and on the
  // spread schedule the residual and the tiles' statistics, in vars1.
  let v4 = 0, f1 = 0, w4 = 0, a1 = 0, lg = 0, sampleTiles = 0, neuronTiles = 0;
  const layouts: BatchRunLayout[] = members.map(({ c, logged }) => {
    const tiles = spread ? spreadTiles(c, workgroup) : { samples: 0, neurons: 0 };
    const r = runRegions(c, schedule, workgroup);
    const l: BatchRunLayout = {
      n: c.n, m: c.m, steps: c.steps, logCount: logged.length,
      xOff: v4 + r.fixed4.x, w0Off: v4 + r.fixed4.w0, yOff: f1 + r.fixed1.y, a0Off: f1 + r.fixed1.a0, s0Off: f1 + r.fixed1.s0,
      wOff: w4 + r.vars4.w, gOff: w4 + r.vars4.g,
      aOff: a1 + r.vars1.a, gaOff: a1 + r.vars1.ga, ritzOff: a1 + r.vars1.ritz, qOff: a1 + r.vars1.q, triOff: a1 + r.vars1.tri,
      resOff: a1 + r.vars1.res, partOff: a1 + r.vars1.part, products: spread ? 0 : c.sharpnessProducts,
      tile0: sampleTiles, ntile0: neuronTiles, logOff: lg, monitorChunk: chunk ?? monitorChunk(c, workgroup),
      stopAtEps: c.stopAtEps, kappa: c.outputScale, etaW: c.etaW, etaA: c.etaA, eps: c.eps, divergeAt: c.divergeAt,
    };
    sampleTiles += tiles.samples;
    neuronTiles += tiles.neurons;
    v4 += r.fixed4.size;
    f1 += r.fixed1.size;
    w4 += r.vars4.size;
    a1 += r.vars1.size;
    lg += logged.length;
    return l;
  });
  if (sampleTiles > MAX_BATCH_RUNS || neuronTiles > MAX_BATCH_RUNS) throw new Error(`createBatchEngine: the batch's spread tiles (${sampleTiles} of samples, ${neuronTiles} of neurons) exceed one dispatch's ${MAX_BATCH_RUNS} workgroups (packBatches splits them)`);
  const fixed4 = new Float32Array(4 * v4), fixed1 = new Float32Array(f1), vars4 = new Float32Array(4 * w4), vars1 = new Float32Array(a1);
  const logged = new Uint32Array(Math.max(lg, 1));
  members.forEach(({ c, tensors, logged: steps }, i) => {
    const l = layouts[i];
    putPadded(fixed4, 4 * l.xOff, tensors.X, c.n, c.d, d4);
    putPadded(fixed4, 4 * l.w0Off, tensors.W0, c.m, c.d, d4);
    putPadded(vars4, 4 * l.wOff, tensors.W0, c.m, c.d, d4);
    fixed1.set(tensors.y, l.yOff);
    fixed1.set(tensors.a0, l.a0Off);
    vars1.set(tensors.a0, l.aOff);
    // The monitor's first start, the twin's seeded one; after a measurement that is not finite, again.
    const start = startVector(c.seed, START_STREAMS.lanczos, c.n);
    fixed1.set(start, l.s0Off);
    vars1.set(start, l.ritzOff);
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
  const rowBytes = 4 * BATCH_ROW_WORDS * BATCH_ROW_CAP * runs;
  const stateBytes = 4 * STATE_WORDS * runs;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let buffers: BatchBuffers;
  let params: GPUBuffer;
  // Compiled here, under the error scopes: a rejected kernel fails the engine's creation.
  // The runs a product is for.
  const list = alloc.storage(4 * runs, 'tangentList');
  // The submit's and the product's dispatches, in order.
  let steps: (count: number, stops: number, first: boolean) => Dispatch[];
  let product: (list: GPUBuffer, count: number) => Dispatch[];
  try {
    params = alloc.uniform(batchParamsBytes(0, BATCH_ROW_CAP, 0), 'batchParams');
    buffers = {
      params,
      runs: filled(new Uint8Array(runRecordBytes(layouts)), 'runs'),
      fixed4: filled(fixed4, 'fixed4'),
      fixed1: filled(fixed1, 'fixed1'),
      logged: filled(logged, 'logged'),
      vars4: filled(vars4, 'vars4'),
      vars1: filled(vars1, 'vars1'),
      state: alloc.storage(stateBytes, 'state'),
      rows: alloc.storage(rowBytes, 'rows'),
    };
    if (spread) {
      const d = batchSpread(ctx, buffers, runs, sampleTiles, neuronTiles, workgroup);
      steps = (count) => Array.from({ length: count }, () => d.step).flat();
      // Every run's H v, from v in r's place: the listed ones are read back.
      product = () => d.product;
    } else {
      const train = batchTrain(ctx, buffers, runs, workgroup, residual);
      const monitor = layouts.some((l) => l.products > 0) ? batchMonitor(ctx, buffers, runs, workgroup, residual) : null;
      // Dispatches of the monitor a measurement takes, at the most.
      const rounds = Math.max(1, ...layouts.map((l) => (l.products > 0 ? Math.ceil(Math.min(l.products, l.n) / l.monitorChunk) : 1)));
      const measure = monitor ? Array.from({ length: rounds }, () => monitor) : [];
      // The monitor after each stretch of steps (and before the first): the last one measures
      // the closing records, and the state the next submit starts at.
      steps = (_count, stops, first) => (monitor ? [...(first ? measure : []), ...Array.from({ length: stops + 1 }, () => [train, ...measure]).flat()] : [train]);
      product = (list, count) => [batchTangent(ctx, { runs: buffers.runs, list, fixed4: buffers.fixed4, vars4: buffers.vars4, vars1: buffers.vars1 }, count, workgroup, residual)];
      // Compiled now where a run takes products from the host (--spectrum): SwiftShader takes
      // about 0.3 s for a kernel, which a batch without them need not wait for.
      if (members.some((x) => x.c.spectrum)) product(list, 0);
    }
  } finally {
    const invalid = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (invalid || oom) {
      release();
      throw new Error(`WebGPU rejected the batch of ${runs} runs: ${(invalid ?? oom)!.message}`);
    }
  }
  // Where each run's v goes for a product: r's place on the spread schedule, row 0 of the basis on the resident one.
  const vAt = (l: BatchRunLayout) => (spread ? l.resOff : l.qOff);
  const memoryBytes = alloc.owned.reduce((s, b) => s + b.size, 0);
  let lost: string | null = null;
  let epoch = 0;
  device.lost.then((info) => { lost = `the WebGPU device was lost (${info.reason}): ${info.message}`; });

  return {
    backend,
    size: runs,
    memoryBytes,
    rowCap: BATCH_ROW_CAP,
    schedule,
    async submit(count, stops = 0) {
      device.queue.writeBuffer(params, 0, batchParamsBytes(count, BATCH_ROW_CAP, ++epoch));
      const enc = device.createCommandEncoder({ label: `batch of ${runs}: ${count} steps` });
      const pass = enc.beginComputePass();
      for (const d of steps(count, stops, epoch === 1)) encode(pass, d);
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
        const rows: BatchRow[] = [];
        for (let k = 0; k < u[o + BATCH_STATE.rows]; k++) {
          const ro = stateBytes / 4 + (i * BATCH_ROW_CAP + k) * BATCH_ROW_WORDS;
          const row = { step: u[ro], sharpness: f[ro + ROW_WORDS] } as BatchRow;
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
      for (const call of calls) device.queue.writeBuffer(buffers.vars1, 4 * vAt(layouts[call.run]), Float32Array.from(call.v));
      device.queue.writeBuffer(list, 0, Uint32Array.from(calls.map((call) => call.run)));
      const enc = device.createCommandEncoder({ label: `batch H v for ${calls.length} runs` });
      const pass = enc.beginComputePass();
      for (const d of product(list, calls.length)) encode(pass, d);
      pass.end();
      // Row 1 of each run's basis, one after another from at[k].
      const at = [0];
      for (const call of calls) at.push(at.at(-1)! + layouts[call.run].n);
      const f = new Float32Array(await staging.submitAndRead(enc, 4 * at[calls.length], (b) => calls.forEach((call, k) => {
        const l = layouts[call.run];
        enc.copyBufferToBuffer(buffers.vars1, 4 * (l.qOff + l.n), b, 4 * at[k], 4 * l.n);
      })));
      if (lost) throw new Error(lost);
      return calls.map((_, k) => Float64Array.from(f.subarray(at[k], at[k + 1])));
    },
    dispose: release,
  };
}
