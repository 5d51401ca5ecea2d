// Compiles a kernel (src/gpu/wgsl.ts composes its text after the constants header and the
// shared structs), with its marked loops written out where the adapter gains from it
// (unrollLoops), against the explicit layout of its binding table. Pipelines and layouts are
// cached per device (keyed by d4 and the unrolling too), so that every engine of a process
// after the first (the autotuner's candidates, a sweep's runs, tests) reuses what was compiled;
// bind groups are cached per context.
import common from '../../shaders/common.wgsl?raw';
import { blockItems, constantsHeader } from './layout';
import { StagingPool } from './readback';
import { composeKernel, type BindingTable, type KernelSource } from './wgsl';

/**
 * Marked loops longer than this stay loops: at d = 256 writing them out made SwiftShader's
 * simple backward 2.4× faster for about 5 s more compiling per run (none at d ≤ 64, 0.3 s at
 * d = 128); at d = 1024 it gained nothing clear and compiled far slower.
 */
export const UNROLL_MAX = 64;

const MARKER = '/* unroll */';
const UNROLL = /\/\* unroll \*\/\s*for \(var (\w+) = 0u; \1 < (D4|BLOCK_ITEMS|\d+u); \1\+\+\) \{/y;

/**
 * Writes out each loop marked `/* unroll *\/ for (var k = 0u; k < D4; k++) { … }` (or `k < 4u`,
 * any literal bound, or BLOCK_ITEMS, layout.ts blockItems) as that many copies of its body, k a
 * literal in each, where the count is at most `limit` (0: none; the adapter's choice, Variants.loops). SwiftShader does not unroll
 * loops, so a function array (or vector) indexed in one (a neuron's w, its gradient) lives in
 * memory; with literal indices it lives in registers (backward=simple about 2× faster at
 * d = 16, 2.4–3× at d = 64–256; the blocked forward's 4-wide loops about 15%). GPU compilers
 * unroll such loops themselves. A marker before any other loop form is an error, as is a body
 * with comments, `break` or `continue` (the copy would change their meaning).
 */
export function unrollLoops(code: string, d4: number, limit = UNROLL_MAX): string {
  let out = '';
  let at = 0;
  for (let mark = code.indexOf(MARKER); mark >= 0; mark = code.indexOf(MARKER, at)) {
    UNROLL.lastIndex = mark;
    const m = UNROLL.exec(code);
    if (!m) throw new Error(`unrollLoops: ${MARKER} must precede \`for (var k = 0u; k < D4; k++) {\` (or a literal bound like 4u); got ${JSON.stringify(code.slice(mark, mark + 60))}`);
    const count = m[2] === 'D4' ? d4 : m[2] === 'BLOCK_ITEMS' ? blockItems(d4) : parseInt(m[2]);
    // The body starts after the loop's `{` (read before the recursion below reuses the regex).
    const open = UNROLL.lastIndex;
    let depth = 1;
    let end = open;
    for (; depth > 0; end++) {
      if (end >= code.length) throw new Error(`unrollLoops: unbalanced braces after ${JSON.stringify(m[0])}`);
      depth += code[end] === '{' ? 1 : code[end] === '}' ? -1 : 0;
    }
    const body = unrollLoops(code.slice(open, end - 1), d4, limit);
    if (count > limit) {
      out += code.slice(at, open) + body + '}';
      at = end;
      continue;
    }
    // A marker left by a nested loop kept as a loop is no comment of the body's.
    if (/\/\/|\/\*|\bbreak\b|\bcontinue\b/.test(body.replaceAll(MARKER, ''))) throw new Error(`unrollLoops: a comment, break or continue in the body of ${JSON.stringify(m[0])}`);
    // k as a whole identifier, not a member `.k`.
    const k = new RegExp(`(?<![.\\w])${m[1]}\\b`, 'g');
    // Each copy in its own block, so that its `let`s do not collide.
    out += code.slice(at, m.index) + Array.from({ length: count }, (_, i) => `{${body.replace(k, `${i}u`)}}`).join(' ');
    at = end;
  }
  return out + code.slice(at);
}

/** What pipeline() hands out while precompile() collects: never encoded, as that build is discarded. */
const PENDING = Object.freeze({ label: 'pending (precompile)' }) as unknown as GPUComputePipeline;

/** What a device has compiled: pipelines by context key and kernel, layouts by binding table. */
interface DeviceCache {
  pipelines: Map<string, GPUComputePipeline>;
  layouts: Map<BindingTable, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>;
}
const deviceCaches = new WeakMap<GPUDevice, DeviceCache>();

export class GpuContext {
  private readonly pipelines: Map<string, GPUComputePipeline>;
  private readonly layouts: DeviceCache['layouts'];
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<GPUBuffer | BindingTable, number>();
  private nextId = 0;
  private placeholder: GPUBuffer | null = null;
  /** While precompile() runs its build: the pipelines asked for, compiling. */
  private pending: Map<string, Promise<unknown>> | null = null;
  readonly header: string;

  /** `unroll`: write out marked loops (the adapter's choice, Variants.loops). */
  constructor(readonly device: GPUDevice, readonly d4: number, readonly unroll = true) {
    this.header = constantsHeader(d4) + common;
    let cache = deviceCaches.get(device);
    if (!cache) deviceCaches.set(device, (cache = { pipelines: new Map(), layouts: new Map() }));
    this.pipelines = cache.pipelines;
    this.layouts = cache.layouts;
  }

  /** `constants` sets the kernel's `override` declarations. */
  pipeline(kernel: KernelSource, entryPoint = 'main', constants: Record<string, number> = {}): GPUComputePipeline {
    // The text depends on the kernel, d4 (the header) and the unrolling; kernel names are unique per source.
    const label = `${kernel.name}:${entryPoint}:${JSON.stringify(constants)}`;
    const key = `${this.d4}:${this.unroll}:${label}`;
    let p = this.pipelines.get(key);
    if (!p) {
      if (this.pending?.has(key)) return PENDING;
      const enables = (kernel.enables ?? []).map((e) => `enable ${e};\n`).join('');
      const code = enables + unrollLoops(this.header + composeKernel(kernel, this.header), this.d4, this.unroll ? UNROLL_MAX : 0);
      const module = this.device.createShaderModule({ label: kernel.name, code });
      const descriptor = { label, layout: this.layout(kernel.bindings).pipeline, compute: { module, entryPoint, constants } };
      if (this.pending) {
        this.pending.set(key, this.device.createComputePipelineAsync(descriptor).then((made) => this.pipelines.set(key, made)));
        return PENDING;
      }
      p = this.device.createComputePipeline(descriptor);
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * Compiles every pipeline that `build` asks for with createComputePipelineAsync, all at once
   * and off the event loop, then caches them: `build` runs again afterwards to get them (what it
   * returns here is discarded: its pipelines are placeholders). A kernel that does not compile
   * rejects with its GPUPipelineError.
   */
  async precompile(build: () => unknown): Promise<void> {
    const pending = new Map<string, Promise<unknown>>();
    this.pending = pending;
    try {
      build();
    } finally {
      this.pending = null;
    }
    await Promise.all(pending.values());
  }

  /**
   * The bind group of `table` over `buffers`: the same object for the same buffers, so that
   * kernels of one table (the step's three) share it and encode() binds it once.
   */
  group<N extends string>(table: BindingTable<N>, buffers: Readonly<Record<N, GPUBuffer>>): GPUBindGroup {
    const list = table.ordered(buffers);
    const key = [table, ...list].map((x) => {
      let id = this.ids.get(x);
      if (id === undefined) this.ids.set(x, (id = this.nextId++));
      return id;
    }).join(',');
    let g = this.groups.get(key);
    if (!g) {
      g = this.device.createBindGroup({ label: table.label, layout: this.layout(table).group, entries: list.map((buffer, binding) => ({ binding, resource: { buffer } })) });
      this.groups.set(key, g);
    }
    return g;
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
    this.groups.clear();
  }

  private layout(table: BindingTable): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let l = this.layouts.get(table);
    if (!l) {
      const group = this.device.createBindGroupLayout({ label: table.label, entries: table.layoutEntries });
      l = { group, pipeline: this.device.createPipelineLayout({ label: table.label, bindGroupLayouts: [group] }) };
      this.layouts.set(table, l);
    }
    return l;
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

/** A buffer's contents, read back after everything submitted before (once: an engine keeps its own pool). */
export async function readBuffer(device: GPUDevice, b: GPUBuffer): Promise<Float32Array> {
  const pool = new StagingPool(device);
  try {
    return await pool.read(b);
  } finally {
    pool.destroy();
  }
}
