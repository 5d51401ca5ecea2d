// Compiles a kernel: the constants header, the shared structs, then the kernel's WGSL
// sources in order (libraries such as rng.wgsl first), with its marked loops over D4 written
// out (unrollLoops). Pipelines are cached per context (one context per d4).
import common from '../../shaders/common.wgsl?raw';
import { constantsHeader } from './layout';

/**
 * The bindings of a training step's kernels (forward, residual, backward_update) in one explicit
 * layout: one bind group per block then serves all three, and a step re-binds nothing (the
 * host's cost per step is its API calls). Their WGSL declarations are generated from this table.
 */
const STEP_BINDINGS = [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['X', 'read-only-storage', 'array<vec4<f32>>'],
  ['W', 'storage', 'array<vec4<f32>>'],
  ['a', 'storage', 'array<f32>'],
  ['status', 'storage', 'Status'],
  ['partials', 'storage', 'array<f32>'],
  ['y', 'read-only-storage', 'array<f32>'],
  ['r', 'storage', 'array<f32>'],
  ['mask', 'storage', 'array<u32>'],
] as const;

/** A buffer for each of the step layout's bindings. */
export type StepBuffers = Record<(typeof STEP_BINDINGS)[number][0], GPUBuffer>;

/** Prepended to the step's kernels: their bindings, numbered as in STEP_BINDINGS (others start at STEP_BINDINGS.length). */
export const STEP_DECLARATIONS = STEP_BINDINGS.map(([name, type, wgsl], binding) => {
  const space = type === 'uniform' ? 'uniform' : type === 'storage' ? 'storage, read_write' : 'storage, read';
  return `@group(0) @binding(${binding}) var<${space}> ${name}: ${wgsl};`;
}).join('\n');

/**
 * Marked loops longer than this stay loops: at d = 256 writing them out made SwiftShader's
 * simple backward 2.4× faster for about 5 s more compiling per run (none at d ≤ 64, 0.3 s at
 * d = 128); at d = 1024 it gained nothing clear and compiled far slower.
 */
export const UNROLL_MAX = 64;

