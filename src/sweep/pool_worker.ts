// A worker thread of the CPU pool (src/sweep/pool_node.ts): trains the runs it is sent on the
// float64 reference, one at a time, and posts each record back.
import { parentPort } from 'node:worker_threads';
import { resolveConfig } from '../config/resolve';
import type { Config } from '../config/schema';
import { createCpuTrainer } from '../train/trainer';
import { toRecord } from './record';

export type ToWorker = { type: 'run'; id: string; settings: Config } | { type: 'abort' };
export type FromWorker = { type: 'done'; record: ReturnType<typeof toRecord> | null } | { type: 'failed'; message: string };

let abort = new AbortController();
parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'abort') return abort.abort();
  abort = new AbortController();
  const signal = abort.signal;
  void (async () => {
    try {
      const trainer = await createCpuTrainer(resolveConfig(m.settings));
      const result = await trainer.run({ signal });
      // A run stopped by the signal is dropped: it runs again when the sweep resumes.
      const record = signal.aborted && result.outcome === 'stopped' ? null : toRecord(m.id, m.settings, trainer.config, result, trainer.backend);
      parentPort!.postMessage({ type: 'done', record } satisfies FromWorker);
    } catch (e) {
      parentPort!.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    }
  })();
});
