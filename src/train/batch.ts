// Many runs at once on the batched WebGPU engine (src/gpu/batch.ts): each run is prepared as
// a single run is (rates, labels and H_0 fixed at initialization, here on the float64
// reference), packed into batches, and kept by the same RunState as the one run loop's, so
// that its rows, closing record and outcome are the single-run engine's.
import type { Resolved } from '../config/resolve';
import { createBatchEngine, packBatches, unbatchable, type BatchEngine, type BatchMember } from '../gpu/batch';

export { unbatchable };
import type { BackendInfo } from '../model/engine';
import { createCpuEngine } from '../reference/engine';
import { prepare } from './instruments';
import { RunState, TARGET_SUBMIT_SECONDS, type RunResult } from './run_loop';

/** The most steps one submit applies to each run. */
const MAX_STEPS_PER_SUBMIT = 4096;

export interface BatchOptions<K> {
  /** Most runs per batch (auto: as many as the device's binding limit allows, up to 65535). */
  maxRuns?: number;
  /** Most steps per submit (submits are sized to about TARGET_SUBMIT_SECONDS below it). */
  maxStepsPerSubmit?: number;
  signal?: AbortSignal;
  /** Each run as it finishes: its final config (measured rates) and result. */
  onFinished(key: K, config: Resolved, result: RunResult): void;
  /** What the batches are doing, a line at a time. */
  onPhase?(line: string): void;
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
 * Trains the runs of one batch from step 0 until each has its closing record or `signal`
 * aborts (runs not finished by then are dropped). Running runs move in lockstep: a submit
 * applies the same steps to each, as many as keep every run's logged rows within the engine's
 * row capacity and the submit near TARGET_SUBMIT_SECONDS.
 */
export async function runBatchLoop(
  engine: BatchEngine, states: readonly RunState[], schedules: readonly (readonly number[])[],
  onFinished: (i: number, result: RunResult) => void, signal?: AbortSignal, maxStepsPerSubmit = MAX_STEPS_PER_SUBMIT,
): Promise<void> {
  const start = performance.now();
  const done = states.map(() => false);
  let left = states.length;
  let from = 0;
  let stepsPerSubmit = Math.min(4, maxStepsPerSubmit);
  while (left > 0 && !signal?.aborted) {
    let count = stepsPerSubmit;
    schedules.forEach((steps, i) => {
      // The closing record takes a row too: at most rowCap − 1 logged steps per submit.
      const limit = steps[lowerBound(steps, from) + engine.rowCap - 1];
      if (!done[i] && limit !== undefined) count = Math.min(count, limit - from);
    });
    const t0 = performance.now();
    const reads = await engine.submit(count);
    const now = performance.now();
    reads.forEach((r, i) => {
      if (done[i]) return;
      const s = states[i];
      if (!r.done) return s.keep(r);
      s.keep({ ...r, rows: r.rows.slice(0, -1) });
      s.keepRecord({ ...r, rows: r.rows.slice(-1) });
      done[i] = true;
      left--;
      onFinished(i, s.result(0, (now - start) / 1000));
    });
    from += count;
    const rate = count / Math.max((now - t0) / 1000, 1e-6);
    stepsPerSubmit = Math.max(1, Math.min(maxStepsPerSubmit, Math.round(rate * TARGET_SUBMIT_SECONDS)));
  }
}

/** A run's initial state and instruments, fixed in float64 on the reference (as the single-run engines fix them on theirs). */
async function prepareMember(given: Resolved): Promise<{ member: BatchMember; state: RunState }> {
  const cpu = createCpuEngine(given);
  try {
    const { c, prediction } = await prepare(given, { product: cpu.tangentProduct, dense: cpu.denseKernel, setLabels: cpu.setLabels, residual0: cpu.residual0 });
    const state = new RunState(c, prediction);
    const logged = [...state.loggedSteps()].sort((a, b) => a - b);
    return { member: { c, tensors: await cpu.readTensors(), logged }, state };
  } finally {
    cpu.dispose();
  }
}

/** Each run's initial state and RunState, fixed on the float64 reference. */
export async function prepareBatch(configs: readonly Resolved[]): Promise<{ members: BatchMember[]; states: RunState[] }> {
  const prepared = [];
  for (const c of configs) prepared.push(await prepareMember(c));
  return { members: prepared.map((p) => p.member), states: prepared.map((p) => p.state) };
}

/** Trains `runs` on the batched engine, batch after batch; each run's result goes to onFinished as it finishes. */
export async function trainBatches<K>(device: GPUDevice, backend: BackendInfo, runs: readonly { key: K; c: Resolved }[], o: BatchOptions<K>): Promise<void> {
  const batches = packBatches(runs, (r) => r.c, device.limits, o.maxRuns);
  for (const [b, batch] of batches.entries()) {
    if (o.signal?.aborted) return;
    o.onPhase?.(`batch ${b + 1}/${batches.length}: preparing ${batch.length} runs (initialization on the float64 reference)`);
    const { members, states } = await prepareBatch(batch.map((r) => r.c));
    const engine = await createBatchEngine(device, backend, members);
    try {
      o.onPhase?.(`batch ${b + 1}/${batches.length}: training ${batch.length} runs at once`);
      await runBatchLoop(engine, states, members.map((m) => m.logged), (i, result) => o.onFinished(batch[i].key, states[i].c, result), o.signal, o.maxStepsPerSubmit);
    } finally {
      engine.dispose();
    }
  }
}
