// The benchmark harness, shared by `shallow-gd bench` (Node, Dawn) and bench.html (browser):
// per-kernel GPU times, the whole step, and the same-run reference product X Wᵀ as the
// adapter's practical limit. Every figure carries the adapter it came from.
import { resolveConfig, type Resolved } from '../config/resolve';
import { buildConfig } from '../config/schema';
import { createGpuTrainer, type Trainer } from '../train/trainer';
import type { GpuEngine } from '../gpu/engine';
import { planRun } from '../gpu/plan';
import { MATMUL_VARIANTS, matmul, matmulDims, type MatmulVariant } from '../gpu/kernels/matmul';
import { STATUS, STATUS_BYTES } from '../gpu/layout';
import { encode, readBuffer, type Dispatch } from '../gpu/program';
import { HALT } from '../model/constants';
import { Z_SCRATCH_BYTES } from '../reference/engine';
import { residual } from '../reference/residual';
import { initialState } from '../reference/init';
import { createReferenceStep } from '../reference/step_wasm';
import type { BackendInfo } from '../model/engine';
import type { Variants } from '../gpu/variants';
import { autotune, tuneCandidates } from '../gpu/autotune';
import { GpuTimer, type TimingMethod } from '../gpu/timer';

export interface BenchSize {
  n: number;
  d: number;
  m: number;
}

/** One of the autotuner's candidates at a size, timed as the step is. */
export interface CandidateResult {
  variants: Variants;
  /** Seconds per step, or why the candidate did not run. */
  stepSeconds: number | null;
  skipped?: string;
}

export interface SizeResult extends BenchSize {
  /** GPU seconds per step spent in each kernel (all blocks). */
  kernels: Record<string, number>;
  /** The least of STEP_REPS measurements, alternating with the logged step's. */
  stepSeconds: number;
  /** A logged step (the loss, statistics and row besides the step), timed as a whole: the least of STEP_REPS. */
  loggedStepSeconds: number;
  stepsPerSecond: number;
  /** 4ndm per step: the least any implementation must do. */
  gflops: number;
  /** Bytes every step must move at least (X and W read by each pass over them, W and a written), per second. */
  gbytesPerSecond: number;
  /** CPU time to encode and submit one step when steps are batched (the least over up to HOST_REPS batches). */
  hostMicrosPerStep: number;
  /** Of which encoding (the rest is the submit call), in that batch. */
  hostEncodeMicrosPerStep: number;
  /** Steps per batch in that measurement. */
  hostBatch: number;
  /** The reference product's GFLOP/s: the best of the project's variants, each measured here. */
  matmulGflops: number;
  matmulKernel: MatmulVariant;
  matmulByVariant: Record<MatmulVariant, number>;
  /** Step GFLOP/s over the reference product's. */
  efficiency: number;
  memoryBytes: number;
  variants: Variants;
  /**
   * With BenchOptions.variants: every candidate of the autotuner at this size (today's choice
   * first), and the one it settles on by its own rule, the fastest measured.
   */
  candidates?: CandidateResult[];
  tuned?: Variants;
  peers: Record<string, { stepSeconds: number } | { skipped: string }>;
}

export interface BenchReport {
  date: string;
  adapter: BackendInfo & { limits: Record<string, number>; features: string[] };
  timing: TimingMethod;
  sizes: SizeResult[];
  skipped: (BenchSize & { reason: string })[];
  scaling: { n: number; d: number; exponent: number; largestM: number; largestMemoryBytes: number }[];
}

export interface BenchOptions {
  /** Sizes whose predicted step time exceeds this are skipped (the table says so). */
  maxStepSeconds: number;
  /** Measured GPU time to aim for per figure. */
  targetSeconds: number;
  /** The float64 CPU reference is timed only below this many multiply-adds per step. */
  cpuMaxMacs: number;
  log?: (line: string) => void;
  /** Kernel variants to force (default: chosen per adapter). */
  kernel?: Partial<Variants>;
  /** Also time each of the autotuner's candidates at each size (with `kernel` applied to all), and its choice among them (the CLI's default; not bench.html's). */
  variants: boolean;
  /** Called with the report so far after each size, so that an interrupted run keeps its figures. */
  onProgress?: (report: BenchReport) => void;
  /** Extra same-run peers (e.g. TensorFlow.js), given the device and size. */
  peers?: Record<string, (device: GPUDevice, size: BenchSize) => Promise<number | string>>;
}

