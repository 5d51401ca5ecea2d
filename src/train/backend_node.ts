// The backend in Node: one WebGPU device acquired once for every run of a command, or the
// float64 CPU reference.
import { totalmem } from 'node:os';
import { ConfigError } from '../config/schema';
import { acquireNodeDevice } from '../gpu/device_node';
import { cpuBackend, gpuBackend, type Backend } from './backend';

/** `--backend webgpu` and no adapter. */
export class NoAdapterError extends Error {
  constructor() {
    super('no WebGPU adapter found (no Vulkan driver; on Debian: apt-get install libvulkan1 chromium for SwiftShader)');
  }
}

const CPU = cpuBackend((_, need) => {
  if (need > 0.8 * totalmem())
    throw new ConfigError('m', `--m (m), --n (n), --d (d): the CPU reference needs ${(need / 2 ** 30).toFixed(1)} GiB, more than this machine's memory allows`);
});

/**
 * `auto` takes WebGPU when an adapter exists and says so when it falls back to the CPU; with
 * `software: false` it also passes over a software adapter (SwiftShader), for work where the
 * float64 reference on the CPU is faster.
 */
export async function openBackend(
  choice: 'auto' | 'webgpu' | 'cpu', notice: (line: string) => void, opts: { software?: boolean } = {},
): Promise<Backend> {
  if (choice === 'cpu') return CPU;
  const acquired = await acquireNodeDevice();
  if (acquired && (choice === 'webgpu' || opts.software !== false || !acquired.info.software)) return gpuBackend(acquired.device, acquired.info);
  if (choice === 'webgpu') throw new NoAdapterError();
  acquired?.device.destroy();
  notice(
    acquired
      ? `notice: only a software WebGPU adapter (${acquired.info.name}); running on the float64 CPU reference, which is faster here (--backend webgpu to use it)`
      : 'notice: no WebGPU adapter found; running on the float64 CPU reference',
  );
  return CPU;
}
