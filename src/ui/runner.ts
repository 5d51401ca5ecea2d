// One run's life on the page: start, pause (abort), resume (run() again), and its end. Its
// trainer lives in a worker of its own (src/ui/worker_backend.ts).
import type { Resolved } from '../config/resolve';
import type { BackendInfo } from '../model/engine';
import type { Row } from '../model/metrics';
import type { Progress, RunResult } from '../train/trainer';
import type { PageTrainer } from './worker_backend';

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
    private readonly trainer: PageTrainer,
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
  get setupSeconds(): number {
    return this.trainer.setupSeconds;
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
