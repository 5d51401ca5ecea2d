// Sweeps on every CPU core: a pool of worker threads, each training runs on the float64
// reference one at a time and handing back its records as they finish. A run's record does
// not depend on which worker trained it (the reference is deterministic float64).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema';
import type { Keep } from './keep';
import type { Finished, FromWorker, ToWorker } from './pool_worker';

export type { Finished } from './pool_worker';

/** The bundle's worker entry lies beside the bundle (vite.config.ts builds both). */
const WORKER = new URL('./pool_worker.js', import.meta.url);

/** Whether worker threads can start: run from the TypeScript sources (tests), there is no entry to start. */
export function poolAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER));
}

/** One worker per core unless asked. */
export function defaultWorkers(): number {
  return availableParallelism();
}

export interface PoolRun {
  id: string;
  settings: Config;
  /** What to hand back besides the record (rows, tensors); nothing by default. */
  keep?: Keep;
}

/**
 * Trains `runs` on `workers` threads; `onFinished` gets each record (with what the run asked
 * to keep) as it finishes, in finishing order. After `signal` aborts, the runs in progress are
 * dropped and no new ones start.
 */
export async function runPool<R extends PoolRun>(
  runs: readonly R[], workers: number, onFinished: (finished: Finished, run: R) => void, signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const threads = Array.from({ length: Math.max(1, Math.min(workers, runs.length)) }, () => new Worker(WORKER));
  const onAbort = () => threads.forEach((w) => w.postMessage({ type: 'abort' } satisfies ToWorker));
  signal.addEventListener('abort', onAbort);
  try {
    await Promise.all(threads.map((w) => new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (signal.aborted || next >= runs.length) return resolve();
        const run = runs[next++];
        w.once('message', (m: FromWorker) => {
          if (m.type === 'failed') return reject(new Error(`run ${run.id}: ${m.message}`));
          if (m.finished) onFinished(m.finished, run);
          feed();
        });
        w.postMessage({ type: 'run', id: run.id, settings: run.settings, keep: run.keep } satisfies ToWorker);
      };
      w.once('error', reject);
      feed();
    })));
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
