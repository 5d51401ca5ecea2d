// Sweeps on every CPU core: a pool of worker threads, each training runs on the float64
// reference one at a time and handing back its records as they finish. A run's record does
// not depend on which worker trained it (the reference is deterministic float64).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Resolved } from '../config/resolve';
import type { Config } from '../config/schema';
import type { PreparedRun } from '../train/batch';
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
 * Sends each task's message to the next free thread of `workers` and hands its answer to
 * `onAnswer`; after `signal` aborts, the threads are told to drop their tasks and no new ones start.
 */
async function feedThreads<T>(
  tasks: readonly T[], workers: number, message: (t: T) => ToWorker, onAnswer: (m: FromWorker, t: T) => void, what: (t: T) => string, signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const threads = Array.from({ length: Math.max(1, Math.min(workers, tasks.length)) }, () => new Worker(WORKER));
  const onAbort = () => threads.forEach((w) => w.postMessage({ type: 'abort' } satisfies ToWorker));
  signal.addEventListener('abort', onAbort);
  try {
    await Promise.all(threads.map((w) => new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (signal.aborted || next >= tasks.length) return resolve();
        const task = tasks[next++];
        w.once('message', (m: FromWorker) => {
          if (m.type === 'failed') return reject(new Error(`${what(task)}: ${m.message}`));
          onAnswer(m, task);
          feed();
        });
        w.postMessage(message(task));
      };
      w.once('error', reject);
      feed();
    })));
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

/**
 * Trains `runs` on `workers` threads; `onFinished` gets each record (with what the run asked
 * to keep) as it finishes, in finishing order. After `signal` aborts, the runs in progress are
 * dropped and no new ones start.
 */
export async function runPool<R extends PoolRun>(
  runs: readonly R[], workers: number, onFinished: (finished: Finished, run: R) => void, signal: AbortSignal,
): Promise<void> {
  await feedThreads(
    runs, workers,
    (run) => ({ type: 'run', id: run.id, settings: run.settings, keep: run.keep }),
    (m, run) => { if (m.type === 'done' && m.finished) onFinished(m.finished, run); },
    (run) => `run ${run.id}`, signal,
  );
}

/** The batched engine's preparation on `workers` threads, or undefined (prepared on this thread) with one worker or no worker entry. */
export function pooledPreparation(workers: number): ((configs: readonly Resolved[]) => Promise<PreparedRun[]>) | undefined {
  return workers > 1 && poolAvailable() ? (configs) => preparePool(configs, workers) : undefined;
}

/** Runs per message of preparePool: enough to amortize a message, few enough to share the work out. */
const PREPARE_CHUNK = 16;

/**
 * The initializations of runs for the batched WebGPU engine (src/train/batch.ts prepareRun), made
 * on `workers` threads, in the order of `configs`: the same data this thread would make.
 */
export async function preparePool(configs: readonly Resolved[], workers: number): Promise<PreparedRun[]> {
  const chunks = Array.from({ length: Math.ceil(configs.length / PREPARE_CHUNK) }, (_, k) => configs.slice(k * PREPARE_CHUNK, (k + 1) * PREPARE_CHUNK));
  const out: PreparedRun[][] = [];
  await feedThreads(
    chunks.map((chunk, k) => ({ chunk, k })), workers,
    (t) => ({ type: 'prepare', configs: t.chunk }),
    (m, t) => { if (m.type === 'prepared') out[t.k] = m.runs; },
    (t) => `preparing ${t.chunk.length} runs`, new AbortController().signal,
  );
  return out.flat();
}
