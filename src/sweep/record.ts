// One finished run of a sweep, as a line of its JSON lines file (src/sweep/records.ts).
import type { Resolved } from '../config/resolve';
import type { Config } from '../config/schema';
import type { BackendInfo } from '../model/engine';
import type { Row } from '../model/metrics';
import type { Outcome, RunResult } from '../train/trainer';

/** One line of a sweep file. JSON has no Infinity or NaN: a diverged run's non-finite metrics read back as null. */
export interface SweepRecord {
  id: string;
  /** The config as asked for (rates may be `auto`): what the id names and what summaries group by. */
  settings: Config;
  /** The resolved config: the numbers the run used. */
  config: Resolved;
  outcome: Outcome;
  converged: boolean;
  steps_done: number;
  steps_to_eps: number | null;
  loss0: number;
  final: Row;
  /** As in summary.json: the largest logged sharpness and conserved drift (null where none was measured). */
  peak_sharpness: number | null;
  max_conserved_drift: number | null;
  /** As in summary.json: whether the budget was enough (reached_eps, still_descending, stalled, diverged, stopped), and the slope it is judged by. */
  budget: RunResult['budget'];
  loss_slope: number | null;
  wall_seconds: number;
  backend: BackendInfo;
}

export function toRecord(id: string, settings: Config, config: Resolved, result: RunResult, backend: BackendInfo): SweepRecord {
  return {
    id,
    settings,
    config,
    outcome: result.outcome,
    // L/L0 < eps was reached and the run did not blow up afterwards (with stopAtEps = false it goes on).
    converged: result.stepsToEps !== null && result.outcome !== 'diverged',
    steps_done: result.stepsDone,
    steps_to_eps: result.stepsToEps,
    loss0: result.loss0,
    final: result.rows[result.rows.length - 1],
    peak_sharpness: result.peakSharpness,
    max_conserved_drift: result.maxConservedDrift,
    budget: result.budget,
    loss_slope: result.lossSlope,
    wall_seconds: result.wallSeconds,
    backend,
  };
}
