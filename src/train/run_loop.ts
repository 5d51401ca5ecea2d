// The one run loop: which steps are logged, how many steps go into a submit, the spectrum at
// logged steps, the closing record, pause and resume, and the outcome — for every engine.
import type { Resolved } from '../config/resolve';
import { HALT } from '../model/constants';
import type { Engine, Readback, TangentProduct } from '../model/engine';
import { NO_INSTRUMENTS, type Row } from '../model/metrics';
import { instrumentRows, monitorSharpness, spectrum, suggestedRates, type Measured, type Prepared, type Suggestion } from './instruments';
import { loggedSteps } from './plan';

export interface Progress {
  step: number;
  loss: number;
  lossRatio: number;
  stepsPerSecond: number;
  etaSeconds: number;
}

/** `stopped`: by its caller (the page's pause), and resumable; `interrupted`: the command line's, by a signal. */
export type Outcome = 'converged' | 'max_steps' | 'diverged' | 'stopped' | 'interrupted';

export interface RunResult {
  outcome: Outcome;
  /** Updates applied; the final row describes the state after them. */
  stepsDone: number;
  /** The first step whose loss was below eps·L0, or null. */
  stepsToEps: number | null;
  /** Every row logged so far (a resumed run continues the list). */
  rows: Row[];
  loss0: number;
  wallSeconds: number;
  stepsPerSecond: number;
  /** The largest `sharpness` over the logged rows (the stability monitor), null where none was measured. */
  peakSharpness: number | null;
  /** The largest `conserved_drift` over the logged rows, null where none is finite. */
  maxConservedDrift: number | null;
  /** The least-squares slope of log10 L against log10(t + 1) over the last logged decade of steps, null with one row. */
  lossSlope: number | null;
  /** Whether the budget was enough: see budgetOf. */
  budget: Budget;
  /** Rates to retry with, after a divergence. */
  suggested?: Suggestion;
}

/**
 * What the step budget did for the run: `reached_eps` (L/L0 < eps at some step), or, for a run
 * that did not: `diverged`, `stopped` (by its caller or a signal), or, out of steps,
 * `still_descending` (the loss fell by at least stallSlope decades per decade of steps over the
 * last logged decade: a larger budget may reach eps) or `stalled`.
 */
export type Budget = 'reached_eps' | 'still_descending' | 'stalled' | 'diverged' | 'stopped';

export interface RunOptions {
  onRow?: (row: Row) => void;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Steps per submit are sized so that one submit holds about this much work. */
export const TARGET_SUBMIT_SECONDS = 0.1;

/** What a run keeps across run() calls, so that it can resume. */
export class RunState {
  readonly rows: Row[] = [];
  /** What the engine last reported. */
  last: Readback = { step: 0, halt: HALT.running, epsStep: null, loss: NaN, loss0: NaN, rows: [] };
  /** The step of the last closing record (a paused run's), which a resumed run does not log again. */
  lastRecorded = -1;
  /** What was measured at logged steps: λ_min, λ_max of H_t (--spectrum), the stability monitor's sharpness. */
  readonly measured = new Map<number, Measured>();
  /** The steps measure() has measured. */
  private readonly measuredAt = new Set<number>();
  /**
   * The stability monitor's warm start: the top Ritz vector of its last measurement. Kept per
   * run, so that any engine (one run per engine, or many runs on one) that supplies the run's
   * tangent product can measure it.
   */
  sharpnessStart: Float64Array | null = null;

  /** Every step the plan logs, from 0 to the budget. */
  private readonly planned: Set<number>;

  constructor(readonly c: Resolved, readonly prediction: Prepared['prediction']) {
    this.planned = new Set(loggedSteps(c.steps, c.logEvery, c.logPerDecade));
  }

  /** Whether logged steps are measured: a submit then ends before each, since a measurement needs its step's state. */
  get measures(): boolean {
    return this.c.spectrum || this.c.sharpnessProducts > 0;
  }

  /**
   * Measures the run's current state, once per step, with `product` = H v at that state:
   * everything submitted must have run. Only reads the state: the trajectory is the same
   * with or without it. A diverged state is not monitored (its products may overflow).
   * `monitor`: whether the stability monitor measures here too (the batched engine's runs are
   * monitored by their workgroups, whose sharpness comes with their rows: record()).
   */
  async measure(product: TangentProduct, monitor = true): Promise<void> {
    const step = this.last.step;
    const sharpness = monitor && this.c.sharpnessProducts > 0;
    if (!(this.c.spectrum || sharpness) || this.measuredAt.has(step)) return;
    this.measuredAt.add(step);
    const m: Measured = this.c.spectrum ? await spectrum(this.c, product) : {};
    if (sharpness && this.last.halt !== HALT.diverged) {
      const r = await monitorSharpness(this.c, product, this.sharpnessStart);
      m.sharpness = r.sharpness;
      // Only the plan's steps carry the warm start on: a pause's record then leaves a resumed run's values as an uninterrupted run's.
      if (this.planned.has(step)) this.sharpnessStart = r.start;
    }
    this.record(step, m);
  }

  /** Values measured at `step`, for its row (and a row logged again there, a resumed run's). */
  record(step: number, m: Measured): void {
    this.measured.set(step, { ...this.measured.get(step), ...m });
  }

  /** The steps to log from here: a resumed run does not log its pause's record again. */
  loggedSteps(): Set<number> {
    return new Set([...this.planned].filter((t) => t < this.c.steps && t !== this.lastRecorded));
  }

  /** Takes an engine's report: its rows, with the instruments' columns, go to the run's list and to `onRow`. */
  keep(r: Readback, onRow?: (row: Row) => void): void {
    this.last = r;
    const rows: Row[] = r.rows.map((row) => ({ ...row, ...NO_INSTRUMENTS }));
    instrumentRows(rows, this.measured, this.prediction);
    for (const row of rows) {
      this.rows.push(row);
      onRow?.(row);
    }
  }

