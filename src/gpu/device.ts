// Adapter description and device request, shared by Node (device_node.ts) and the browser.
import type { BackendInfo } from '../model/engine';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render/i;

/** The smallest subgroup of an adapter (or a device's adapter) whose features include subgroups, else undefined. */
export function subgroupMinSize(info: GPUAdapterInfo, features: GPUSupportedFeatures): number | undefined {
  return features.has('subgroups') ? info.subgroupMinSize : undefined;
}

export function describeAdapter(adapter: GPUAdapter): BackendInfo {
  const i = adapter.info;
  const parts = [i.description || i.device || i.vendor || 'unknown adapter', i.architecture, i.vendor]
    .filter((x, k, all) => x && all.indexOf(x) === k);
  const name = parts.join(' / ');
  const software = SOFTWARE.test(name) || ('isFallbackAdapter' in i && Boolean((i as { isFallbackAdapter?: boolean }).isFallbackAdapter));
  const subgroups = subgroupMinSize(i, adapter.features);
  return { kind: 'webgpu', name, software, ...(subgroups !== undefined && { subgroupMinSize: subgroups }) };
}

/** Features a device gets wherever its adapter offers them: GPU timestamps (timer.ts), subgroups (forward=gemm's epilogue). */
// Cast: the older @webgpu/types under tfjs-core, whose GPUFeatureName lacks 'subgroups', wins the global declaration.
const WANTED_FEATURES = ['timestamp-query', 'subgroups'] as GPUFeatureName[];

/**
 * The device with the adapter's own buffer limits (the defaults are far smaller), and the
 * wanted features where offered. Storage buffers per kernel stay at WebGPU's guaranteed 8 (the
 * step's shared layout binds exactly 8), so that every adapter runs every kernel.
 */
export function requestDeviceFor(adapter: GPUAdapter): Promise<GPUDevice> {
  const l = adapter.limits;
  return adapter.requestDevice({
    label: 'shallow-gd',
    requiredFeatures: WANTED_FEATURES.filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    },
  });
}
