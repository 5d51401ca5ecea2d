// The backend in Node: one WebGPU device acquired once for every run of a command, or the
// float64 CPU reference.
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { ConfigError } from '../config/schema';
import { acquireNodeDevice } from '../gpu/device_node';
import { referenceBytes } from '../reference/engine';
import { cpuBackend, gpuBackend, type Backend } from './backend';

/** `--backend webgpu` and no adapter. */
export class NoAdapterError extends Error {
  constructor() {
    super(`no WebGPU adapter found (${missingDriver() ?? 'no Vulkan driver; on Debian: apt-get install libvulkan1 chromium for SwiftShader'})`);
  }
}

/** A driver file that VK_ICD_FILENAMES or VK_DRIVER_FILES names and that does not exist: the likelier cause then. */
function missingDriver(): string | undefined {
  for (const name of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES']) {
    const missing = (process.env[name] ?? '').split(':').filter((f) => f !== '' && !existsSync(f));
    if (missing.length > 0) return `${name} names ${missing.join(', ')}, which does not exist`;
  }
  return undefined;
}

/** cgroup v2's limit, then v1's; "max" (v2) or a number above the machine's memory (v1) means none. */
const CGROUP_LIMITS = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/** The memory this process may use: the machine's, or its cgroup's limit where that is lower. */
export function memoryLimit(files = CGROUP_LIMITS): { bytes: number; what: string } {
  const machine = { bytes: totalmem(), what: "this machine's memory" };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    const bytes = Number(text);
    return Number.isFinite(bytes) && bytes < machine.bytes ? { bytes, what: `the container's limit (${file})` } : machine;
  }
  return machine;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Read once: a sweep checks every grid point against it. */
let limit: ReturnType<typeof memoryLimit> | undefined;

const CPU = cpuBackend((c, need) => {
  limit ??= memoryLimit();
  const allowed = 0.8 * limit.bytes;
  if (need <= allowed) return;
  // referenceBytes is linear in m: the largest m that fits at this n and d.
  const base = referenceBytes({ ...c, m: 0 }), perNeuron = referenceBytes({ ...c, m: 1 }) - base;
  const largest = Math.floor((allowed - base) / perNeuron);
  const why = `the CPU reference needs ${gib(need)}, more than 80% of ${limit.what}, ${gib(limit.bytes)}`;
  throw largest >= 1
    ? new ConfigError('m', `--m (m) too large: ${why}; at n=${c.n} d=${c.d} the largest m that fits is ${largest}`)
    : new ConfigError('n', `--n (n) × --d (d) too large: ${why} even at m=1`);
});

/**
 * `auto` takes WebGPU when an adapter exists and says so when it falls back to the CPU; with
 * `software: false` it also passes over a software adapter (SwiftShader, lavapipe), as train
 * does: on this 2-core machine the float64 reference's step took 0.13–0.24× SwiftShader's time
 * and 0.34–0.66× lavapipe's at every size measured (n = 256–4096, d = 16, m = 1024–8192;
 * docs/BENCHMARKS.md, 2026-12-02), neither ratio rising with the work.
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
