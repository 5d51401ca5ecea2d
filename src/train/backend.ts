// Where a run's trainer comes from: one WebGPU device shared by every run, or the float64 CPU
// reference. The same interface in Node (backend_node.ts) and in the page (backend_browser.ts).
import type { Resolved } from '../config/resolve';
import { planRun } from '../gpu/plan';
import type { Variants } from '../gpu/variants';
import type { BackendInfo } from '../model/engine';
import { ConfigError } from '../config/schema';
import { CPU_INFO, referenceBytes, referenceRefuses } from '../reference/engine';
import { unbatchable } from '../gpu/batch';
import { trainBatches, type BatchOptions } from './batch';
import { createCpuTrainer, createGpuTrainer, type OnSetup, type Trainer } from './trainer';

export interface Backend {
  readonly info: BackendInfo;
  /** Bytes the run will hold; throws a one-line ConfigError, before anything is allocated, when c (with the forced kernel variants) cannot run here. */
  check(c: Resolved, kernel?: Partial<Variants>): number;
  /** `onSetup` hears initialization's phases and their progress. */
  create(c: Resolved, labelValues?: Float64Array, kernel?: Partial<Variants>, onSetup?: OnSetup): Promise<Trainer>;
  /** The batched engine (WebGPU only; src/train/batch.ts). */
  batched?: Batched;
}

export interface Batched {
  /** Why a run cannot join a batch here, or null. */
  refuses(c: Resolved): string | null;
  /** Trains many runs at once, runs it does not refuse. */
  train<K>(runs: readonly { key: K; c: Resolved }[], options: BatchOptions<K>): Promise<void>;
}

/** A WebGPU device's backend: buffer limits are known up front; running out of device memory shows only at allocation. */
export function gpuBackend(device: GPUDevice, info: BackendInfo): Backend {
  return {
    info,
    check: (c, kernel) => planRun(c, device.limits, info, kernel).bytes,
    create: (c, labelValues, kernel, onSetup) => createGpuTrainer(device, info, c, labelValues, kernel, onSetup),
    batched: {
      refuses: (c) => unbatchable(c, device.limits, info),
      train: (runs, options) => trainBatches(device, info, runs, options),
    },
  };
}

/** The CPU reference's backend; `refuse` throws a one-line ConfigError where a run of `need` bytes cannot run here. */
export function cpuBackend(refuse: (c: Resolved, need: number) => void): Backend {
  return {
    info: CPU_INFO,
    check(c) {
      const need = referenceBytes(c);
      refuse(c, need);
      const why = referenceRefuses(c);
      if (why) throw new ConfigError('m', `--m (m) too large: ${why}`);
      return need;
    },
    create: (c, labelValues, _kernel, onSetup) => createCpuTrainer(c, labelValues, onSetup),
  };
}
