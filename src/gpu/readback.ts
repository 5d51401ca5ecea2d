// Reading results back: copies into mappable staging buffers from a small pool (buffers in
// power-of-two sizes, reused once unmapped) rather than a new buffer per submit and per
// tangent product.

export class StagingPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly all: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  /** Submits `enc` (after `copies` fill a staging buffer of `size` bytes) and resolves with a copy of what it read. */
  async submitAndRead(enc: GPUCommandEncoder, size: number, copies: (staging: GPUBuffer) => void): Promise<ArrayBuffer> {
    const staging = this.take(size);
    copies(staging);
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
      const data = staging.getMappedRange(0, size).slice(0);
      staging.unmap();
      return data;
    } finally {
      this.give(staging);
    }
  }

  /** A buffer's contents as float32, read after everything submitted before. */
  async read(b: GPUBuffer): Promise<Float32Array> {
    const enc = this.device.createCommandEncoder({ label: `read ${b.label}` });
    return new Float32Array(await this.submitAndRead(enc, b.size, (staging) => enc.copyBufferToBuffer(b, 0, staging, 0, b.size)));
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.length = 0;
    this.free.clear();
  }

  private take(needed: number): GPUBuffer {
    const size = 2 ** Math.ceil(Math.log2(Math.max(needed, 256)));
    const b = this.free.get(size)?.pop();
    if (b) return b;
    const made = this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `staging ${size}` });
    this.all.push(made);
    return made;
  }

  private give(b: GPUBuffer): void {
    if (!this.all.includes(b)) return; // destroyed meanwhile
    const list = this.free.get(b.size) ?? [];
    list.push(b);
    this.free.set(b.size, list);
  }
}
