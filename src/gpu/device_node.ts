// WebGPU in Node through Dawn (npm `webgpu`): finds an adapter by itself. With no Vulkan
// driver configured and no hardware adapter, it falls back to the software Vulkan driver
// that Debian's chromium ships, SwiftShader (see ../shared/WEBGPU-ON-CPU.md).
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendInfo } from '../model/engine';
import { registerTuneCache } from './autotune';
import { describeAdapter, requestDeviceFor } from './device';
import { fileTuneCache } from './tune_cache_node';

/** Dawn instances must stay reachable while a device lives, or a GC frees them and the process dies. */
const instances: unknown[] = [];

export const SOFTWARE_ICDS = [{ name: 'SwiftShader', path: '/usr/lib/chromium/vk_swiftshader_icd.json' }];

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

export interface NodeDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: BackendInfo;
}

/**
 * Dawn's settings for SwiftShader. WGSL zero-fills workgroup memory; through the Vulkan extension
 * for it (Dawn's default where a driver has it) SwiftShader compiled kernels with large workgroup
 * arrays about 7× slower and ran them 2–5× slower (forward=gemm at d = 130: 7.1 s against 0.7 s to
 * compile; n = 256, d = 16, m = 4096: 0.8–1.0 s against 0.2 s per pass) than with Dawn's own
 * zero-fill, the loop at the kernel's start that Dawn runs on drivers without the extension.
 * Same semantics, same bits. lavapipe gained nothing from it, so it keeps Dawn's default.
 */
export const SWIFTSHADER_FLAGS = ['disable-dawn-features=use_vulkan_zero_initialize_workgroup_memory_extension'];

/** An adapter with the instance that found it (the one navigator.gpu must be). */
interface Found {
  gpu: GPU;
  adapter: GPUAdapter;
}

async function tryAdapter(flags: string[] = []): Promise<Found | null> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create(flags);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return adapter && { gpu, adapter };
}

/** Returns a device, or null with no adapter at all. Never throws for a missing driver. */
export async function acquireNodeDevice(): Promise<NodeDevice | null> {
  if (!process.env.XDG_RUNTIME_DIR) {
    // The Vulkan loader warns without it; a private folder silences that.
    const dir = join(tmpdir(), `shallow-gd-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const chosen = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  const systemDriver = ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
  let found: Found | null = null;
  if (chosen || systemDriver) found = await tryAdapter();
  if (!found && !chosen) {
    for (const icd of SOFTWARE_ICDS) {
      if (!existsSync(icd.path)) continue;
      process.env.VK_ICD_FILENAMES = icd.path;
      found = await tryAdapter();
      if (found) break;
    }
  }
  if (!found) return null;
  // The driver is known only once an adapter is found: SwiftShader's gets its own instance.
  if (/swiftshader/i.test(describeAdapter(found.adapter).name)) found = (await tryAdapter(SWIFTSHADER_FLAGS)) ?? found;
  const { gpu, adapter } = found;
  // As in a browser: libraries written for it (TensorFlow.js, the benchmark's peer) find navigator.gpu.
  if (typeof navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  else if (!('gpu' in navigator)) Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  const device = await requestDeviceFor(adapter);
  registerTuneCache(device, fileTuneCache());
  return { device, adapter, info: describeAdapter(adapter) };
}
