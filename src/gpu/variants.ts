// Kernel variants and the one place that picks them per adapter (like tfjs' *_impl files).
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../train/trainer';

export const VARIANTS = { backward: ['simple', 'tiled'] } as const;
export type Variants = { [K in keyof typeof VARIANTS]: (typeof VARIANTS)[K][number] };

/** Workgroup memory of backward_update_tiled.wgsl: an 8-sample X tile, 8×4×64 partial z's, 8 residuals, a flag. */
export function tiledBackwardBytes(d4: number): number {
  return 8 * d4 * 16 + 8 * 4 * 64 * 4 + 8 * 4 + 4;
}

export function chooseVariants(info: BackendInfo, limits: GPUSupportedLimits, d4: number): Variants {
  const tiledFits = tiledBackwardBytes(d4) <= limits.maxComputeWorkgroupStorageSize;
  return {
    // GPUs: `tiled` keeps a quarter of each neuron in registers (`simple` spills at d = 128) and
    // shares X tiles through workgroup memory. CPU drivers (SwiftShader, lavapipe): barriers
    // cost more than the sharing saves, and the simple per-neuron loop vectorizes well.
    backward: !info.software && tiledFits ? 'tiled' : 'simple',
  };
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
  if (v.backward === 'tiled' && tiledBackwardBytes(d4) > limits.maxComputeWorkgroupStorageSize)
    throw new ConfigError('kernel', `--kernel backward=tiled needs ${tiledBackwardBytes(d4)} bytes of workgroup memory at d=${d4 * 4}; this device has ${limits.maxComputeWorkgroupStorageSize}`);
  return v;
}
