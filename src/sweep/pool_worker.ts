// A worker thread of the CPU pool (src/sweep/pool_node.ts): trains the runs it is sent on the
// float64 reference, one at a time, and posts each record back (with the logged rows and the
// tensors when asked: the report draws curves and compares kernels from them); or fixes the
// initializations of runs that the batched WebGPU engine will train.
import { parentPort } from 'node:worker_threads';
import { resolveConfig } from '../config/resolve';
import type { Resolved } from '../config/resolve';
import type { Config } from '../config/schema';
import type { Tensors } from '../model/engine';
import type { Row } from '../model/metrics';
import { prepareHere, type PreparedRun } from '../train/batch';
import { createCpuTrainer } from '../train/trainer';
import type { Keep } from './keep';
import { toRecord } from './record';


export interface Finished {
  record: ReturnType<typeof toRecord>;
  rows?: Row[];
  tensors?: Tensors;
}

export type ToWorker = { type: 'run'; id: string; settings: Config; keep?: Keep } | { type: 'prepare'; configs: Resolved[] } | { type: 'abort' };
export type FromWorker = { type: 'done'; finished: Finished | null } | { type: 'prepared'; runs: PreparedRun[] } | { type: 'failed'; message: string };

let abort = new AbortController();
parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'abort') return abort.abort();
  abort = new AbortController();
  const signal = abort.signal;
  void (async () => {
    try {
      if (m.type === 'prepare') return parentPort!.postMessage({ type: 'prepared', runs: await prepareHere(m.configs) } satisfies FromWorker);
      const trainer = await createCpuTrainer(resolveConfig(m.settings));
      const result = await trainer.run({ signal });
      // A run stopped by the signal is dropped: it runs again when the sweep resumes.
      if (signal.aborted && result.outcome === 'stopped') return parentPort!.postMessage({ type: 'done', finished: null } satisfies FromWorker);
      const finished: Finished = { record: toRecord(m.id, m.settings, trainer.config, result, trainer.backend) };
      if (m.keep?.rows) finished.rows = result.rows;
      if (m.keep?.tensors) finished.tensors = await trainer.readTensors();
      trainer.dispose();
      parentPort!.postMessage({ type: 'done', finished } satisfies FromWorker);
    } catch (e) {
      parentPort!.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    }
  })();
});
