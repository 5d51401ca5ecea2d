// Allocation from the run's plan: its one table of buffers (src/gpu/plan.ts) becomes the
// buffers the kernels bind (src/gpu/buffers.ts).
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import type { Block, Shared } from './buffers';
import { blockBytes, dimsBytes } from './layout';
import type { RunPlan } from './plan';

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
    ...(sh.XT ? { XT: alloc.storage(sh.XT, 'XT') } : {}),
    ...(sh.gradParts ? { gradParts: alloc.storage(sh.gradParts, 'gradParts') } : {}),
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
    mask0: b.buffers.mask0 ? alloc.storage(b.buffers.mask0, `mask0_${i}`) : null,
  }));
  const oom = await device.popErrorScope();
  if (oom) {
    alloc.destroyAll();
    throw new ConfigError('m', `the run needs ${(plan.bytes / 2 ** 20).toFixed(1)} MiB of GPU memory and the device could not allocate it: lower --m (m), --n (n) or --d (d)`);
  }
  return { alloc, s, blocks };
}
