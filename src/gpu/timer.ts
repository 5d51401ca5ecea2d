// GPU time of encoded work: from timestamp queries where the device has them, else the wall
// clock around submit → onSubmittedWorkDone (which also counts submit and driver overhead).

export type TimingMethod = 'timestamp' | 'wall';

export class GpuTimer {
  readonly method: TimingMethod;
  private readonly querySet?: GPUQuerySet;
  private readonly resolve?: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    this.method = device.features.has('timestamp-query') ? 'timestamp' : 'wall';
    if (this.method === 'timestamp') {
      this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
      this.resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    }
  }

  /** Seconds the GPU spent on what `record` encodes into one compute pass. */
  async time(record: (pass: GPUComputePassEncoder) => void): Promise<number> {
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass(
      this.querySet ? { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
    );
    record(pass);
    pass.end();
    if (!this.querySet || !this.resolve) {
      const start = performance.now();
      this.device.queue.submit([enc.finish()]);
      await this.device.queue.onSubmittedWorkDone();
      return (performance.now() - start) / 1000;
    }
    const staging = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.resolveQuerySet(this.querySet, 0, 2, this.resolve, 0);
    enc.copyBufferToBuffer(this.resolve, 0, staging, 0, 16);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(staging.getMappedRange());
    staging.destroy();
    return Number(end - begin) / 1e9;
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolve?.destroy();
  }
}
