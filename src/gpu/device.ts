// Adapter description and device request, shared by Node (device_node.ts) and the browser.
import type { BackendInfo } from '../model/engine';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render/i;

export function describeAdapter(adapter: GPUAdapter): BackendInfo {
  const i = adapter.info;
  const parts = [i.description || i.device || i.vendor || 'unknown adapter', i.architecture, i.vendor]
    .filter((x, k, all) => x && all.indexOf(x) === k);
  const name = parts.join(' / ');
  const software = SOFTWARE.test(name) || ('isFallbackAdapter' in i && Boolean((i as { isFallbackAdapter?: boolean }).isFallbackAdapter));
  return { kind: 'webgpu', name, software };
}

/**
 * The device with the adapter's own buffer limits (the defaults are far smaller), and GPU
 * timestamps where offered. Storage buffers per kernel stay at WebGPU's guaranteed 8 (the
 * step's shared layout binds exactly 8), so that every adapter runs every kernel.
 */
export function requestDeviceFor(adapter: GPUAdapter): Promise<GPUDevice> {
  const l = adapter.limits;
  return adapter.requestDevice({
    label: 'shallow-gd',
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    },
  });
}