/** Alternate measurements of the plain and the logged step (the least of each counts). */
const STEP_REPS = 3;
/** Host cost is measured on batches of at least this many steps. */
const HOST_MIN_BATCH = 64;
/** Batches timed for the host cost, where the GPU time allows (the least counts). */
const HOST_REPS = 5;

export const DEFAULT_OPTIONS: BenchOptions = { maxStepSeconds: 2, targetSeconds: 0.2, cpuMaxMacs: 2 ** 26, variants: false };

export function benchConfig(size: BenchSize): Resolved {
  // Small rates and no stop at eps: every step does the full work and stays finite. The rates
  // come from the rough estimate of λ_max (MODEL.md), not from power iteration at init, which
  // costs hundreds of steps' work (tens of minutes at 1024×128×16384 on a CPU driver).
  const c = resolveConfig(buildConfig({ ...size, steps: 1_000_000, rateFactor: 0.01, stopAtEps: false, logEvery: 0 }));
  return { ...c, auto: { etaW: false, etaA: false, shared: false, steps: false } };
}

/** Repeats `record` until it fills about `target` seconds of GPU time; returns seconds per repetition. */
async function perRep(timer: GpuTimer, record: (pass: GPUComputePassEncoder) => void, target: number): Promise<number> {
  let reps = 1;
  for (;;) {
    const t = await timer.time((pass) => { for (let k = 0; k < reps; k++) record(pass); });
    if (t >= target || reps >= 1 << 16) return t / reps;
    reps = Math.min(1 << 16, Math.max(reps * 2, Math.ceil((reps * target * 1.2) / Math.max(t, 1e-7))));
  }
}

/**
 * Runs each pipeline once on a single workgroup, untimed: CPU drivers (lavapipe, SwiftShader)
 * compile a pipeline at its first dispatch, which the first timed repetition would count.
 */
async function warm(timer: GpuTimer, dispatches: readonly Dispatch[]): Promise<void> {
  await timer.time((pass) => dispatches.forEach((dp) => encode(pass, { ...dp, x: 1, y: 1 })));
}

