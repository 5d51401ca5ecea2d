// Compiles a kernel: the constants header, the shared structs, then the kernel's WGSL
// sources in order (libraries such as rng.wgsl first). Pipelines are cached per context (one
// context per d4).
import common from '../../shaders/common.wgsl?raw';
import { constantsHeader } from './layout';

export class GpuContext {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private placeholder: GPUBuffer | null = null;
  readonly header: string;

  constructor(readonly device: GPUDevice, readonly d4: number) {
    this.header = constantsHeader(d4) + common;
  }

  /** `constants` sets the kernel's `override` declarations. */
  pipeline(name: string, sources: string | readonly string[], entryPoint = 'main', constants: Record<string, number> = {}): GPUComputePipeline {
    const key = `${name}:${entryPoint}:${JSON.stringify(constants)}`;
    let p = this.pipelines.get(key);
    if (!p) {
      const code = this.header + (typeof sources === 'string' ? sources : sources.join('\n'));
      const module = this.device.createShaderModule({ label: name, code });
      p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint, constants } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * A 16-byte storage buffer for a binding that the pipeline declares but never touches (an
   * `override` switched its use off): 'auto' layouts keep every binding the code names.
   */
  get unused(): GPUBuffer {
    this.placeholder ??= this.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'unused' });
    return this.placeholder;
  }

  /** A bind group whose entries are `buffers` in binding order; null skips a binding the entry point does not use. */
  bind(pipeline: GPUComputePipeline, buffers: readonly (GPUBuffer | null)[]): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    buffers.forEach((buffer, binding) => { if (buffer) entries.push({ binding, resource: { buffer } }); });
    return this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  }
}

/** One bound dispatch, ready to encode. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  x: number;
  y?: number;
}

export function encode(pass: GPUComputePassEncoder, d: Dispatch): void {
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, d.group);
  pass.dispatchWorkgroups(d.x, d.y ?? 1);
}

/** Submits `dispatches` in one compute pass of their own. */
export function submitPass(device: GPUDevice, dispatches: readonly Dispatch[], label?: string): void {
  const enc = device.createCommandEncoder({ label });
  const pass = enc.beginComputePass();
  for (const d of dispatches) encode(pass, d);
  pass.end();
  device.queue.submit([enc.finish()]);
}

/** A buffer's contents, read back after everything submitted before. */
export async function readBuffer(device: GPUDevice, b: GPUBuffer): Promise<Float32Array> {
  const staging = device.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(b, 0, staging, 0, b.size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}