  /** Whether the run still needs its closing record (the state it stopped at). */
  get needsRecord(): boolean {
    return this.lastRecorded !== this.last.step;
  }

  /** Takes the closing record's report. */
  keepRecord(r: Readback, onRow?: (row: Row) => void): void {
    this.keep(r, onRow);
    this.lastRecorded = r.step;
  }

  /** The run's result after a call to run() that began at step `firstStep` and took `wallSeconds`. */
  result(firstStep: number, wallSeconds: number): RunResult {
    const outcome = outcomeOf(this.last.halt, this.last.step < this.c.steps);
    const slope = lastDecadeSlope(this.rows);
    return {
      outcome,
      stepsDone: this.last.step,
      stepsToEps: this.last.epsStep,
      rows: this.rows.slice(),
      loss0: this.last.loss0,
      wallSeconds,
      stepsPerSecond: (this.last.step - firstStep) / Math.max(wallSeconds, 1e-9),
      peakSharpness: largest(this.rows.map((r) => r.sharpness)),
      lossSlope: slope,
      budget: budgetOf(outcome, this.last.epsStep !== null, slope, this.c.stallSlope),
      maxConservedDrift: largest(this.rows.map((r) => r.conserved_drift)),
      ...(outcome === 'diverged' ? { suggested: suggestedRates(this.c) } : {}),
    };
  }
}

/** The slope of log10 L against log10(t + 1) by least squares over the rows of the last decade of steps (t ≥ last/10). */
export function lastDecadeSlope(rows: readonly Pick<Row, 'step' | 'loss'>[]): number | null {
  const last = rows.at(-1)?.step ?? 0;
  const points = rows.filter((r) => r.step >= last / 10 && r.loss > 0 && Number.isFinite(r.loss)).map((r) => [Math.log10(r.step + 1), Math.log10(r.loss)]);
  if (new Set(points.map(([x]) => x)).size < 2) return null;
  const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

/** The budget's verdict (see Budget); a run with no slope (one row) that ran out of steps counts as stalled. */
export function budgetOf(outcome: Outcome, reachedEps: boolean, slope: number | null, stallSlope: number): Budget {
  if (reachedEps && outcome !== 'diverged') return 'reached_eps';
  if (outcome === 'diverged') return 'diverged';
  if (outcome === 'stopped' || outcome === 'interrupted') return 'stopped';
  return slope !== null && slope <= -stallSlope ? 'still_descending' : 'stalled';
}

/** The largest finite value, or null where there is none (a column not measured). */
function largest(values: number[]): number | null {
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? Math.max(...finite) : null;
}

/** The outcome of a finished run from its halt code and its step budget. */
export function outcomeOf(halt: number, stopped: boolean): Outcome {
  if (halt === HALT.converged) return 'converged';
  if (halt === HALT.diverged) return 'diverged';
  return stopped ? 'stopped' : 'max_steps';
}

/** Trains from where `s` stands until the step budget, a halt, or options.signal. */
export async function runLoop(engine: Engine, s: RunState, options: RunOptions): Promise<RunResult> {
  const { c } = s;
  const T = c.steps;
  const logged = s.loggedSteps();
  const start = performance.now();
  const firstStep = s.last.step;
  let lastDone = start;
  let stepsPerSubmit = 4;
  let next = s.last.step;
  const inflight: { promise: Promise<Readback>; steps: number }[] = [];
  const take = async () => {
    const { promise, steps } = inflight.shift()!;
    s.keep(await promise, options.onRow);
    const now = performance.now();
    const rate = steps / Math.max((now - lastDone) / 1000, 1e-6);
    lastDone = now;
    stepsPerSubmit = Math.max(1, Math.min(engine.pace.maxSteps, Math.round(rate * TARGET_SUBMIT_SECONDS)));
    const overall = (s.last.step - firstStep) / ((now - start) / 1000);
    options.onProgress?.({
      step: s.last.step, loss: s.last.loss, lossRatio: s.last.loss / s.last.loss0, stepsPerSecond: overall,
      etaSeconds: (T - s.last.step) / overall,
    });
  };
  /** Takes readbacks until at most `keepInFlight` remain. */
  const takeUntil = async (keepInFlight: number) => {
    try {
      while (inflight.length > keepInFlight) await take();
    } catch (e) {
      // Settle the other readbacks too, so that none rejects unobserved after this one.
      await Promise.allSettled(inflight.splice(0).map((x) => x.promise));
      throw e;
    }
  };
  const drain = () => takeUntil(0);
  /** A measurement needs the state of its step: everything submitted must have run. */
  const measure = async () => {
    await drain();
    await s.measure(engine.tangentProduct);
  };
  while (next < T && s.last.halt === HALT.running && !options.signal?.aborted) {
    if (s.measures && logged.has(next)) {
      await measure();
      if (s.last.halt !== HALT.running) break;
    }
    const from = next;
    let planned = 0;
    // Where logged steps are measured, a submit ends before the next one.
    while (next < Math.min(T, from + stepsPerSubmit) && planned < engine.pace.maxRows && !(s.measures && next > from && logged.has(next))) {
      if (logged.has(next)) planned++;
      next++;
    }
    inflight.push({ promise: engine.submit(from, next - from, logged), steps: next - from });
    // Submits in flight keep the GPU busy while the host reads the older one.
    await takeUntil(engine.pace.inflight - 1);
  }
  await measure();
  // The closing record: the state the run stopped at (halted, paused, or at T).
  if (s.needsRecord) s.keepRecord(await engine.record(), options.onRow);
  return s.result(firstStep, (performance.now() - start) / 1000);
}
