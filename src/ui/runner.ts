// The page's side of the engine: which backend runs (the WebGPU device, or the float64 CPU
// reference when there is none), what a run needs before it starts, and one run's life:
// start, pause (abort), resume (run() again), and its end.
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { acquireBrowserDevice, type BrowserDevice } from '../gpu/device_browser';
import { createGpuTrainer } from '../train/trainer';
import { planRun } from '../gpu/plan';
import { createCpuTrainer } from '../train/trainer';
import { referenceBytes } from '../reference/engine';
import type { Row } from '../model/metrics';
import type { BackendInfo } from '../model/engine';
import type { Progress, RunResult, Trainer } from '../train/trainer';

/** The CPU reference keeps float64 copies in the JS heap: keep well under what a tab gets. */
const CPU_MAX_BYTES = 512 * 2 ** 20;
/**
 * It yields to the page only between steps: a step of 6·n·d·m flops must stay well under a
 * second of JavaScript (about 1 GFLOP/s) for the page to keep responding.
 */
const CPU_MAX_STEP_FLOPS = 3e8;

export const CPU_BACKEND: BackendInfo = { kind: 'cpu', name: 'float64 CPU reference', software: true };

export class Backend {
  private gpu: BrowserDevice | null = null;
  /** Why there is no GPU (no WebGPU, no adapter), or why it was lost. */
  reason: string | null = null;
  lost = false;

  private constructor(private readonly onLost: (message: string) => void) {}

  static async acquire(onLost: (message: string) => void): Promise<Backend> {
    const b = new Backend(onLost);
    await b.connect();
    return b;
  }

  /** (Re)acquires the device; a device that is lost cannot be revived, only replaced. */
  async connect(): Promise<void> {
    const got = await acquireBrowserDevice();
    this.lost = false;
    if (!got.ok) {
      this.gpu = null;
      this.reason = got.reason;
      return;
    }
    this.gpu = got.gpu;
    this.reason = null;
    const device = got.gpu.device;
    device.lost.then((info) => {
      if (this.gpu?.device !== device) return;
      this.lost = true;
      this.reason = `the WebGPU device was lost (${info.reason}): ${info.message || 'no details'}`;
      this.onLost(this.reason);
    });
  }

  get info(): BackendInfo {
    return this.gpu?.info ?? CPU_BACKEND;
  }

  /** Bytes the run will hold; throws ConfigError (with the reason) when this backend cannot hold it. */
  plan(c: Resolved): number {
    if (this.gpu) return planRun(c, this.gpu.device.limits, this.gpu.info).bytes;
    const need = referenceBytes(c);
    const where = '--m (m), --n (n), --d (d): without WebGPU the page runs the CPU reference';
    if (need > CPU_MAX_BYTES)
      throw new ConfigError('m', `${where}, which holds at most ${CPU_MAX_BYTES / 2 ** 20} MiB; this run needs ${(need / 2 ** 20).toFixed(1)} MiB`);
    const flops = 6 * c.n * c.d * c.m;
    if (flops > CPU_MAX_STEP_FLOPS)
      throw new ConfigError('m', `${where}, which takes steps of at most ${CPU_MAX_STEP_FLOPS.toExponential(0)} flops (6·n·d·m) to keep the page responsive; this run's are ${flops.toExponential(1)}`);
    return need;
  }

  async trainer(c: Resolved, labelValues?: Float64Array): Promise<Trainer> {
    if (this.lost) throw new Error(this.reason ?? 'the WebGPU device was lost');
    this.plan(c);
    return this.gpu ? createGpuTrainer(this.gpu.device, this.gpu.info, c, labelValues) : createCpuTrainer(c, labelValues);
  }
}

export type Phase = 'running' | 'paused' | 'done' | 'failed';

export interface RunHooks {
  row(run: Run, row: Row): void;
  /** Any change worth redrawing the status for (progress, phase). */
  changed(run: Run): void;
  /** run() settled: paused, finished, or failed. */
  settled(run: Run): void;
}

export class Run {
  readonly rows: Row[] = [];
  progress: Progress | null = null;
  result: RunResult | null = null;
  /** A new run waits at step 0 until resume() starts it. */
  phase: Phase = 'paused';
  error: string | null = null;
  private abort: AbortController | null = null;
  private settledPromise: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly id: number,
    readonly color: string,
    private readonly trainer: Trainer,
    private readonly hooks: RunHooks,
  ) {}

  get config(): Resolved {
    return this.trainer.config;
  }
  get backend(): BackendInfo {
    return this.trainer.backend;
  }
  get memoryBytes(): number {
    return this.trainer.memoryBytes;
  }

  /** Starts or resumes training; the trainer carries on from where it stopped. */
  resume(): void {
    if (this.phase !== 'paused' || this.disposed) return;
    this.phase = 'running';
    const abort = (this.abort = new AbortController());
    this.settledPromise = this.trainer
      .run({
        signal: abort.signal,
        onRow: (row) => {
          this.rows.push(row);
          this.hooks.row(this, row);
        },
        onProgress: (p) => {
          this.progress = p;
          this.hooks.changed(this);
        },
      })
      .then(
        (result) => {
          this.result = result;
          this.phase = result.outcome === 'stopped' ? 'paused' : 'done';
        },
        (e: unknown) => {
          this.phase = 'failed';
          this.error = e instanceof Error ? e.message : String(e);
        },
      )
      .then(() => {
        // A finished run cannot go on: free its buffers now, keep its rows for the charts.
        if (this.phase === 'done' || this.phase === 'failed') this.release();
        this.hooks.settled(this);
      });
  }

  pause(): void {
    this.abort?.abort();
  }

  /** Ends the run for good (it cannot be resumed) and frees its memory once run() has returned. */
  async discard(): Promise<void> {
    this.pause();
    await this.settledPromise;
    if (this.phase === 'paused') this.phase = 'done';
    this.release();
  }

  private release(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.trainer.dispose();
  }
}
