// Where a sweep's runs train: one WebGPU device acquired once for every run, or the float64
// CPU reference, with a check that tells before the first run whether each config fits.
import { totalmem } from 'node:os';
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { acquireNodeDevice } from '../gpu/device_node';
import { createGpuTrainer, planLayout } from '../gpu/engine';
import { createCpuTrainer, referenceBytes } from '../reference/trainer';
import type { Trainer } from '../train/trainer';

/** `--backend webgpu` and no adapter: the command exits 3, as train does. */
export class NoAdapterError extends Error {
  constructor() {
    super('no WebGPU adapter found (no Vulkan driver; on Debian: apt-get install libvulkan1 chromium for SwiftShader)');
  }
}

export interface SweepBackend {
  /** Throws a one-line ConfigError when c cannot run here. */
  check(c: Resolved): void;
  create(c: Resolved): Promise<Trainer>;
}

const cpu: SweepBackend = {
  check(c) {
    const need = referenceBytes(c);
    if (need > 0.8 * totalmem())
      throw new ConfigError('m', `--m (m), --n (n), --d (d): the CPU reference needs ${(need / 2 ** 30).toFixed(1)} GiB, more than this machine's memory allows`);
  },
  create: async (c) => createCpuTrainer(c),
};

/** `auto` takes WebGPU when an adapter exists and says so when it falls back to the CPU. */
export async function openBackend(choice: 'auto' | 'webgpu' | 'cpu', notice: (line: string) => void): Promise<SweepBackend> {
  if (choice === 'cpu') return cpu;
  const acquired = await acquireNodeDevice();
  if (acquired) {
    const { device, info } = acquired;
    return {
      // Buffer limits are known up front; running out of device memory shows only at allocation.
      check: (c) => void planLayout(c, device.limits),
      create: (c) => createGpuTrainer(device, info, c),
    };
  }
  if (choice === 'webgpu') throw new NoAdapterError();
  notice('notice: no WebGPU adapter found; running on the float64 CPU reference');
  return cpu;
}
