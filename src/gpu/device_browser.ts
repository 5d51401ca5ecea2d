// WebGPU in the page: navigator.gpu → adapter → device, or the plain reason there is none,
// so the page can say why it falls back to the CPU reference. It runs in a window or a worker.
import type { BackendInfo } from '../model/engine';
import { registerTuneCache } from './autotune';
import { describeAdapter, requestDeviceFor } from './device';
import { indexedDbTuneCache } from './tune_cache_browser';

export interface BrowserDevice {
  device: GPUDevice;
  info: BackendInfo;
}

export type Acquired = { ok: true; gpu: BrowserDevice } | { ok: false; reason: string };

export async function acquireBrowserDevice(): Promise<Acquired> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    const where = globalThis.isSecureContext ? 'this browser does not offer it' : 'it needs a secure context (https or localhost)';
    return { ok: false, reason: `no WebGPU: navigator.gpu is missing (${where})` };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `no WebGPU adapter: ${(e as Error).message}` };
  }
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter: the browser offers WebGPU but found no usable GPU (disabled or blocklisted)' };
  try {
    const device = await requestDeviceFor(adapter);
    registerTuneCache(device, indexedDbTuneCache());
    return { ok: true, gpu: { device, info: describeAdapter(adapter) } };
  } catch (e) {
    return { ok: false, reason: `the WebGPU adapter refused a device: ${(e as Error).message}` };
  }
}
