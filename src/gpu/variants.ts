// Kernel variants and the one place that picks them per adapter (like tfjs' *_impl files).
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../model/engine';
import { maskWords, xtBytes } from './layout';

export const VARIANTS = {
  forward: ['simple', 'blocked', 'tiled', 'gemm'], residual: ['wide', 'narrow'], backward: ['simple', 'tiled', 'masked', 'gemm'], stats: ['simple', 'tiled', 'masks'],
  // Not a kernel: whether the host writes out the loops marked for unrolling (src/gpu/program.ts).
  loops: ['unrolled', 'kept'],
  // Not kernels: the gemm kernels' workgroup tile (samples × neurons of forward=gemm; backward=gemm
  // takes the neurons), and the slices of n that backward=gemm splits its product into.
  tile: ['128x128', '128x64', '64x64'],
  split: ['1', '2', '4', '8', '16'],
  // Not a kernel: how forward=gemm's epilogue sums across lanes: subgroup shuffles first (where
  // the device has subgroups), or workgroup memory alone (lanes_subgroup.wgsl, lanes_memory.wgsl).
  epilogue: ['subgroup', 'memory'],
} as const;
export type Variants = { [K in keyof typeof VARIANTS]: (typeof VARIANTS)[K][number] };

/** The forward variants that can leave the signs of z for backward=masked or gemm (forward.wgsl's WRITE_MASK). */
export const MASK_WRITERS: readonly Variants['forward'][] = ['simple', 'blocked', 'gemm'];
/** The backward variants that read the signs the forward pass left. */
export const MASK_READERS: readonly Variants['backward'][] = ['masked', 'gemm'];
/**
 * stats=masks: the metrics from the masks where a mask reader runs: flips and activity from the
 * step's mask against mask_0 (the signs at initialization, a second mask kept beside it), the
 * gradient norms from the backward's own product in a logging mode that does not update
 * (neuron_stats_masks.wgsl). simple and tiled recompute both pre-activations and the gradient.
 */
export const MASK_STATS: Variants['stats'] = 'masks';

/** A gemm tile's samples and neurons. */
export function tileOf(tile: Variants['tile']): { samples: number; neurons: number } {
  const [samples, neurons] = tile.split('x').map(Number);
  return { samples, neurons };
}

/** Samples per stage of backward=gemm (backward_update_gemm.wgsl's KS), and its largest d4 (DT ≤ 4 vec4s of d per thread). */
export const GEMM_STAGE = 8;
export const GEMM_MAX_D4 = 64;

/** Workgroup memory of the gemm kernels, each variable rounded up to 16 bytes as WebGPU counts it. */
export const GEMM_BYTES = {
  // forward_gemm.wgsl: two stages of 8 dims × (TM + TN), TM×16 lanes, TM×TN/16 chunk sums, the
  // halt flag, and the subgroup check's flag and lane-group width.
  forward: (tile: Variants['tile']) => {
    const { samples: tm, neurons: tn } = tileOf(tile);
    return 2 * 8 * (tm + tn) * 4 + tm * 16 * 4 + tm * (tn / 16) * 4 + 3 * 16;
  },
  // backward_update_gemm.wgsl: a stage of KS samples × (TN neurons + 16·DT vec4s of d), TN×16 lanes; halting.wgsl's.
  backward: (tile: Variants['tile'], d4: number) => {
    const tn = tileOf(tile).neurons;
    return GEMM_STAGE * tn * 4 + GEMM_STAGE * 16 * Math.ceil(d4 / 16) * 16 + tn * 16 * 4 + 64 * 4 + 16 + 16;
  },
};

/** Workgroup memory of each tiled variant at this d4, each variable rounded up to 16 bytes as WebGPU counts it. */
export const TILED_BYTES: { [K in 'forward' | 'backward' | 'stats']: (d4: number) => number } = {
  // forward.wgsl `tiled`: tile_product.wgsl's 64×5 vec4 tiles of X and W, 64 a's, 64×16 lane sums, the halt flag.
  forward: () => 2 * 64 * 5 * 16 + 64 * 4 + 64 * 16 * 4 + 16,
  // backward_update_tiled.wgsl: 8 samples, 8×4×64 partial z's, 8 residuals; halting.wgsl's 64 lanes, L0 and halt.
  backward: (d4) => 8 * d4 * 16 + 8 * 4 * 64 * 4 + 8 * 4 + 64 * 4 + 16 + 16,
  // neuron_stats.wgsl `tiled`: 4 samples, 4×4×64 (z, z0) pairs, 4 residuals.
  stats: (d4) => 4 * d4 * 16 + 4 * 4 * 64 * 8 + 4 * 4,
};