const UNROLL = /\/\* unroll \*\/\s*for \(var (\w+) = 0u; \1 < (D4|\d+u); \1\+\+\) \{/;

/**
 * Writes out each loop marked `/* unroll *\/ for (var k = 0u; k < D4; k++) { … }` (or `k < 4u`,
 * any literal bound) as that many copies of its body, k a literal in each, where the count is
 * at most UNROLL_MAX. SwiftShader does not unroll loops, so a function array (or vector)
 * indexed in one (a neuron's w, its gradient) lives in memory; with literal indices it lives
 * in registers (backward=simple about 2× faster at d = 16, 2.4–3× at d = 64–256; the blocked
 * forward's 4-wide loops about 15%). GPU compilers unroll such loops themselves; lavapipe's
 * simple backward at d = 128 is slower written out (docs/BENCHMARKS.md). A body may not hold
 * comments, `break` or `continue` (the copy would change their meaning), nor redeclare k.
 */
export function unrollLoops(code: string, d4: number): string {
  const loop = new RegExp(UNROLL, 'g');
  let out = '';
  let at = 0;
  for (let m = loop.exec(code); m; m = loop.exec(code)) {
    const count = m[2] === 'D4' ? d4 : parseInt(m[2]);
    let depth = 1;
    let end = loop.lastIndex;
    for (; depth > 0; end++) {
      if (end >= code.length) throw new Error(`unrollLoops: unbalanced braces after ${JSON.stringify(m[0])}`);
      depth += code[end] === '{' ? 1 : code[end] === '}' ? -1 : 0;
    }
    const body = unrollLoops(code.slice(loop.lastIndex, end - 1), d4);
    if (count > UNROLL_MAX) {
      out += code.slice(at, loop.lastIndex) + body + '}';
      at = loop.lastIndex = end;
      continue;
    }
    // A marker left by a nested loop kept as a loop (past UNROLL_MAX) is no comment of the body's.
    if (/\/\/|\/\*|\bbreak\b|\bcontinue\b/.test(body.replaceAll('/* unroll */', ''))) throw new Error(`unrollLoops: a comment, break or continue in the body of ${JSON.stringify(m[0])}`);
    // k as a whole identifier, not a member `.k`.
    const k = new RegExp(`(?<![.\\w])${m[1]}\\b`, 'g');
    // Each copy in its own block, so that its `let`s do not collide.
    out += code.slice(at, m.index) + Array.from({ length: count }, (_, i) => `{${body.replace(k, `${i}u`)}}`).join(' ');
    at = loop.lastIndex = end;
  }
  return out + code.slice(at);
}

export class GpuContext {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private placeholder: GPUBuffer | null = null;
  private step: { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } | null = null;
  private readonly stepGroups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 0;
  readonly header: string;

  constructor(readonly device: GPUDevice, readonly d4: number) {
    this.header = constantsHeader(d4) + common;
  }

  /**
   * `constants` sets the kernel's `override` declarations; `layout: 'step'` compiles one of the
   * step's kernels against the step layout (its sources begin with STEP_DECLARATIONS).
   */
  pipeline(
    name: string, sources: string | readonly string[], entryPoint = 'main', constants: Record<string, number> = {}, layout: 'auto' | 'step' = 'auto',
  ): GPUComputePipeline {
    const key = `${name}:${entryPoint}:${JSON.stringify(constants)}:${layout}`;
    let p = this.pipelines.get(key);
    if (!p) {
      const code = unrollLoops(this.header + (typeof sources === 'string' ? sources : sources.join('\n')), this.d4);
      const module = this.device.createShaderModule({ label: name, code });
      p = this.device.createComputePipeline({ label: key, layout: layout === 'step' ? this.stepLayout().pipeline : 'auto', compute: { module, entryPoint, constants } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * A 16-byte storage buffer for a binding that the kernel never touches (the mask, where no
   * kernel of the run writes or reads one): a layout's every binding must be bound.
   */
  get unused(): GPUBuffer {
    this.placeholder ??= this.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'unused' });
    return this.placeholder;
  }

  /** Frees the buffer the context made (the placeholder) and forgets its bind groups; pipelines need no freeing. */
  destroy(): void {
    this.placeholder?.destroy();
    this.placeholder = null;
    this.stepGroups.clear();
  }

  private stepLayout(): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    if (!this.step) {
      const entries = STEP_BINDINGS.map(([, type], binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } }));
      const group = this.device.createBindGroupLayout({ label: 'step', entries });
      this.step = { group, pipeline: this.device.createPipelineLayout({ label: 'step', bindGroupLayouts: [group] }) };
    }
    return this.step;
  }

  /** The step layout's bind group for these buffers: the same object for the same buffers, so that encode() binds it once. */
  stepGroup(buffers: StepBuffers): GPUBindGroup {
    const list = STEP_BINDINGS.map(([name]) => buffers[name]);
    const key = list.map((b) => {
      let id = this.ids.get(b);
      if (id === undefined) this.ids.set(b, (id = this.nextId++));
      return id;
    }).join(',');
    let g = this.stepGroups.get(key);
    if (!g) {
      g = this.device.createBindGroup({ layout: this.stepLayout().group, entries: list.map((buffer, binding) => ({ binding, resource: { buffer } })) });
      this.stepGroups.set(key, g);
    }
    return g;
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

/** What each open pass has bound, so that encode() sets only what changes. */
const bound = new WeakMap<GPUComputePassEncoder, { pipeline?: GPUComputePipeline; group?: GPUBindGroup }>();

/** Encodes a dispatch, skipping the pipeline or bind group the pass already has (a bind group stays bound across pipelines of one layout). */
export function encode(pass: GPUComputePassEncoder, d: Dispatch): void {
  let state = bound.get(pass);
  if (!state) bound.set(pass, (state = {}));
  if (state.pipeline !== d.pipeline) {
    pass.setPipeline(d.pipeline);
    state.pipeline = d.pipeline;
  }
  if (state.group !== d.group) {
    pass.setBindGroup(0, d.group);
    state.group = d.group;
  }
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