async function measureSize(t: Trainer<GpuEngine>, timer: GpuTimer, o: BenchOptions): Promise<Omit<SizeResult, 'peers'>> {
  const { n, d, m } = t.config;
  const device = t.engine.device;
  // Timed alone, backward_update steps from an unchanged residual: the whole steps below start
  // from the initial state again (restore), and must end running.
  const status = device.createBuffer({ size: STATUS_BYTES, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(t.engine.buffers.s.status, 0, status, 0, STATUS_BYTES);
    device.queue.submit([enc.finish()]);
  }
  const restore = () => {
    const enc = device.createCommandEncoder();
    for (const b of t.engine.buffers.blocks) {
      enc.copyBufferToBuffer(b.W0, 0, b.W, 0, b.W.size);
      enc.copyBufferToBuffer(b.a0, 0, b.a, 0, b.a.size);
    }
    enc.copyBufferToBuffer(status, 0, t.engine.buffers.s.status, 0, STATUS_BYTES);
    device.queue.submit([enc.finish()]);
  };
  await warm(timer, [...t.engine.kernels.values()].flat());
  const kernels: Record<string, number> = {};
  for (const [name, dispatches] of t.engine.kernels) {
    kernels[name] = await perRep(timer, (pass) => dispatches.forEach((dp) => encode(pass, dp)), o.targetSeconds / 4);
  }
  restore();
  // The whole step, many per submit; host time is the JS time to encode and submit a batch
  // of HOST_MIN_BATCH steps or more (a submit's fixed cost shared as in training), over
  // HOST_REPS batches, both cut so that the batches take at most 40 × targetSeconds of GPU
  // work (down to one batch of one step). Each batch starts on an idle queue; the least of
  // them counts: on CPU drivers the driver's threads, running the work just submitted, share
  // the cores with the host and can stall any one batch.
  // Plain and logged steps alternately, the least of STEP_REPS each: on CPU drivers other work
  // on the machine slows any one measurement, and the ratio of the two is a figure of its own.
  let stepSeconds = Infinity, loggedStepSeconds = Infinity;
  for (let rep = 0; rep < STEP_REPS; rep++) {
    stepSeconds = Math.min(stepSeconds, await perRep(timer, (pass) => t.engine.encodeSteps(pass, 1), o.targetSeconds));
    loggedStepSeconds = Math.min(loggedStepSeconds, await perRep(timer, (pass) => t.engine.encodeSteps(pass, 1, true), o.targetSeconds));
  }
  const hostCap = 40 * o.targetSeconds;
  const hostBatch = Math.max(1, Math.min(4096, Math.max(HOST_MIN_BATCH, Math.round(o.targetSeconds / stepSeconds)), Math.floor(hostCap / (HOST_REPS * stepSeconds))));
  const hostReps = Math.max(1, Math.min(HOST_REPS, Math.floor(hostCap / (hostBatch * stepSeconds))));
  let host = { encode: Infinity, submit: Infinity };
  for (let rep = 0; rep < hostReps; rep++) {
    const start = performance.now();
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    t.engine.encodeSteps(pass, hostBatch);
    pass.end();
    const commands = enc.finish();
    const encoded = performance.now();
    device.queue.submit([commands]);
    const submitted = performance.now();
    if (submitted - start < host.encode + host.submit) host = { encode: encoded - start, submit: submitted - encoded };
    await device.queue.onSubmittedWorkDone();
  }
  // Halted steps return at once: their times would not be a step's.
  const halt = new Uint32Array((await readBuffer(device, t.engine.buffers.s.status)).buffer)[STATUS.halt];
  status.destroy();
  if (halt !== HALT.running) throw new Error(`the run halted (code ${halt}) while its steps were timed`);

  // The reference product over all neurons, in slices that fit one binding.
  const { s, blocks } = t.engine.buffers;
  const maxCols = Math.max(4, Math.min(65535 * 32, Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, 1 << 30) / (4 * n))));
  const slices: { b: (typeof blocks)[number]; first: number; cols: number }[] = [];
  for (const b of blocks) for (let first = 0; first < b.count; first += maxCols) slices.push({ b, first, cols: Math.min(maxCols, b.count - first) });
  const Z = device.createBuffer({ size: 4 * n * Math.min(maxCols, Math.max(...slices.map((x) => x.cols))), usage: GPUBufferUsage.STORAGE });
  const dims = slices.map((x) => {
    const u = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(u, 0, matmulDims(n, x.cols, x.first));
    return u;
  });
  const matmulByVariant = {} as Record<MatmulVariant, number>;
  for (const variant of Object.keys(MATMUL_VARIANTS) as MatmulVariant[]) {
    const products = slices.map((x, k) => matmul(t.engine.context, variant, dims[k], s.X, x.b.W, Z, n, x.cols));
    await warm(timer, products);
    const seconds = await perRep(timer, (p) => products.forEach((dp) => encode(p, dp)), o.targetSeconds);
    matmulByVariant[variant] = (2 * n * d * m) / seconds / 1e9;
  }
  const [matmulKernel, matmulGflops] = Object.entries(matmulByVariant).reduce((x, y) => (y[1] > x[1] ? y : x)) as [MatmulVariant, number];
  Z.destroy();
  dims.forEach((u) => u.destroy());

  const flops = 4 * n * d * m;
  const bytes = 4 * (2 * n * d + 3 * m * d + 3 * m + 3 * n);
  return {
    n, d, m, kernels, stepSeconds, loggedStepSeconds, stepsPerSecond: 1 / stepSeconds,
    gflops: flops / stepSeconds / 1e9,
    gbytesPerSecond: bytes / stepSeconds / 1e9,
    hostMicrosPerStep: ((host.encode + host.submit) * 1e3) / hostBatch,
    hostEncodeMicrosPerStep: (host.encode * 1e3) / hostBatch,
    hostBatch,
    matmulGflops, matmulKernel, matmulByVariant,
    efficiency: flops / stepSeconds / 1e9 / matmulGflops,
    memoryBytes: t.memoryBytes,
    variants: t.engine.variants,
  };
}

