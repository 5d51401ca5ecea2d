// The page's side of the trainer workers (src/ui/trainer_worker.ts): each run (or batch of
// seeds) has a worker of its own, so that a preparation can be cancelled by ending its worker.
// A spare worker answers the plan's checks and becomes the next run's; a finished run's worker,
// its trainer freed, becomes the spare when there is none (the next seed of a group then starts
// on a warm device).
import { proxy, wrap, type Remote } from 'comlink';
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../model/engine';
import type { Row } from '../model/metrics';
import type { RunOptions, RunResult, SetupEvent, Trainer } from '../train/trainer';
import type { BatchEvent, CreatedBatch, TrainerWorker } from './trainer_worker';

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

  /**
   * Bytes the run will hold, and why `seeds` runs of it would not train together as one batch
   * (null: they would); throws the backend's one-line ConfigError when it cannot run here.
   */
  async check(c: Resolved, seeds = 1, labelsFile = false): Promise<{ bytes: number; together: string | null }> {
    const spare = (this.spare ??= this.spawn());
    await spare.connected;
    const r = await spare.api.check(c, seeds, labelsFile);
    if (!r.ok) throw new ConfigError(r.key, r.message);
    return r;
  }

  /** The spare's trainer for `c`, prepared in its worker; `signal` ends the worker and rejects with Cancelled. */
  create(c: Resolved, labelValues: Float64Array | undefined, onSetup: (e: SetupEvent) => void, signal: AbortSignal): Promise<PageTrainer> {
    return this.prepareIn(signal, (api) => api.create(c, labelValues, proxy(onSetup)), (spawned, made, onDispose) => workerTrainer(spawned, made, onDispose));
  }

  /**
   * The runs of `cs` prepared in one worker and trained there as one batch of the batched
   * engine (check() said they can be), each seen as a trainer of its own: see batchTrainers.
   */
  createBatch(cs: Resolved[], onSetup: (e: SetupEvent) => void, signal: AbortSignal): Promise<{ trainers: PageTrainer[]; size: number }> {
    return this.prepareIn(signal, (api) => api.createBatch(cs, proxy(onSetup)), (spawned, made, onDispose) => ({ trainers: batchTrainers(spawned, made, onDispose), size: made.size }));
  }

  /** Prepares in the spare worker (or a new one); `signal` ends the worker and rejects with Cancelled. */
  private async prepareIn<M, T>(
    signal: AbortSignal, make: (api: Remote<TrainerWorker>) => Promise<M>, wrap: (s: Spawned, made: M, onDispose: (freed: Promise<boolean>) => void) => T,
  ): Promise<T> {
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
      const made = await Promise.race([connected.then(() => make(api)), cancelled]);
      return wrap(spawned, made, (freed) => {
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

/**
 * The runs of one batch as trainers of their own, to the contract of a single run's: run()
 * trains until the run finishes or its signal pauses it (resolving with outcome `stopped`), and
 * run() again resumes. They share one dispatch, so the batch moves only while every run not
 * finished is in run(): a pause of one holds them all (each resolves `stopped`), and it goes
 * on once each has been resumed. The worker is freed when every run has been disposed.
 */
function batchTrainers({ api }: Spawned, made: CreatedBatch, onDispose: (freed: Promise<boolean>) => void): PageTrainer[] {
  interface Waiting { options: RunOptions; resolve: (r: RunResult) => void; reject: (e: unknown) => void; unhook: () => void }
  const waiting = new Map<number, Waiting>();
  const finished = new Set<number>();
  let started = false;
  let held = false;
  let failed: unknown = null;
  let disposed = 0;
  const settle = (i: number, end: (w: Waiting) => void) => {
    const w = waiting.get(i);
    if (!w) return;
    waiting.delete(i);
    w.unhook();
    end(w);
  };
  const onEvent = (e: BatchEvent) => {
    if (e.type === 'rows') {
      for (const [i, rows] of e.rows) for (const row of rows) waiting.get(i)?.options.onRow?.(row);
      for (const [i, p] of e.progress) waiting.get(i)?.options.onProgress?.(p);
    } else if (e.type === 'finished') {
      finished.add(e.run);
      settle(e.run, (w) => w.resolve(e.result));
    } else {
      held = true;
      for (const [i, result] of e.results) settle(i, (w) => w.resolve(result));
    }
  };
  const fail = (e: unknown) => {
    failed = e;
    for (const i of [...waiting.keys()]) settle(i, (w) => w.reject(e));
  };
  /** The batch goes on when every run not finished waits in run(). */
  const go = () => {
    if (made.configs.some((_, i) => !finished.has(i) && !waiting.has(i))) return;
    if (!started) {
      started = true;
      api.runBatch(proxy(onEvent)).then(() => fail(new Error('the batch ended before this run finished')), fail);
    } else if (held) {
      held = false;
      void api.releaseBatch();
    }
  };
  return made.configs.map((config, i): PageTrainer => ({
    config,
    backend: made.backend,
    memoryBytes: made.memoryBytes,
    setupSeconds: made.setupSeconds,
    run(options: RunOptions = {}): Promise<RunResult> {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        const hold = () => void api.holdBatch();
        options.signal?.addEventListener('abort', hold, { once: true });
        waiting.set(i, { options, resolve, reject, unhook: () => options.signal?.removeEventListener('abort', hold) });
        if (options.signal?.aborted) hold();
        go();
      });
    },
    dispose() {
      if (++disposed === made.configs.length) onDispose(api.dispose().then(() => true, () => false));
    },
  }));
}
