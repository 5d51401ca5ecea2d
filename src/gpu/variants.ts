// Kernel variants and the one place that picks them per adapter (like tfjs' *_impl files).
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../train/trainer';

export const VARIANTS = { forward: ['simple', 'blocked', 'tiled'], backward: ['simple', 'tiled'], stats: ['simple', 'tiled'] } as const;
export type Variants = { [K in keyof typeof VARIANTS]: (typeof VARIANTS)[K][number] };

/** Workgroup memory of each tiled variant at this d4, each variable rounded up to 16 bytes as WebGPU counts it. */
export const TILED_BYTES: { [K in keyof Variants]: (d4: number) => number } = {
  // forward.wgsl `tiled`: tile_product.wgsl's 64×5 vec4 tiles of X and W, 64 a's, 64×16 lane sums, the halt flag.
  forward: () => 2 * 64 * 5 * 16 + 64 * 4 + 64 * 16 * 4 + 16,
  // backward_update_tiled.wgsl: 8 samples, 8×4×64 partial z's, 8 residuals; halting.wgsl's 64 lanes, L0 and halt.
  backward: (d4) => 8 * d4 * 16 + 8 * 4 * 64 * 4 + 8 * 4 + 64 * 4 + 16 + 16,
  // neuron_stats.wgsl `tiled`: 4 samples, 4×4×64 (z, z0) pairs, 4 residuals.
  stats: (d4) => 4 * d4 * 16 + 4 * 4 * 64 * 8 + 4 * 4,
};

export function chooseVariants(info: BackendInfo, limits: GPUSupportedLimits, d4: number): Variants {
  // GPUs: `tiled` keeps a quarter of each neuron in registers (`simple` spills at d = 128) and
  // shares X tiles through workgroup memory. CPU drivers (SwiftShader, lavapipe): barriers
  // cost more than the sharing saves, and the simple per-neuron loop vectorizes well.
  const pick = (k: keyof Variants) => (!info.software && TILED_BYTES[k](d4) <= limits.maxComputeWorkgroupStorageSize ? 'tiled' : 'simple');
  // forward: `blocked` on CPU drivers (the 4×4 register blocks of the yardstick product; one
  // thread per sample spills x at d = 128). On GPUs `simple` until `tiled` is measured there
  // (scripts/device/bench.sh compares them; docs/BENCHMARKS.md).
  return { forward: info.software ? 'blocked' : 'simple', backward: pick('backward'), stats: pick('stats') };
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
export function resolveVariants(info: BackendInfo, limits: GPUSupportedLimits, d4: number, forced: Partial<Variants> = {}): Variants {
  const v = { ...chooseVariants(info, limits, d4), ...forced };
  for (const k of Object.keys(VARIANTS) as (keyof Variants)[]) {
    if (v[k] === 'tiled' && TILED_BYTES[k](d4) > limits.maxComputeWorkgroupStorageSize)
      throw new ConfigError('kernel', `--kernel ${k}=tiled needs ${TILED_BYTES[k](d4)} bytes of workgroup memory at d=${d4 * 4}; this device has ${limits.maxComputeWorkgroupStorageSize}`);
  }
  return v;
}
