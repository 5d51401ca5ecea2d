// Many runs at once on the batched WebGPU engine (src/gpu/batch.ts): each run is prepared as
// a single run is (rates, labels and H_0 fixed at initialization, here on the float64
// reference), packed into batches, and kept by the same RunState as the one run loop's, so
// that its rows, closing record and outcome are the single-run engine's. On the resident
// schedule the stability monitor runs inside each run's workgroup and only --spectrum takes
// products from the host; on the spread schedule both take them from the host.
import type { Resolved } from '../config/resolve';
import { batchRuns, batchWorkgroup, createBatchEngine, packBatches, type BatchEngine, type BatchMember, type BatchReadback } from '../gpu/batch';
import type { BackendInfo, TangentProduct } from '../model/engine';
import type { Row } from '../model/metrics';
import { createCpuEngine } from '../reference/engine';
import { prepare, type Prepared, type SetupEvent } from './instruments';
import { RunState, TARGET_SUBMIT_SECONDS, type RunResult } from './run_loop';

/** The most steps one submit applies to each run. */
const MAX_STEPS_PER_SUBMIT = 4096;

export interface BatchOptions<K> {
  /** Most runs per batch (auto: src/gpu/batch.ts batchRuns, within the device's binding limit). */
  maxRuns?: number;
  /** Most steps per submit (submits are sized to about TARGET_SUBMIT_SECONDS below it). */
  maxStepsPerSubmit?: number;
  /** Invocations per run (default: the adapter's, src/gpu/batch.ts batchWorkgroup). */
  workgroup?: number;
  /** The most monitor products per dispatch (default: src/gpu/batch.ts monitorChunk's; a test asks for fewer). */
  monitorChunk?: number;
  signal?: AbortSignal;
  /** Each run as it finishes: its final config (measured rates) and result. */
  onFinished(key: K, config: Resolved, result: RunResult): void;
  /** What the batches are doing, a line at a time. */
  onPhase?(line: string): void;
  /** Makes the runs' initializations (default: one after another on this thread; the CLI uses its worker threads). */
  prepare?: (configs: readonly Resolved[]) => Promise<PreparedRun[]>;
}

/** What a caller of runBatchLoop may watch (the page draws each run's rows as they come, and holds a paused batch). */
export interface BatchLoopHooks {
  /** Each row of run `i` as it is kept, its closing record last. */
  onRow?(i: number, row: Row): void;
  /** After each submit's rows and finished runs are kept: the loop waits for what it returns. */
  afterSubmit?(): void | Promise<void>;
}

/** The index of the first element of increasing `a` that is ≥ x. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per-run tangent products (at each run's own rates) whose calls, made in the same turn of the
 * event loop, run as one dispatch: the runs' spectra step through their Lanczos iterations
 * together.
 */
function pooledProducts(engine: BatchEngine, states: readonly RunState[]): (run: number) => TangentProduct {
  let pending: { run: number; v: Float64Array; resolve: (hv: Float64Array) => void; reject: (e: unknown) => void }[] = [];
  const flush = async () => {
    const calls = pending;
    pending = [];
    try {
      const out = await engine.tangentProducts(calls);
      calls.forEach((call, k) => call.resolve(out[k]));
    } catch (e) {
      calls.forEach((call) => call.reject(e));
    }
  };
  return (run) => (v, etaW, etaA) => {
    const { c } = states[run];
    if (etaW !== c.etaW || etaA !== c.etaA) return Promise.reject(new Error('the batched engine takes H v at each run\'s own rates only'));
    return new Promise((resolve, reject) => {
      // After the other runs' calls of this turn: a macrotask.
      if (pending.length === 0) setTimeout(flush, 0);
      pending.push({ run, v, resolve, reject });
    });
  };
}