/** What the choice depends on besides the adapter: the run's sizes (not how its neurons are split into blocks). */
export interface Shape {
  d4: number;
  n: number;
  m: number;
  /** Neurons per reduction chunk. */
  q: number;
}

/** The largest d4 backward=masked takes: a group of neurons has one thread per vec4 of d, in one workgroup of 64. */
export const MASKED_MAX_D4 = 64;

/**
 * Why backward=masked cannot run at this shape, or null where it can. It keeps a bit per sample
 * and neuron, in words of min(q, 32) neurons (layout.ts, maskWords): allowed only where a
 * neuron's share of them is no larger than its row of W, so that memory stays O((n+m)·d):
 * n ≤ 32·d (16·d where q = 16, m ≤ 4096).
 */
function maskedRefusal(s: Shape): string | null {
  if (s.d4 > MASKED_MAX_D4) return `takes d ≤ ${4 * MASKED_MAX_D4} (a thread per 4 dims of a neuron, 64 per workgroup); got d=${s.d4 * 4}`;
  // n/B words of 4 bytes against 16·d4 bytes of W per neuron.
  const maxN = 4 * s.d4 * Math.min(s.q, 32);
  if (s.n > maxN) return `keeps a bit per sample and neuron, which must not exceed W's memory: n ≤ ${maxN} at this d and m; got n=${s.n}`;
  return null;
}

/**
 * Why backward=gemm cannot run at this shape with this split, or null where it can. Its mask
 * is admitted by memory, not by a ratio of n to d: all blocks' masks together within the
 * device's largest buffer (maskBudget, stated in the plan), and a chunk's mask (q neurons ×
 * n bits) within one binding; the partial gradients of a split (split × m × d floats at most)
 * within one binding too.
 */
export function gemmRefusal(s: Shape, limits: GPUSupportedLimits, split: number): string | null {
  if (s.d4 > GEMM_MAX_D4) return `takes d ≤ ${4 * GEMM_MAX_D4} (at most 4 vec4s of d per thread); got d=${s.d4 * 4}`;
  const budget = maskBudget(limits);
  const bytes = 4 * maskWords(s.n, s.q, s.m);
  if (bytes > budget) return `keeps a bit per sample and neuron: ${bytes} bytes at n=${s.n}, m=${s.m}, more than the mask budget of ${budget} bytes (the device's largest buffer)`;
  const bind = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (4 * maskWords(s.n, s.q, s.q) > bind) return `needs one chunk's mask (${s.q} neurons × n=${s.n} bits) within one storage binding (${bind} bytes)`;
  if (split > 1 && gradPartsBytes(split, Math.min(s.m, Math.floor(bind / (16 * s.d4))), s.d4) > bind) return `split=${split} needs its partial gradients (${split} × m × d floats) within one storage binding (${bind} bytes); use a smaller split`;
  return null;
}

/** Bytes of backward=gemm's partial gradients over `split` slices of n, for blocks of `neurons`. */
export function gradPartsBytes(split: number, neurons: number, d4: number): number {
  return split > 1 ? split * neurons * d4 * 16 : 0;
}

/** All blocks' activation masks together may take at most this many bytes with backward=gemm: the device's largest buffer. */
export function maskBudget(limits: Pick<GPUSupportedLimits, 'maxBufferSize'>): number {
  return limits.maxBufferSize;
}

/** Mesa's lavapipe (llvmpipe's Vulkan driver), which unrolls short loops itself. */
const LAVAPIPE = /llvmpipe|lavapipe/i;
/** The largest d4 at which lavapipe gains from loops written out (measured at d = 16 and 128). */
const LAVAPIPE_UNROLL_MAX_D4 = 8;

/** The gemm kernels' settings where nothing else picks them (the autotuner does, src/gpu/autotune.ts). */
const GEMM_DEFAULTS = { tile: '128x128', split: '1' } as const;

