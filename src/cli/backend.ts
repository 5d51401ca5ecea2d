// Where a command's runs train: one WebGPU device acquired once for every run, or the float64
// CPU reference, with a check that tells before anything is allocated whether a config fits.
// Shared by train, sweep and experiments, with the exit codes they share.
import { totalmem } from 'node:os';
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { acquireNodeDevice } from '../gpu/device_node';
import { createGpuTrainer } from '../train/trainer';
import { planRun } from '../gpu/plan';
import type { Variants } from '../gpu/variants';
import { createCpuTrainer } from '../train/trainer';
import { referenceBytes } from '../reference/engine';
import type { Trainer } from '../train/trainer';

export const EXIT = { ok: 0, invalid: 2, noAdapter: 3, diverged: 4 } as const;

/** `--backend webgpu` and no adapter: the command exits EXIT.noAdapter. */
export class NoAdapterError extends Error {
  constructor() {
    super('no WebGPU adapter found (no Vulkan driver; on Debian: apt-get install libvulkan1 chromium for SwiftShader)');
  }
}

export interface Backend {
  /** Throws a one-line ConfigError when c (with the forced kernel variants) cannot run here. */
  check(c: Resolved, kernel?: Partial<Variants>): void;
  create(c: Resolved, labelValues?: Float64Array, kernel?: Partial<Variants>): Promise<Trainer>;
}

const cpu: Backend = {
  check(c) {
    const need = referenceBytes(c);
    if (need > 0.8 * totalmem())
      throw new ConfigError('m', `--m (m), --n (n), --d (d): the CPU reference needs ${(need / 2 ** 30).toFixed(1)} GiB, more than this machine's memory allows`);
  },
  create: (c, labelValues) => createCpuTrainer(c, labelValues),
};

/**
 * `auto` takes WebGPU when an adapter exists and says so when it falls back to the CPU; with
 * `software: false` it also passes over a software adapter (SwiftShader), for work where the
 * float64 reference on the CPU is faster.
 */
export async function openBackend(
  choice: 'auto' | 'webgpu' | 'cpu', notice: (line: string) => void, opts: { software?: boolean } = {},
): Promise<Backend> {
  if (choice === 'cpu') return cpu;
  const acquired = await acquireNodeDevice();
  if (acquired && (choice === 'webgpu' || opts.software !== false || !acquired.info.software)) {
    const { device, info } = acquired;
    return {
      // Buffer limits are known up front; running out of device memory shows only at allocation.
      check: (c, kernel) => void planRun(c, device.limits, info, kernel),
      create: (c, labelValues, kernel) => createGpuTrainer(device, info, c, labelValues, kernel),
    };
  }
  if (choice === 'webgpu') throw new NoAdapterError();
  acquired?.device.destroy();
  notice(
    acquired
      ? `notice: only a software WebGPU adapter (${acquired.info.name}); running on the float64 CPU reference, which is faster here (--backend webgpu to use it)`
      : 'notice: no WebGPU adapter found; running on the float64 CPU reference',
  );
  return cpu;
}
