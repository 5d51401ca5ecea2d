// The float64 CPU engine: the oracle of every GPU test, and the fallback without WebGPU. The
// same steps as the WebGPU engine (src/gpu/engine.ts) in double precision, driven by the same
// run loop (src/train/run_loop.ts).
import type { Resolved } from '../config/resolve';
import { HALT, type HaltCode } from '../model/constants';
import type { BackendInfo, Engine, Readback, StateRow, Tensors } from '../model/engine';
import { initialState } from './init';
import { haltCode, loss } from './loss';
import { metrics } from './metrics';
import { neuronStats } from './neuron_stats';
import { residual } from './residual';
import { createReferenceStep, STEP_MAX_BYTES, stepBytes } from './step_wasm';
import { denseTangentKernel } from './tangent';

/** What the CPU engine reports as its backend. */
export const CPU_INFO: BackendInfo = { kind: 'cpu', name: 'float64 CPU reference', software: true };

/**
 * Most bytes of pre-activations a step keeps from its forward pass for its backward pass (which
 * then needs a third of the work); larger runs compute them again in its backward pass, a chunk
 * of rows at a time, with the same bits. A bounded scratch, so that the largest m that fits stays linear to compute.
 */
export const Z_SCRATCH_BYTES = 16 * 2 ** 20;

/** Bytes the reference holds: the step's memory (X twice, W, a, f, r, gradients, the scratch) and, in the JS heap, y, r, W0, a0 and per-neuron stats. */
export function referenceBytes(c: Pick<Resolved, 'n' | 'd' | 'm'>): number {
  return stepBytes(c.n, c.d, c.m, Z_SCRATCH_BYTES) + 8 * (2 * c.n + c.m * c.d + c.m + 8 * c.m);
}

/**
 * A one-line reason why the reference cannot hold run c in its step's WebAssembly memory (32-bit
 * addresses), with the largest m that fits at c's n and d; null where it fits.
 */
export function referenceRefuses(c: Pick<Resolved, 'n' | 'd' | 'm'>): string | null {
  const fits = (m: number) => stepBytes(c.n, c.d, m, Z_SCRATCH_BYTES) <= STEP_MAX_BYTES;
  if (fits(c.m)) return null;
  // The step's bytes grow with m: bisect for the largest m that fits (0 when none does).
  let lo = 0, hi = c.m;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const why = `the CPU reference's step holds at most ${gib(STEP_MAX_BYTES)} of WebAssembly memory; this run needs ${gib(stepBytes(c.n, c.d, c.m, Z_SCRATCH_BYTES))}`;
  return lo >= 1 ? `${why}; at n=${c.n} d=${c.d} the largest m that fits is ${lo}` : `${why} even at m=1`;
}

export function createCpuEngine(given: Resolved, labelValues?: Float64Array): Engine {
  const s = initialState(given, labelValues);
  const { n, d, m, outputScale: kappa } = given;
  // The config with measured rates, once start() has it.
  let c = given;
  let step = 0;
  let L0 = NaN;
  let L = NaN;
  let halt: HaltCode = HALT.running;
  let epsStep: number | null = null;
  const wasm = createReferenceStep(s.X, s.W, s.a, n, d, m, kappa, Z_SCRATCH_BYTES);
  // The state lives in the step's memory from here on: every reader sees the step's updates.
  s.X = wasm.X;
  s.W = wasm.W;
  s.a = wasm.a;
  const residualNow = () => residual(wasm.forward(), s.y);
  /** The state's loss and the halting rule on it, while the run goes on. */
  const check = (r: Float64Array) => {
    L = loss(r);
    if (halt !== HALT.running) return;
    halt = haltCode(L, L0, c);
    if (epsStep === null && L < c.eps * L0 && halt !== HALT.diverged) epsStep = step;
  };
  const row = (r: Float64Array): StateRow => ({ step, ...metrics(neuronStats(s.X, s.W, s.W0, s.a, s.a0, r, n, d, m, kappa, c.etaW, c.etaA), n, m, L, L0) });
  const readback = (rows: StateRow[]): Readback => ({ step, halt, epsStep, loss: L, loss0: L0, rows });
  return {
    backend: CPU_INFO,
    memoryBytes: referenceBytes(given),
    // Steps run between the loop's awaits; one submit at a time keeps the page drawing between them.
    pace: { maxSteps: 4096, maxRows: Infinity, inflight: 1 },
    tangentProduct: async (v, etaW, etaA) => wasm.tangentProduct(v, etaW, etaA),
    denseKernel: async (etaW, etaA) => denseTangentKernel(s.X, s.W, s.a, n, d, m, kappa, etaW, etaA),
    setLabels: async (y) => { s.y = y; },
    residual0: async () => residualNow(),
    async start(final) {
      c = final;
      L0 = loss(residualNow());
    },
    submit(from, count, logged) {
      // After a macrotask, so that a page draws and a signal fires between submits.
      return new Promise((resolve) => setTimeout(() => {
        const rows: StateRow[] = [];
        for (; halt === HALT.running && step < from + count; step++) {
          const r = residualNow();
          check(r);
          if (halt !== HALT.running) break;
          if (logged.has(step)) rows.push(row(r));
          wasm.backwardUpdate(r, c.etaW, c.etaA);
        }
        resolve(readback(rows));
      }, 0));
    },
    async record() {
      const r = residualNow();
      check(r);
      return readback([row(r)]);
    },
    async readTensors(): Promise<Tensors> {
      const f = (x: Float64Array) => Float32Array.from(x);
      return { X: f(s.X), y: f(s.y), W0: f(s.W0), a0: f(s.a0), W: f(s.W), a: f(s.a) };
    },
    dispose() {},
  };
}
