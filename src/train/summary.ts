// The end-of-run summary: one object for summary.json / --json, and its table form.
import type { Resolved } from '../config/resolve';
import { formatValue } from '../config/schema';
import type { Row } from '../model/metrics';
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

export function summaryTable(c: Resolved, s: Summary): string {
  const f = s.final;
  const outcome =
    s.outcome === 'converged' ? `converged at step ${s.steps_done} (L/L0 < eps = ${c.eps})`
    : s.outcome === 'diverged' ? `DIVERGED at step ${s.steps_done}; retry with --eta-w ${short(s.suggested!.etaW)} --eta-a ${short(s.suggested!.etaA)}`
    : s.outcome === 'stopped' || s.outcome === 'interrupted' ? `${s.outcome} at step ${s.steps_done}`
    : s.steps_to_eps !== null ? `reached L/L0 < eps = ${c.eps} at step ${s.steps_to_eps}, then ran on to step ${s.steps_done} (stop-at-eps false; L/L0 = ${g(f.loss_ratio)})`
    : `not converged after ${s.steps_done} steps (L/L0 = ${g(f.loss_ratio)}, eps = ${c.eps})`;
  const rows: [string, string][] = [
    ['preset', c.preset],
    ['backend', `${s.backend.name}${softwareNote(s.backend)}`],
    ['problem', `n=${c.n} d=${c.d} m=${c.m}  m·d/n=${g(s.params_over_samples)}  labels=${formatValue('labels', c.labels)} data=${c.data}`],
    ['model', `${c.param} parametrization, κ=${g(c.outputScale)}, output init ${c.outputInit}, seed ${c.seed}`],
    ['rates', `etaW=${g(c.etaW)} (${c.rateRule.etaW})  etaA=${g(c.etaA)} (${c.rateRule.etaA})`],
    ['outcome', outcome],
    ['loss', `L0=${g(s.loss0)}  L=${g(f.loss)}  L/L0=${g(f.loss_ratio)}  L/n=${g(f.loss_per_n)}`],
    ['movement', `‖W−W0‖/‖W0‖=${g(f.rel_move_w)}  ‖a−a0‖/‖a0‖=${g(f.rel_move_a)}  max neuron=${g(f.max_neuron_move)}`],
    ['activations', `flipped=${g(f.flip_frac)}  dead=${g(f.dead_frac)}  ‖∇‖=${g(f.grad_norm)}`],
    ...(s.suggested ? [['advice', advice(s.suggested)] as [string, string]] : []),
    ['speed', `${s.steps_done} steps in ${s.wall_seconds.toFixed(2)} s (${g(s.steps_per_second)} steps/s) after ${s.setup_seconds.toFixed(2)} s of setup, ${(s.memory_bytes / 2 ** 20).toFixed(1)} MiB`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n');
}
