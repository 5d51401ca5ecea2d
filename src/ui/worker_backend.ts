// The page's side of the trainer workers (src/ui/trainer_worker.ts): each run has a worker of
// its own, so that a preparation can be cancelled by ending its worker. A spare worker answers
// the plan's checks and becomes the next run's; a finished run's worker, its trainer freed,
// becomes the spare when there is none (the next seed of a group then starts on a warm device).
import { proxy, wrap, type Remote } from 'comlink';
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../model/engine';
import type { Row } from '../model/metrics';
import type { RunOptions, RunResult, SetupEvent, Trainer } from '../train/trainer';
import type { TrainerWorker } from './trainer_worker';

/** What a page run needs of its trainer. */
export type PageTrainer = Pick<Trainer, 'config' | 'backend' | 'memoryBytes' | 'setupSeconds' | 'run' | 'dispose'>;

/** A preparation ended by its caller (Cancel), not a failure. */
export class Cancelled extends Error {
  constructor() {
    super('the preparation was cancelled');
  }
}

interface Spawned {
  worker: Worker;
  api: Remote<TrainerWorker>;
  connected: Promise<{ info: BackendInfo; reason: string | null }>;
}

export class PageBackend {
  private spare: Spawned | null = null;
  /** A finished run's worker on its way to becoming the spare: the next run waits for it rather than start a cold one. */
  private freeing: Promise<void> = Promise.resolve();
  info!: BackendInfo;
  /** Why there is no GPU (no WebGPU, no adapter), or why it was lost. */
  reason: string | null = null;
  lost = false;

  private constructor(private readonly onLost: (message: string) => void) {}

  static async acquire(onLost: (message: string) => void): Promise<PageBackend> {
    const b = new PageBackend(onLost);
    await b.connect();
    return b;
  }

  /** A fresh spare worker on a fresh device (after a loss, only a new device runs). */
  async connect(): Promise<void> {
    this.spare?.worker.terminate();
    this.spare = this.spawn();
    const { info, reason } = await this.spare.connected;
    this.info = info;
    this.reason = reason;
    this.lost = false;
  }

  private spawn(): Spawned {
    const worker = new Worker(new URL('./trainer_worker.ts', import.meta.url), { type: 'module', name: 'shallow-gd trainer' });
    const api = wrap<TrainerWorker>(worker);
    const connected = api.connect(proxy((message: string) => {
      if (this.lost) return;
      this.lost = true;
      this.reason = message;
      this.onLost(message);
    }));
    return { worker, api, connected };
  }

  /** Bytes the run will hold; throws the backend's one-line ConfigError when it cannot run here. */
  async check(c: Resolved): Promise<number> {
    const spare = (this.spare ??= this.spawn());
    await spare.connected;
    const r = await spare.api.check(c);
    if (!r.ok) throw new ConfigError(r.key, r.message);
    return r.bytes;
  }

  /** The spare's trainer for `c`, prepared in its worker; `signal` ends the worker and rejects with Cancelled. */
  async create(c: Resolved, labelValues: Float64Array | undefined, onSetup: (e: SetupEvent) => void, signal: AbortSignal): Promise<PageTrainer> {
    if (this.lost) throw new Error(this.reason ?? 'the WebGPU device was lost');
    await this.freeing;
    const spawned = this.spare ?? this.spawn();
    this.spare = null;
    const { worker, api, connected } = spawned;
    const cancelled = new Promise<never>((_, reject) => {
      const end = () => {
        worker.terminate();
        reject(new Cancelled());
      };
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
    });
    try {
      const made = await Promise.race([connected.then(() => api.create(c, labelValues, proxy(onSetup))), cancelled]);
      return workerTrainer(spawned, made, (freed) => {
        this.freeing = freed.then((ok) => this.recycle(spawned, ok));
      });
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  /** A worker whose trainer is freed: the spare if there is none and its device is not lost, else ended. */
  private recycle(s: Spawned, freed: boolean): void {
    if (this.spare || this.lost || !freed) s.worker.terminate();
    else this.spare = s;
  }
}

function workerTrainer({ api }: Spawned, made: Awaited<ReturnType<TrainerWorker['create']>>, onDispose: (freed: Promise<boolean>) => void): PageTrainer {
  let disposed = false;
  return {
    ...made,
    async run(options: RunOptions = {}): Promise<RunResult> {
      const pause = () => void api.pause();
      options.signal?.addEventListener('abort', pause, { once: true });
      try {
        return await api.run(proxy((row: Row) => options.onRow?.(row)), proxy((p) => options.onProgress?.(p)));
      } finally {
        options.signal?.removeEventListener('abort', pause);
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // Its buffers are freed in the worker; a worker that cannot say so is ended.
      onDispose(api.dispose().then(() => true, () => false));
    },
  };
}