/**
 * The autotuner's candidates at this size (today's choice first), each an engine of its own
 * whose step is timed once, all alike, and the tuner's choice among them by its own rule
 * (autotune() with nothing cached: the fastest, today's choice on a tie).
 */
async function measureCandidates(device: GPUDevice, info: BackendInfo, c: Resolved, timer: GpuTimer, o: BenchOptions) {
  const candidates = tuneCandidates(info, device.limits, { d4: Math.ceil(c.d / 4), n: c.n, m: c.m, q: c.chunkNeurons }, o.kernel);
  const results: CandidateResult[] = [];
  const { choice } = await autotune({
    key: '', mode: 'refresh', candidates, timing: timer.method,
    async measure(v) {
      let t: Trainer<GpuEngine> | null = null;
      try {
        t = await createGpuTrainer(device, info, c, undefined, v);
        const engine = t.engine;
        await warm(timer, [...engine.kernels.values()].flat());
        const seconds = await perRep(timer, (pass) => engine.encodeSteps(pass, 1), o.targetSeconds);
        results.push({ variants: v, stepSeconds: seconds });
        return seconds;
      } catch (e) {
        results.push({ variants: v, stepSeconds: null, skipped: (e as Error).message });
        return Infinity;
      } finally {
        t?.dispose();
      }
    },
  });
  return { candidates: results, tuned: choice.variants };
}

/** Warm steps of the CPU reference timed together: one cold step reads about 10× too slow (JIT, first touch of memory). */
const CPU_WARMUP_STEPS = 3;

/** Seconds per float64 step of the CPU reference (forward, residual, both updates), over about `targetSeconds` of warm steps. */
function cpuStepSeconds(c: Resolved, targetSeconds: number): number {
  const st = initialState(c);
  const k = createReferenceStep(st.X, st.W, st.a, c.n, c.d, c.m, c.outputScale, Z_SCRATCH_BYTES);
  const step = () => k.backwardUpdate(residual(k.forward(), st.y), c.etaW, c.etaA);
  for (let k = 0; k < CPU_WARMUP_STEPS; k++) step();
  let steps = 0;
  const start = performance.now();
  do {
    step();
    steps++;
  } while (performance.now() - start < targetSeconds * 1000);
  return (performance.now() - start) / 1000 / steps;
}

/** Least-squares slope of log t against log m: 1 means step time linear in m. */
export function scalingExponent(points: { m: number; seconds: number }[]): number {
  const xs = points.map((p) => Math.log(p.m)), ys = points.map((p) => Math.log(p.seconds));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0, sxx = 0;
  xs.forEach((x, k) => { sxy += (x - mx) * (ys[k] - my); sxx += (x - mx) ** 2; });
  return sxx > 0 ? sxy / sxx : NaN;
}

