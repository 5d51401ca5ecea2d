// The one run loop: which steps are logged, how many steps go into a submit, the spectrum at
// logged steps, the closing record, pause and resume, and the outcome — for every engine.
import type { Resolved } from '../config/resolve';
import { HALT } from '../model/constants';
import type { Engine, Readback } from '../model/engine';
import { NO_INSTRUMENTS, type Row } from '../model/metrics';
import { instrumentRows, spectrum, suggestedRates, type Prepared, type Suggestion } from './instruments';
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
  /** Rates to retry with, after a divergence. */
  suggested?: Suggestion;
}

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
  /** λ_min, λ_max of H_t at the logged steps where they were measured (--spectrum). */
  readonly spectra = new Map<number, Awaited<ReturnType<typeof spectrum>>>();

  constructor(readonly c: Resolved, readonly prediction: Prepared['prediction']) {}

  /** The steps to log from here: a resumed run does not log its pause's record again. */
  loggedSteps(): Set<number> {
    const T = this.c.steps;
    return new Set(loggedSteps(T, this.c.logEvery, this.c.logPerDecade).filter((t) => t < T && t !== this.lastRecorded));
  }

  /** Takes an engine's report: its rows, with the instruments' columns, go to the run's list and to `onRow`. */
  keep(r: Readback, onRow?: (row: Row) => void): void {
    this.last = r;
    const rows: Row[] = r.rows.map((row) => ({ ...row, ...NO_INSTRUMENTS }));
    instrumentRows(rows, this.spectra, this.prediction);
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
    return {
      outcome,
      stepsDone: this.last.step,
      stepsToEps: this.last.epsStep,
      rows: this.rows.slice(),
      loss0: this.last.loss0,
      wallSeconds,
      stepsPerSecond: (this.last.step - firstStep) / Math.max(wallSeconds, 1e-9),
      ...(outcome === 'diverged' ? { suggested: suggestedRates(this.c) } : {}),
    };
  }
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
  /** The spectrum needs the state of its step: everything submitted must have run. */
  const measureSpectrum = async () => {
    await drain();
    if (!s.spectra.has(s.last.step)) s.spectra.set(s.last.step, await spectrum(c, engine.tangentProduct));
  };
  while (next < T && s.last.halt === HALT.running && !options.signal?.aborted) {
    if (c.spectrum && logged.has(next)) {
      await measureSpectrum();
      if (s.last.halt !== HALT.running) break;
    }
    const from = next;
    let planned = 0;
    // With --spectrum a submit ends before the next logged step.
    while (next < Math.min(T, from + stepsPerSubmit) && planned < engine.pace.maxRows && !(c.spectrum && next > from && logged.has(next))) {
      if (logged.has(next)) planned++;
      next++;
    }
    inflight.push({ promise: engine.submit(from, next - from, logged), steps: next - from });
    // Submits in flight keep the GPU busy while the host reads the older one.
    await takeUntil(engine.pace.inflight - 1);
  }
  await drain();
  if (c.spectrum) await measureSpectrum();
  // The closing record: the state the run stopped at (halted, paused, or at T).
  if (s.needsRecord) s.keepRecord(await engine.record(), options.onRow);
  return s.result(firstStep, (performance.now() - start) / 1000);
}
