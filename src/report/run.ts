// Runs a suite on one backend: every distinct run once, in suite order, keeping each run's
// logged rows beside the sweep record (outcome, steps to eps, final metrics, measured rates).
import { resolveConfig } from '../config/resolve';
import { ConfigError, buildConfig, type Config } from '../config/schema';
import type { Backend } from '../train/backend';
import { toRecord, type SweepRecord } from '../sweep/record';
import type { Row } from '../model/metrics';
import { softwareNote, type BackendInfo } from '../model/engine';
import { distinctRuns, ratesFor, type PlannedRun, type Suite } from './suite';

export interface SuiteRecord extends SweepRecord {
  rows: Row[];
}

export interface SuiteResult {
  suite: Suite;
  backend: BackendInfo;
  /** By planned run id. */
  records: Map<string, SuiteRecord>;
  startedAt: Date;
  wallSeconds: number;
}

function outcomeText(r: SweepRecord): string {
  return r.converged ? `converged at step ${r.steps_to_eps}`
    : r.outcome === 'diverged' ? `diverged at step ${r.steps_done}`
    : `L/L0 = ${r.final.loss_ratio.toPrecision(3)} after ${r.steps_done} steps`;
}

export async function runSuite(suite: Suite, backend: Backend, log: (line: string) => void): Promise<SuiteResult> {
  const runs = distinctRuns(suite);
  // Derived ratio runs share their base's n, d, m: checking the planned settings covers them.
  for (const run of runs) {
    try {
      backend.check(resolveConfig(run.settings));
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.key, `suite ${suite.size}, m = ${run.settings.m}: ${e.message}`);
      throw e;
    }
  }
  const records = new Map<string, SuiteRecord>();
  const startedAt = new Date();
  const t0 = performance.now();
  let info: BackendInfo | null = null;
  for (const [k, run] of runs.entries()) {
    const settings = settingsOf(run, records);
    const trainer = await backend.create(resolveConfig(settings));
    try {
      if (!info) {
        info = trainer.backend;
        log(`backend: ${info.name}${softwareNote(info)}`);
      }
      const result = await trainer.run();
      // trainer.config: the rates measured at initialization, not the rough estimate.
      const record = { ...toRecord(run.id, settings, trainer.config, result, trainer.backend), rows: result.rows };
      records.set(run.id, record);
      const elapsed = (performance.now() - t0) / 1000;
      log(`[${k + 1}/${runs.length}] m=${settings.m} seed=${settings.seed}${tag(run)}: ${outcomeText(record)}, ${record.wall_seconds.toFixed(1)} s (${elapsed.toFixed(0)} s in all)`);
    } finally {
      trainer.dispose();
    }
  }
  return { suite, backend: info!, records, startedAt, wallSeconds: (performance.now() - t0) / 1000 };
}

/** The settings a run trains with: a derived ratio run scales its base run's measured auto rates. */
function settingsOf(run: PlannedRun, records: ReadonlyMap<string, SuiteRecord>): Config {
  if (run.baseId === undefined || run.rates?.kind !== 'ratio') return run.settings;
  const base = records.get(run.baseId);
  if (!base) throw new Error(`rate sweep: the base run of ${run.id} has not run`);
  return buildConfig({ ...run.settings, ...ratesFor(base.config, run.rates.factor) });
}

function tag(run: PlannedRun): string {
  const s = run.settings;
  if (run.rates?.kind === 'preset') return ` ${run.rates.preset}`;
  if (run.rates?.kind === 'ratio' && run.rates.factor !== 1) return ` etaW/etaA ×${run.rates.factor}`;
  return (s.spectrum ? ' spectrum' : '') + (s.linearized ? ` linearized labels=${s.labels.kind}` : '');
}