export async function runBench(device: GPUDevice, info: BackendInfo, sizes: BenchSize[], o: BenchOptions = DEFAULT_OPTIONS): Promise<BenchReport> {
  const timer = new GpuTimer(device);
  const results: SizeResult[] = [];
  const skipped: BenchReport['skipped'] = [];
  // Predicts a size's step time from the last one measured (linear in n·d·m: an overestimate
  // while the GPU is not yet full), to skip what would take too long.
  let secondsPerMac = 0;
  for (const size of sizes) {
    const macs = size.n * size.d * size.m;
    if (secondsPerMac * macs > o.maxStepSeconds) {
      skipped.push({ ...size, reason: `predicted ${(secondsPerMac * macs).toPrecision(2)} s per step > ${o.maxStepSeconds} s` });
      continue;
    }
    const c = benchConfig(size);
    try {
      planRun(c, device.limits, info, o.kernel);
    } catch (e) {
      skipped.push({ ...size, reason: (e as Error).message });
      continue;
    }
    let t: Trainer<GpuEngine>;
    try {
      t = await createGpuTrainer(device, info, c, undefined, o.kernel);
    } catch (e) {
      skipped.push({ ...size, reason: (e as Error).message });
      continue;
    }
    let r: Awaited<ReturnType<typeof measureSize>>;
    try {
      r = await measureSize(t, timer, o);
    } catch (e) {
      skipped.push({ ...size, reason: (e as Error).message });
      continue;
    } finally {
      t.dispose();
    }
    secondsPerMac = r.stepSeconds / macs;
    const tuning = o.variants ? await measureCandidates(device, info, c, timer, o) : {};
    const peers: SizeResult['peers'] = {};
    peers['cpu-f64'] = macs <= o.cpuMaxMacs ? { stepSeconds: cpuStepSeconds(c, o.targetSeconds) } : { skipped: `over ${o.cpuMaxMacs} multiply-adds per step` };
    for (const [name, peer] of Object.entries(o.peers ?? {})) {
      const v = await peer(device, size).catch((e: Error) => e.message);
      peers[name] = typeof v === 'number' ? { stepSeconds: v } : { skipped: v };
    }
    results.push({ ...r, ...tuning, peers });
    o.onProgress?.(report());
    o.log?.(`n=${r.n} d=${r.d} m=${r.m}: ${r.stepsPerSecond.toPrecision(3)} steps/s, ${r.gflops.toPrecision(3)} GFLOP/s, product ${r.matmulGflops.toPrecision(3)} GFLOP/s`);
  }
  timer.destroy();
  return report();

  function report(): BenchReport {
    const groups = new Map<string, SizeResult[]>();
    for (const r of results) groups.set(`${r.n}x${r.d}`, [...(groups.get(`${r.n}x${r.d}`) ?? []), r]);
    const scaling = [...groups.values()].filter((g) => g.length >= 2).map((g) => {
      const largest = g.reduce((x, y) => (y.m > x.m ? y : x));
      return {
        n: g[0].n, d: g[0].d,
        exponent: scalingExponent(g.map((r) => ({ m: r.m, seconds: r.stepSeconds }))),
        largestM: largest.m, largestMemoryBytes: largest.memoryBytes,
      };
    });
    const limits: Record<string, number> = {};
    for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'] as const)
      limits[k] = device.limits[k];
    return {
      date: new Date().toISOString(),
      adapter: { ...info, limits, features: [...device.features].sort() },
      timing: timer.method,
      sizes: results,
      skipped,
      scaling,
    };
  }
}

/** The default grid: n ∈ {256, 1024, 4096}, d ∈ {16, 128}, m = 2^10 … 2^20 (ascending, so skips predict well). */
export function defaultSizes(): BenchSize[] {
  const out: BenchSize[] = [];
  for (const n of [256, 1024, 4096]) for (const d of [16, 128]) for (let e = 10; e <= 20; e++) out.push({ n, d, m: 2 ** e });
  return out;
}

/** `--sizes 256x16x1024,1024x128x16384` or ranges `256x16x2^10..2^14`. */
export function parseSizes(text: string): BenchSize[] {
  const out: BenchSize[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)x(\d+)x(?:(\d+)|2\^(\d+)(?:\.\.2\^(\d+))?)$/.exec(part.trim());
    if (!m) throw new Error(`--sizes: "${part}" is not NxDxM (e.g. 1024x128x16384) or NxDx2^a..2^b`);
    const [n, d] = [Number(m[1]), Number(m[2])];
    if (m[3]) out.push({ n, d, m: Number(m[3]) });
    else for (let e = Number(m[4]); e <= Number(m[5] ?? m[4]); e++) out.push({ n, d, m: 2 ** e });
  }
  return out;
}