/**
 * Trains the runs of one batch from step 0 until each has its closing record or `signal`
 * aborts (runs not finished by then are dropped). Running runs move in lockstep: a submit
 * applies the same steps to each, as many as keep every run's logged rows within the engine's
 * row capacity and the submit near TARGET_SUBMIT_SECONDS, and ends before a logged step where
 * a run is measured on the host (--spectrum, and the monitor on the spread schedule:
 * RunState.measure), as the one run loop's submits do. Where the engine monitors on the
 * device, the sharpness comes with the rows.
 */
export async function runBatchLoop(
  engine: BatchEngine, states: readonly RunState[], schedules: readonly (readonly number[])[],
  onFinished: (i: number, result: RunResult) => void, signal?: AbortSignal, maxStepsPerSubmit = MAX_STEPS_PER_SUBMIT, hooks: BatchLoopHooks = {},
): Promise<void> {
  const start = performance.now();
  const done = states.map(() => false);
  const product = pooledProducts(engine, states);
  const device = engine.schedule === 'resident';
  const measure = (runs: readonly number[]) => Promise.all(runs.map((i) => states[i].measure(product(i), !device)));
  const hostMeasures = (i: number) => states[i].c.spectrum || (!device && states[i].c.sharpnessProducts > 0);
  const keep = (i: number, r: BatchReadback, rows: BatchReadback['rows'], record: boolean) => {
    if (device && states[i].c.sharpnessProducts > 0) for (const row of rows) states[i].record(row.step, { sharpness: row.sharpness });
    const take = { ...r, rows };
    if (record) states[i].keepRecord(take, onRow(i));
    else states[i].keep(take, onRow(i));
  };
  let left = states.length;
  let from = 0;
  let stepsPerSubmit = Math.min(4, maxStepsPerSubmit);
  const onRow = (i: number) => hooks.onRow && ((row: Row) => hooks.onRow!(i, row));
  while (left > 0 && !signal?.aborted) {
    let count = stepsPerSubmit;
    const measuredHere: number[] = [];
    schedules.forEach((steps, i) => {
      if (done[i]) return;
      const at = lowerBound(steps, from);
      if (hostMeasures(i) && steps[at] === from) measuredHere.push(i);
      // The closing record takes a row too: at most rowCap − 1 logged steps per submit.
      const rows = steps[at + engine.rowCap - 1];
      if (rows !== undefined) count = Math.min(count, rows - from);
      const next = steps[steps[at] === from ? at + 1 : at];
      if (hostMeasures(i) && next !== undefined) count = Math.min(count, next - from);
    });
    // Where batch_train stops for the monitor: the most logged steps after `from` of one run.
    const stops = Math.max(0, ...schedules.map((steps, i) => (!device || done[i] || states[i].c.sharpnessProducts === 0 ? 0 : lowerBound(steps, from + count) - lowerBound(steps, from + 1))));
    await measure(measuredHere);
    const t0 = performance.now();
    const reads = await engine.submit(count, stops);
    const now = performance.now();
    const finished: number[] = [];
    reads.forEach((r, i) => {
      if (done[i]) return;
      // Lockstep: a run still going has applied every step of the submit (else the rows and stops above were miscounted).
      if (!r.done && r.step !== from + count) throw new Error(`the batch lost its lockstep: run ${i} is at step ${r.step}, not ${from + count}`);
      if (!r.done) return keep(i, r, r.rows, false);
      keep(i, r, r.rows.slice(0, -1), false);
      finished.push(i);
    });
    // The closing record's state is frozen: its spectrum measured now, as the one run loop measures its last state.
    await measure(finished.filter(hostMeasures));
    for (const i of finished) {
      keep(i, reads[i], reads[i].rows.slice(-1), true);
      done[i] = true;
      left--;
      onFinished(i, states[i].result(0, (performance.now() - start) / 1000));
    }
    from += count;
    const rate = count / Math.max((now - t0) / 1000, 1e-6);
    stepsPerSubmit = Math.max(1, Math.min(maxStepsPerSubmit, Math.round(rate * TARGET_SUBMIT_SECONDS)));
    await hooks.afterSubmit?.();
  }
}

