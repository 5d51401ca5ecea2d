// Kernel variants and the one place that picks them per adapter (like tfjs' *_impl files).
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../model/engine';

export const VARIANTS = {
  forward: ['simple', 'blocked', 'tiled'], residual: ['wide', 'narrow'], backward: ['simple', 'tiled', 'masked'], stats: ['simple', 'tiled'],
  // Not a kernel: whether the host writes out the loops marked for unrolling (src/gpu/program.ts).
  loops: ['unrolled', 'kept'],
} as const;
export type Variants = { [K in keyof typeof VARIANTS]: (typeof VARIANTS)[K][number] };

/** The forward variants that can leave the signs of z for backward=masked (forward.wgsl's WRITE_MASK). */
export const MASK_WRITERS: readonly Variants['forward'][] = ['simple', 'blocked'];

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

/** Mesa's lavapipe (llvmpipe's Vulkan driver), which unrolls short loops itself. */
const LAVAPIPE = /llvmpipe|lavapipe/i;
/** The largest d4 at which lavapipe gains from loops written out (measured at d = 16 and 128). */
const LAVAPIPE_UNROLL_MAX_D4 = 8;

/** Whether marked loops are written out at this d4 on this adapter (the `loops` variant; reasons below). */
export function chooseLoops(info: BackendInfo, d4: number): Variants['loops'] {
  return info.software && !(LAVAPIPE.test(info.name) && d4 > LAVAPIPE_UNROLL_MAX_D4) ? 'unrolled' : 'kept';
}

export function chooseVariants(info: BackendInfo, limits: GPUSupportedLimits, shape: Shape): Variants {
  const { d4 } = shape;
  // GPUs: `tiled` keeps a quarter of each neuron in registers (`simple` spills at d = 128) and
  // shares X tiles through workgroup memory. CPU drivers (SwiftShader, lavapipe): barriers
  // cost more than the sharing saves, and the simple per-neuron loop vectorizes well.
  const pick = (k: 'backward' | 'stats') => (!info.software && TILED_BYTES[k](d4) <= limits.maxComputeWorkgroupStorageSize ? 'tiled' : 'simple');
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
  if (info.software) {
    return { forward: 'blocked', residual: 'narrow', backward: maskedRefusal(shape) === null ? 'masked' : 'simple', stats: 'simple', loops: chooseLoops(info, d4) };
  }
  return { forward: 'simple', residual: 'wide', backward: pick('backward'), stats: pick('stats'), loops: chooseLoops(info, d4) };
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
  if (v.backward === 'masked') {
    // The tiled forward does not write the mask: a forced forward=tiled takes the simple backward.
    if (!MASK_WRITERS.includes(v.forward) && !forced.backward) return { ...v, backward: 'simple' };
    if (!MASK_WRITERS.includes(v.forward))
      throw new ConfigError('kernel', `--kernel backward=masked needs forward=${MASK_WRITERS.join(' or forward=')} (they write its activation mask); got forward=${v.forward}`);
    const refusal = maskedRefusal(shape);
    if (refusal) throw new ConfigError('kernel', `--kernel backward=masked ${refusal}`);
  }
  return v;
}