/** forward=gemm's epilogue where nothing else picks it: by subgroups wherever the device has them. */
function chooseEpilogue(info: BackendInfo): Variants['epilogue'] {
  return info.subgroupMinSize ? 'subgroup' : 'memory';
}

/** Whether marked loops are written out at this d4 on this adapter (the `loops` variant; reasons below). */
export function chooseLoops(info: BackendInfo, d4: number): Variants['loops'] {
  return info.software && !(LAVAPIPE.test(info.name) && d4 > LAVAPIPE_UNROLL_MAX_D4) ? 'unrolled' : 'kept';
}

export function chooseVariants(info: BackendInfo, limits: GPUSupportedLimits, shape: Shape): Variants {
  const { d4 } = shape;
  // GPUs: `tiled` keeps a quarter of each neuron in registers (`simple` spills at d = 128) and
  // shares X tiles through workgroup memory. CPU drivers (SwiftShader, lavapipe): barriers
  // cost more than the sharing saves, and the simple per-neuron loop vectorizes well.
  const tiledBackward = !info.software && TILED_BYTES.backward(d4) <= limits.maxComputeWorkgroupStorageSize ? 'tiled' : 'simple';
  // forward: `blocked` on CPU drivers (the 4×4 register blocks of the yardstick product; one
  // thread per sample spills x at d = 128). On GPUs `simple` until `tiled` is measured there
  // (scripts/device/bench.sh compares them; docs/BENCHMARKS.md).
  // backward: `masked` on CPU drivers where its mask fits and d ≤ 256: the forward pass's signs
  // spare it recomputing z (a third of the step's arithmetic), and its product is register-blocked.
  // residual: 8 lanes per sample in workgroups of 256 on GPUs (parallel loads of up to 256
  // chunks); on CPU drivers 2 lanes in workgroups of 64: on SwiftShader 1.3 ms against 8–11 ms
  // for 8 lanes at 1024×16×1024 (docs/BENCHMARKS.md).
  // loops: written out on SwiftShader, which does not unroll them (2–3× faster kernels); on
  // lavapipe only at small d (at d = 16 the simple backward took 59–61 ms written out against
  // 82–86 ms, at d = 128 260–275 ms against 151–216 ms; docs/BENCHMARKS.md); kept on GPUs,
  // whose compilers unroll them.
  // stats: from the masks wherever a mask reader runs and mask_0 fits beside the mask (also
  // where --kernel or the autotuner picks the backward); else `tiled` on GPUs and `simple` on
  // CPU drivers, for the backward's reasons.
  if (info.software) {
    const backward = maskedRefusal(shape) === null ? 'masked' : 'simple';
    return { forward: 'blocked', residual: 'narrow', backward, stats: chooseStats(info, limits, shape, backward), loops: chooseLoops(info, d4), ...GEMM_DEFAULTS, epilogue: chooseEpilogue(info) };
  }
  return { forward: 'simple', residual: 'wide', backward: tiledBackward, stats: chooseStats(info, limits, shape, tiledBackward), loops: chooseLoops(info, d4), ...GEMM_DEFAULTS, epilogue: chooseEpilogue(info) };
}

/** The statistics kernel with this backward: from its masks where it reads them and mask_0 fits, else the recomputing one. */
function chooseStats(info: BackendInfo, limits: GPUSupportedLimits, shape: Shape, backward: Variants['backward']): Variants['stats'] {
  if (MASK_READERS.includes(backward) && maskStatsFit(shape, limits)) return MASK_STATS;
  return !info.software && TILED_BYTES.stats(shape.d4) <= limits.maxComputeWorkgroupStorageSize ? 'tiled' : 'simple';
}

/** Whether mask_0 fits beside the mask: both within the mask budget (maskBudget). */
function maskStatsFit(s: Shape, limits: Pick<GPUSupportedLimits, 'maxBufferSize'>): boolean {
  return 2 * 4 * maskWords(s.n, s.q, s.m) <= maskBudget(limits);
}

/** `backward=tiled[,…]` (the --kernel flag) → forced variants; one-line errors. */
export function parseVariants(text: string): Partial<Variants> {
  const out: Partial<Variants> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [kernel, variant] = part.split('=');
    const choices = VARIANTS[kernel as keyof typeof VARIANTS] as readonly string[] | undefined;
    if (!choices || !choices.includes(variant))
      throw new ConfigError('kernel', `--kernel must be kernel=variant with ${Object.entries(VARIANTS).map(([k, v]) => `${k}=${v.join('|')}`).join(', ')}; got ${JSON.stringify(part)}`);
    (out as Record<string, string>)[kernel] = variant;
  }
  return out;
}

