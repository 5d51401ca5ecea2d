// The engine's buffers, as the kernel modules see them, made from the run's plan; and the
// step's binding table.
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { blockBytes, dimsBytes } from './layout';
import type { RunPlan } from './plan';
import type { GpuContext } from './program';
import { bindingTable } from './wgsl';

/** Buffers shared by all blocks: sizes O(n·d + n·chunks + chunks). */
export interface Shared {
  dims: GPUBuffer;
  X: GPUBuffer;
  y: GPUBuffer;
  r: GPUBuffer;
  partials: GPUBuffer;
  status: GPUBuffer;
  chunkStats: GPUBuffer;
  rows: GPUBuffer;
  n: number;
  q: number;
  lossPartCount: number;
}

/** One block of neurons, within one storage binding each. */
export interface Block {
  offset: number;
  count: number;
  chunkOffset: number;
  uniform: GPUBuffer;
  W: GPUBuffer;
  a: GPUBuffer;
  W0: GPUBuffer;
  a0: GPUBuffer;
  stats: GPUBuffer;
  /** The signs [z_ir > 0] of the last forward pass, with backward=masked only. */
  mask: GPUBuffer | null;
}

/**
 * The bindings of a training step's kernels (forward, residual, backward_update) in one table:
 * one bind group per block then serves all three, and a step re-binds nothing (the host's cost
 * per step is its API calls). Eight storage buffers, the most WebGPU guarantees a kernel.
 */
export const STEP_BINDINGS = bindingTable('step', [
  ['dims', 'uniform', 'Dims'],
  ['block', 'uniform', 'Block'],
  ['X', 'read', 'array<vec4<f32>>'],
  ['W', 'read_write', 'array<vec4<f32>>'],
  ['a', 'read_write', 'array<f32>'],
  ['status', 'read_write', 'Status'],
  ['partials', 'read_write', 'array<f32>'],
  ['y', 'read', 'array<f32>'],
  ['r', 'read_write', 'array<f32>'],
  ['mask', 'read_write', 'array<u32>'],
]);

/** A buffer for each of the step's bindings. */
export type StepBuffers = Record<(typeof STEP_BINDINGS)['names'][number], GPUBuffer>;

/** What the step's kernels bind of a block (the teacher's block has no mask). */
export type StepBlock = Pick<Block, 'uniform' | 'W' | 'a'> & { mask?: GPUBuffer | null };

/** The step's buffers for block `b` (its mask, or a placeholder), with `over` replacing some (the teacher's dims, the tangent's outputs). */
export function stepBuffers(ctx: GpuContext, s: Shared, b: StepBlock, over: Partial<StepBuffers> = {}): StepBuffers {
  return { dims: s.dims, block: b.uniform, X: s.X, W: b.W, a: b.a, status: s.status, partials: s.partials, y: s.y, r: s.r, mask: b.mask ?? ctx.unused, ...over };
}

/** Owns the buffers of one run: created through it, destroyed together. */
export class Allocator {
  readonly owned: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {}

  buffer(size: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    this.owned.push(b);
    return b;
  }
  uniform(data: ArrayBuffer, label: string): GPUBuffer {
    const b = this.buffer(data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(b, 0, data);
    return b;
  }
  storage(size: number, label: string): GPUBuffer {
    return this.buffer(size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label);
  }
  release(b: GPUBuffer): void {
    b.destroy();
    this.owned.splice(this.owned.indexOf(b), 1);
  }
  destroyAll(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}

/**
 * Creates the plan's buffers (zero-filled) and the uniforms that describe them. Fails with a
 * one-line ConfigError when the device is out of memory.
 */
export async function allocateRun(device: GPUDevice, c: Resolved, plan: RunPlan): Promise<{ alloc: Allocator; s: Shared; blocks: Block[] }> {
  const alloc = new Allocator(device);
  device.pushErrorScope('out-of-memory');
  const sh = plan.shared;
  const s: Shared = {
    dims: alloc.uniform(dimsBytes(c, plan.lossParts, plan.rowCap), 'dims'),
    X: alloc.storage(sh.X, 'X'),
    y: alloc.storage(sh.y, 'y'),
    r: alloc.storage(sh.r, 'r'),
    partials: alloc.storage(sh.partials, 'partials'),
    status: alloc.storage(sh.status, 'status'),
    chunkStats: alloc.storage(sh.chunkStats, 'chunkStats'),
    rows: alloc.storage(sh.rows, 'rows'),
    n: plan.n,
    q: plan.q,
    lossPartCount: plan.lossParts,
  };
  const blocks: Block[] = plan.blocks.map((b, i) => ({
    offset: b.offset,
    count: b.count,
    chunkOffset: b.chunkOffset,
    uniform: alloc.uniform(blockBytes(b.offset, b.count, b.chunkOffset, i === 0), `block${i}`),
    W: alloc.storage(b.buffers.W, `W${i}`),
    a: alloc.storage(b.buffers.a, `a${i}`),
    W0: alloc.storage(b.buffers.W0, `W0_${i}`),
    a0: alloc.storage(b.buffers.a0, `a0_${i}`),
    stats: alloc.storage(b.buffers.stats, `stats${i}`),
    mask: b.buffers.mask ? alloc.storage(b.buffers.mask, `mask${i}`) : null,
  }));
  const oom = await device.popErrorScope();
  if (oom) {
    alloc.destroyAll();
    throw new ConfigError('m', `the run needs ${(plan.bytes / 2 ** 20).toFixed(1)} MiB of GPU memory and the device could not allocate it: lower --m (m), --n (n) or --d (d)`);
  }
  return { alloc, s, blocks };
}
