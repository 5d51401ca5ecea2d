// Many runs on one backend: those the batched engine takes train in batches (src/train/batch.ts),
// the others one at a time on their own trainers. The sweep and the experiments suite both train
// their runs through here.
import type { Resolved } from '../config/resolve';
import { softwareNote, type BackendInfo, type Tensors } from '../model/engine';
import type { Backend } from './backend';
import type { BatchOptions } from './batch';
import type { RunResult } from './run_loop';

export interface ManyRun<K> {
  key: K;
  c: Resolved;
  /** Its final tensors are wanted: only a single-run trainer reads them back. */
  tensors?: boolean;
}

export interface ManyOptions<K> {
  /** Most runs per batch: 'auto' (as many as fit), or a number; 0 trains every run on its own. */
  batch: number | 'auto';
  /** Stops the work: runs in progress are dropped (they are not reported). */
  signal?: AbortSignal;
  /** What the work is doing, a line at a time. */
  onPhase(line: string): void;
  /** Makes batched runs' initializations (default: on this thread; see BatchOptions.prepare). */
  prepare?: BatchOptions<K>['prepare'];
  /** Each run as it finishes: its final config (measured rates), result, backend and, where asked, tensors. */
  onFinished(key: K, config: Resolved, result: RunResult, backend: BackendInfo, tensors?: Tensors): void;
}

export async function trainMany<K>(backend: Backend, runs: readonly ManyRun<K>[], o: ManyOptions<K>): Promise<void> {
  const why = (r: ManyRun<K>) => (!backend.batched || o.batch === 0 ? 'batch off' : r.tensors ? 'tensors kept' : backend.batched.refuses(r.c));
  const judged = runs.map((r) => ({ ...r, why: why(r) }));
  const batched = judged.filter((r) => r.why === null);
  const single = judged.filter((r) => r.why !== null);
  if (batched.length > 0) {
    o.onPhase(`backend: ${backend.info.name}${softwareNote(backend.info)}, batched engine: ${batched.length} runs` +
      (single.length > 0 ? `; ${single.length} one at a time (${[...new Set(single.map((r) => r.why))].join(', ')})` : ''));
    await backend.batched!.train(batched, {
      maxRuns: o.batch === 'auto' ? undefined : o.batch,
      signal: o.signal,
      onPhase: o.onPhase,
      prepare: o.prepare,
      onFinished: (key, config, result) => o.onFinished(key, config, result, backend.info),
    });
  }
  for (const [k, run] of single.entries()) {
    if (o.signal?.aborted) return;
    const trainer = await backend.create(run.c);
    try {
      if (k === 0) o.onPhase(`backend: ${trainer.backend.name}${softwareNote(trainer.backend)}, one run at a time`);
      const result = await trainer.run({ signal: o.signal });
      if (o.signal?.aborted && result.outcome === 'stopped') return;
      // trainer.config: the rates measured at initialization, not the rough estimate.
      o.onFinished(run.key, trainer.config, result, trainer.backend, run.tensors ? await trainer.readTensors() : undefined);
    } finally {
      trainer.dispose();
    }
  }
}
