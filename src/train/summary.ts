// The end-of-run summary: one object for summary.json / --json, and its table form.
import type { Resolved } from '../config/resolve';
import { formatValue } from '../config/schema';
import { EDGE_OF_STABILITY, EDGE_OF_STABILITY_WARNING, type Row } from '../model/metrics';
import { softwareNote, type BackendInfo } from '../model/engine';
import type { Suggestion } from './instruments';
import type { RunResult, Trainer } from '../train/trainer';

export interface Summary {
  outcome: RunResult['outcome'];
  steps_done: number;
  steps_to_eps: number | null;
  eps: number;
  loss0: number;
  final: Row;
  /** Allocation, shaders and initialization's measurements (automatic rates, H_0), before the first step. */
  setup_seconds: number;
  /** Training alone. */
  wall_seconds: number;
  steps_per_second: number;
  backend: BackendInfo;
  memory_bytes: number;
  params_over_samples: number;
  /** The largest logged `sharpness` (λ_max(H_t), stability monitor), null with the monitor off. */
  peak_sharpness: number | null;
  /** The largest logged `conserved_drift`. */
  max_conserved_drift: number | null;
  /** Whether the budget was enough (RunResult.budget), and the loss slope over the last logged decade it is judged by. */
  budget: RunResult['budget'];
  loss_slope: number | null;
  suggested?: Suggestion;
}

export function summarize(c: Resolved, result: RunResult, t: Pick<Trainer, 'backend' | 'memoryBytes' | 'setupSeconds'>): Summary {
  const final = result.rows[result.rows.length - 1];
  return {
    outcome: result.outcome,
    steps_done: result.stepsDone,
    steps_to_eps: result.stepsToEps,
    eps: c.eps,
    loss0: result.loss0,
    final,
    setup_seconds: t.setupSeconds,
    wall_seconds: result.wallSeconds,
    steps_per_second: result.stepsPerSecond,
    backend: t.backend,
    memory_bytes: t.memoryBytes,
    params_over_samples: (c.m * c.d) / c.n,
    peak_sharpness: result.peakSharpness,
    max_conserved_drift: result.maxConservedDrift,
    budget: result.budget,
    loss_slope: result.lossSlope,
    ...(result.suggested ? { suggested: result.suggested } : {}),
  };
}

/** A rate as a user would type it: 3 significant digits, no trailing zeros. */
const short = (x: number) => String(Number(x.toPrecision(3)));
const g = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

/** Why the suggested rates: the sharpness they were scaled from, and where it was found. */
function advice(a: Suggestion): string {
  return `λ_max(H) ≤ ${g(a.lambdaMax)} at ${a.from}; each trained layer's rate at most halved and at most an equal share of ${short(a.target)} bring it to ≤ ${short(a.bound)} (stable below 2)`;
}

/** The stability monitor's warning for a row at or past the edge of stability, else null: said once per run, at the first such row. */
export function stabilityWarning(row: Pick<Row, 'step' | 'sharpness'>): string | null {
  return row.sharpness >= EDGE_OF_STABILITY
    ? `${EDGE_OF_STABILITY_WARNING} (sharpness λ_max(H_t) = ${g(row.sharpness)} ≥ ${EDGE_OF_STABILITY} at step ${row.step}; a smaller --rate-factor or smaller rates keep it below)`
    : null;
}

/** The summary's stability line: the peak sharpness against the edge, and the largest conserved drift. */
function stabilityLine(s: Summary): string {
  const drift = `max conserved drift ${s.max_conserved_drift === null ? '—' : g(s.max_conserved_drift)}`;
  if (s.peak_sharpness === null) return `sharpness not monitored (--sharpness-products 0)  ${drift}`;
  const edge = s.peak_sharpness >= EDGE_OF_STABILITY ? `≥ ${EDGE_OF_STABILITY}: ${EDGE_OF_STABILITY_WARNING}` : `< ${EDGE_OF_STABILITY}, stable`;
  return `peak sharpness ${g(s.peak_sharpness)} (${edge})  ${drift}`;
}

/**
 * What became of the run, in words. With --stop-at-eps false a run that reached eps runs on
 * to its budget: the line says where it reached eps and whether it ended below or back above.
 */
export function outcomeLine(c: Pick<Resolved, 'eps'>, s: Pick<Summary, 'outcome' | 'steps_done' | 'steps_to_eps' | 'final' | 'suggested' | 'budget' | 'loss_slope'>): string {
  const ratio = `L/L0 = ${g(s.final.loss_ratio)}`;
  const reached = s.steps_to_eps === null ? '' : `L/L0 < eps = ${c.eps} at step ${s.steps_to_eps}`;
  switch (s.outcome) {
    case 'converged':
      return `converged at step ${s.steps_done} (L/L0 < eps = ${c.eps})`;
    case 'diverged':
      return `DIVERGED at step ${s.steps_done}${reached && ` (after ${reached})`}; retry with --eta-w ${short(s.suggested!.etaW)} --eta-a ${short(s.suggested!.etaA)}`;
    case 'stopped':
    case 'interrupted':
      return `${s.outcome} at step ${s.steps_done} (${ratio}${reached && `; ${reached}`})`;
    case 'max_steps':
      if (!reached) {
        const trend = s.loss_slope === null ? '' : ` (log10 L changed by ${g(s.loss_slope)} per decade of steps over the last decade)`;
        const verdict = s.budget === 'still_descending' ? `ran out of steps while still descending${trend}: a larger --steps may reach eps` : `stalled${trend}`;
        return `not converged after ${s.steps_done} steps (${ratio}, eps = ${c.eps}): ${verdict}`;
      }
      return `${reached}; ran on (stop-at-eps false) to step ${s.steps_done}, ending ${s.final.loss_ratio < c.eps ? 'below' : 'back above'} eps at ${ratio}`;
  }
}

export function summaryTable(c: Resolved, s: Summary): string {
  const f = s.final;
  const rows: [string, string][] = [
    ['preset', c.preset],
    ['backend', `${s.backend.name}${softwareNote(s.backend)}`],
    ['problem', `n=${c.n} d=${c.d} m=${c.m}  m·d/n=${g(s.params_over_samples)}  labels=${formatValue('labels', c.labels)} data=${c.data}`],
    ['model', `${c.param} parametrization, κ=${g(c.outputScale)}, output init ${c.outputInit}, seed ${c.seed}`],
    ['rates', `etaW=${g(c.etaW)} (${c.rateRule.etaW})  etaA=${g(c.etaA)} (${c.rateRule.etaA})`],
    ['outcome', outcomeLine(c, s)],
    ['loss', `L0=${g(s.loss0)}  L=${g(f.loss)}  L/L0=${g(f.loss_ratio)}  L/n=${g(f.loss_per_n)}`],
    ['movement', `‖W−W0‖/‖W0‖=${g(f.rel_move_w)}  ‖a−a0‖/‖a0‖=${g(f.rel_move_a)}  max neuron=${g(f.max_neuron_move)}`],
    ['stability', stabilityLine(s)],
    ['activations', `flipped=${g(f.flip_frac)}  dead=${g(f.dead_frac)}  ‖∇‖=${g(f.grad_norm)}`],
    ...(s.suggested ? [['advice', advice(s.suggested)] as [string, string]] : []),
    ['speed', `${s.steps_done} steps in ${s.wall_seconds.toFixed(2)} s (${g(s.steps_per_second)} steps/s) after ${s.setup_seconds.toFixed(2)} s of setup, ${(s.memory_bytes / 2 ** 20).toFixed(1)} MiB`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n');
}
