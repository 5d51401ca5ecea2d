// Runs a suite on one backend: every distinct run once, keeping each run's logged rows (and the
// tensors where its experiment needs them) beside the sweep record. On the CPU reference the
// runs train on a pool of worker threads, on WebGPU on the batched engine where it takes them;
// derived rate-ratio runs go after the runs whose measured rates they scale.
import { resolveConfig } from '../config/resolve';
import { ConfigError, buildConfig, type Config } from '../config/schema';
import type { Backend } from '../train/backend';
import { trainMany } from '../train/many';
import { toRecord, type SweepRecord } from '../sweep/record';
import { poolAvailable, pooledPreparation, runPool, type Finished } from '../sweep/pool_node';
import type { BackendInfo } from '../model/engine';
import { distinctRuns, ratesFor, type PlannedRun, type Suite, type SuiteRecord, type SuiteResult } from './suite';

export type { SuiteRecord, SuiteResult } from './suite';

function outcomeText(r: SweepRecord): string {
  return r.converged ? `converged at step ${r.steps_to_eps}`
    : r.outcome === 'diverged' ? `diverged at step ${r.steps_done}`
    : `L/L0 = ${r.final.loss_ratio.toPrecision(3)} after ${r.steps_done} steps`;
}

export interface SuiteOptions {
  /** Threads of the CPU pool (1: one run after another). */
  workers?: number;
  /** Runs an earlier, interrupted suite finished (by id): not trained again. */
  kept?: ReadonlyMap<string, SuiteRecord>;
  /** Each run trained now, as it finishes (to be saved). */
  onRecord?: (r: SuiteRecord) => void;
  /** Stops the suite: runs in progress are dropped, and the result says `interrupted`. */
  signal?: AbortSignal;
}

export async function runSuite(suite: Suite, backend: Backend, log: (line: string) => void, o: SuiteOptions = {}): Promise<SuiteResult> {
  const { workers = 1, kept = new Map(), signal = new AbortController().signal } = o;
  const runs = distinctRuns(suite);
  // Derived ratio runs share their base's n, d, m: checking the planned settings covers them.
  for (const run of runs) {
    try {
      backend.check(resolveConfig(run.settings));
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.key, `suite ${suite.size}, n = ${run.settings.n}, m = ${run.settings.m}: ${e.message}`);
      throw e;
    }
  }
  const pooled = backend.info.kind === 'cpu' && workers > 1 && poolAvailable();
  const planned = new Set(runs.map((r) => r.id));
  const records = new Map<string, SuiteRecord>([...kept].filter(([id]) => planned.has(id)));
  const resumed = records.size;
  if (resumed > 0) log(`experiments: ${resumed} of ${runs.length} runs were kept by an earlier, interrupted suite; ${runs.length - resumed} to train`);
  const startedAt = new Date();
  const t0 = performance.now();
  // The backend the runs report (a WebGPU trainer's adapter), for the report's header.
  let info: BackendInfo | null = pooled ? backend.info : null;
  if (pooled) log(`backend: ${backend.info.name}, ${Math.min(workers, runs.length)} worker threads`);
  const done = ({ record, rows, tensors }: Finished, run: PlannedRun) => {
    const kept: SuiteRecord = { ...record, rows: rows ?? [], ...(tensors ? { tensors } : {}) };
    records.set(run.id, kept);
    o.onRecord?.(kept);
    const s = record.settings;
    const elapsed = (performance.now() - t0) / 1000;
    log(`[${records.size}/${runs.length}] n=${s.n} d=${s.d} m=${s.m} seed=${s.seed}${tag(run, suite.params.rateFactor)}: ${outcomeText(record)}, ${record.wall_seconds.toFixed(1)} s (${elapsed.toFixed(0)} s in all)`);
  };
  // Independent runs first, then the ratio runs that scale their rates.
  const first = runs.filter((r) => r.baseId === undefined);
  const derived = () => runs.filter((r) => r.baseId !== undefined).map((r) => ({ ...r, settings: settingsOf(r, records) }));
  for (const batch of [() => first, derived]) {
    if (signal.aborted) break;
    const todo = batch().filter((r) => !records.has(r.id));
    if (pooled) await runPool(todo, workers, done, signal);
    else {
      // WebGPU (or the CPU reference on one thread): the batched engine takes what it can.
      const byId = new Map(todo.map((r) => [r.id, r]));
      await trainMany(backend, todo.map((r) => ({ key: r.id, c: resolveConfig(r.settings), tensors: r.keep.tensors })), {
        batch: 'auto',
        signal,
        onPhase: log,
        prepare: pooledPreparation(workers),
        onFinished: (id, config, result, b, tensors) => {
          info ??= b;
          const run = byId.get(id)!;
          done({ record: toRecord(run.id, run.settings, config, result, b), rows: result.rows, ...(tensors ? { tensors } : {}) }, run);
        },
      });
    }
  }
  return {
    suite, backend: info ?? backend.info, records, resumed, interrupted: signal.aborted && records.size < runs.length,
    startedAt, wallSeconds: (performance.now() - t0) / 1000, workers: pooled ? workers : 1,
  };
}

/** The settings a run trains with: a derived ratio run scales its base run's measured auto rates. */
function settingsOf(run: PlannedRun, records: ReadonlyMap<string, SuiteRecord>): Config {
  if (run.baseId === undefined || run.rates?.kind !== 'ratio') return run.settings;
  const base = records.get(run.baseId);
  if (!base) throw new Error(`rate sweep: the base run of ${run.id} has not run`);
  return buildConfig({ ...run.settings, ...ratesFor(base.config, run.rates.factor) });
}

function tag(run: PlannedRun, c: number): string {
  const s = run.settings;
  if (run.rates?.kind === 'preset') return ` ${run.rates.preset}`;
  if (run.rates?.kind === 'ratio' && run.rates.factor !== 1) return ` etaW/etaA ×${run.rates.factor}`;
  return (s.rateFactor !== c ? ` c=${s.rateFactor}` : '') + (s.labels.kind !== 'sign' ? ` labels=${s.labels.kind}` : '') + (s.linearized ? ' linearized' : '');
}