/** What a run's initialization fixes, in float64 on the reference: plain data, so that a worker thread can make it. */
export interface PreparedRun extends Prepared {
  /** X, the final labels, W0 and a0 as float32, in the layout users load. */
  tensors: BatchMember['tensors'];
}

/** A run's initial state and instruments, fixed on the float64 reference (as the single-run engines fix them on theirs). */
export async function prepareRun(given: Resolved, onSetup?: (e: SetupEvent) => void): Promise<PreparedRun> {
  const cpu = createCpuEngine(given);
  try {
    const { c, prediction } = await prepare(given, { product: cpu.tangentProduct, dense: cpu.denseKernel, setLabels: cpu.setLabels, residual0: cpu.residual0 }, onSetup);
    const { X, y, W0, a0 } = await cpu.readTensors();
    return { c, prediction, tensors: { X, y, W0, a0 } };
  } finally {
    cpu.dispose();
  }
}

/** Prepares runs one after another on this thread; `onSetup` hears each run's phases. */
export async function prepareHere(configs: readonly Resolved[], onSetup?: (e: SetupEvent, run: number) => void): Promise<PreparedRun[]> {
  const out: PreparedRun[] = [];
  for (const [i, c] of configs.entries()) out.push(await prepareRun(c, onSetup && ((e) => onSetup(e, i))));
  return out;
}

/** Each run's batch member and RunState, from its initialization (by default prepared here). */
export async function prepareBatch(configs: readonly Resolved[], prepareRuns: (cs: readonly Resolved[]) => Promise<PreparedRun[]> = prepareHere): Promise<{ members: BatchMember[]; states: RunState[] }> {
  const prepared = await prepareRuns(configs);
  const states = prepared.map((p) => new RunState(p.c, p.prediction));
  const members = prepared.map((p, k) => ({ c: p.c, tensors: p.tensors, logged: [...states[k].loggedSteps()].sort((a, b) => a - b) }));
  return { members, states };
}

/** Trains `runs` on the batched engine, batch after batch; each run's result goes to onFinished as it finishes. */
export async function trainBatches<K>(device: GPUDevice, backend: BackendInfo, runs: readonly { key: K; c: Resolved }[], o: BatchOptions<K>): Promise<void> {
  const batches = packBatches(runs, (r) => r.c, device.limits, o.workgroup ?? batchWorkgroup(backend), o.maxRuns ?? batchRuns(backend));
  const prepared = (b: number) => {
    o.onPhase?.(`batch ${b + 1}/${batches.length}: preparing ${batches[b].length} runs (initialization on the float64 reference)${b > 0 ? `, while batch ${b} trains` : ''}`);
    const p = prepareBatch(batches[b].map((r) => r.c), o.prepare);
    // Awaited below unless the batches stop first: its failure then is not an unhandled one.
    p.catch(() => {});
    return p;
  };
  let next = batches.length > 0 ? prepared(0) : null;
  for (const [b, batch] of batches.entries()) {
    if (o.signal?.aborted) return;
    const { members, states } = await next!;
    // The next batch's initialization overlaps this one's training.
    next = b + 1 < batches.length ? prepared(b + 1) : null;
    const engine = await createBatchEngine(device, backend, members, o.workgroup, o.monitorChunk);
    try {
      const spread = engine.schedule === 'spread' ? ', each step spread over many workgroups (n past what one holds)' : '';
      o.onPhase?.(`batch ${b + 1}/${batches.length}: training ${batch.length} runs at once${spread}`);
      await runBatchLoop(engine, states, members.map((m) => m.logged), (i, result) => o.onFinished(batch[i].key, states[i].c, result), o.signal, o.maxStepsPerSubmit);
    } finally {
      engine.dispose();
    }
  }
}
