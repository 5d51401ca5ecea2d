// Sweeps on every CPU core: a pool of worker threads, each training runs on the float64
// reference one at a time and handing back its records as they finish. A run's record does
// not depend on which worker trained it (the reference is deterministic float64).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema';
import type { FromWorker, ToWorker } from './pool_worker';
import type { SweepRecord } from './record';

/** One worker per core unless asked. */
export function defaultWorkers(): number {
  return availableParallelism();
}

export interface PoolRun {
  id: string;
  settings: Config;
}

/**
 * Trains `runs` on `workers` threads; `onRecord` gets each record as it finishes (in finishing
 * order). After `signal` aborts, the runs in progress are dropped and no new ones start.
 */
export async function runPool(
  runs: readonly PoolRun[], workers: number, onRecord: (record: SweepRecord, run: PoolRun) => void, signal: AbortSignal,
): Promise<void> {
  // The bundle's worker entry lies beside the bundle (vite.config.ts builds both).
  const url = new URL('./pool_worker.js', import.meta.url);
  let next = 0;
  const threads = Array.from({ length: Math.max(1, Math.min(workers, runs.length)) }, () => new Worker(url));
  const onAbort = () => threads.forEach((w) => w.postMessage({ type: 'abort' } satisfies ToWorker));
  signal.addEventListener('abort', onAbort);
  try {
    await Promise.all(threads.map((w) => new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (signal.aborted || next >= runs.length) return resolve();
        const run = runs[next++];
        w.once('message', (m: FromWorker) => {
          if (m.type === 'failed') return reject(new Error(`run ${run.id}: ${m.message}`));
          if (m.record) onRecord(m.record, run);
          feed();
        });
        w.postMessage({ type: 'run', id: run.id, settings: run.settings } satisfies ToWorker);
      };
      w.once('error', reject);
      feed();
    })));
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