/** The variants a run uses: the adapter's choice, overridden by `forced`, checked against the device. */
export function resolveVariants(info: BackendInfo, limits: GPUSupportedLimits, shape: Shape, forced: Partial<Variants> = {}): Variants {
  const { d4 } = shape;
  const v = { ...chooseVariants(info, limits, shape), ...forced };
  for (const k of Object.keys(TILED_BYTES) as (keyof typeof TILED_BYTES)[]) {
    if (v[k] === 'tiled' && TILED_BYTES[k](d4) > limits.maxComputeWorkgroupStorageSize)
      throw new ConfigError('kernel', `--kernel ${k}=tiled needs ${TILED_BYTES[k](d4)} bytes of workgroup memory at d=${d4 * 4}; this device has ${limits.maxComputeWorkgroupStorageSize}`);
  }
  const limit = limits.maxComputeWorkgroupStorageSize;
  if (v.forward === 'gemm') {
    const bind = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    if (GEMM_BYTES.forward(v.tile) > limit) throw new ConfigError('kernel', `--kernel forward=gemm,tile=${v.tile} needs ${GEMM_BYTES.forward(v.tile)} bytes of workgroup memory; this device has ${limit}`);
    if (v.epilogue === 'subgroup' && !info.subgroupMinSize) throw new ConfigError('kernel', `--kernel forward=gemm,epilogue=subgroup needs subgroups, which this device does not have; use epilogue=memory`);
    if (xtBytes(shape.n, d4) > bind) throw new ConfigError('kernel', `--kernel forward=gemm keeps a transposed copy of X (${xtBytes(shape.n, d4)} bytes), more than one storage binding of this device holds (${bind})`);
  }
  if (MASK_READERS.includes(v.backward)) {
    const name = v.backward;
    // The tiled forward does not write the mask: a forced forward=tiled takes the simple backward.
    if (!MASK_WRITERS.includes(v.forward) && !forced.backward) return resolveStats(info, limits, shape, { ...v, backward: 'simple' }, forced);
    if (!MASK_WRITERS.includes(v.forward))
      throw new ConfigError('kernel', `--kernel backward=${name} needs forward=${MASK_WRITERS.join(' or forward=')} (they write its activation mask); got forward=${v.forward}`);
    const refusal = name === 'masked' ? maskedRefusal(shape) : gemmRefusal(shape, limits, Number(v.split));
    if (refusal) throw new ConfigError('kernel', `--kernel backward=${name} ${refusal}`);
    if (name === 'gemm' && GEMM_BYTES.backward(v.tile, d4) > limit)
      throw new ConfigError('kernel', `--kernel backward=gemm,tile=${v.tile} needs ${GEMM_BYTES.backward(v.tile, d4)} bytes of workgroup memory at d=${d4 * 4}; this device has ${limit}`);
  }
  return resolveStats(info, limits, shape, v, forced);
}

/** stats=masks wherever the backward reads the mask and mask_0 fits, unless --kernel forces a stats variant; refused without a mask. */
function resolveStats(info: BackendInfo, limits: GPUSupportedLimits, shape: Shape, v: Variants, forced: Partial<Variants>): Variants {
  const reads = MASK_READERS.includes(v.backward);
  if (forced.stats === MASK_STATS) {
    if (!reads) throw new ConfigError('kernel', `--kernel stats=${MASK_STATS} needs backward=${MASK_READERS.join(' or backward=')} (the metrics come from their masks); got backward=${v.backward}`);
    if (!maskStatsFit(shape, limits)) throw new ConfigError('kernel', `--kernel stats=${MASK_STATS} keeps mask_0 beside the mask: ${2 * 4 * maskWords(shape.n, shape.q, shape.m)} bytes at n=${shape.n}, m=${shape.m}, more than the mask budget of ${maskBudget(limits)} bytes`);
    return v;
  }
  return forced.stats ? v : { ...v, stats: chooseStats(info, limits, shape, v.backward) };
}
