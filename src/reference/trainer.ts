// The float64 CPU backend: the oracle of every GPU test, and the fallback without WebGPU.
// Same step order, logging and halting as the GPU engine (src/gpu/engine.ts).
import type { Resolved } from '../config/resolve';
import { teacherOf } from '../config/resolve';
import { instrumentRows, prepare, spectrum } from '../train/instruments';
import { NO_INSTRUMENTS, type Row } from '../model/metrics';
import { loggedSteps } from '../train/plan';
import { outcomeOf, suggestedRates, type RunOptions, type RunResult, type Tensors, type Trainer } from '../train/trainer';
import { backwardUpdate } from './backward_update';
import { forward } from './forward';
import { initLabels, initNeurons, initX } from './init';
import { haltCode, loss } from './loss';
import { HALT } from '../model/constants';
import { metrics } from './metrics';
import { neuronStats } from './neuron_stats';
import { residual } from './residual';
import { STREAMS } from '../model/rng';
import { denseTangentKernel, tangentProduct } from './tangent';

export interface ReferenceState {
  X: Float64Array;
  y: Float64Array;
  W: Float64Array;
  a: Float64Array;
  W0: Float64Array;
  a0: Float64Array;
}

/** X, y, W0, a0 of a config, from the same random streams as the GPU init kernels. */
export function initialState(c: Resolved, labelValues?: Float64Array): ReferenceState {
  const X = initX(c.seed, c.n, c.d, c.data === 'sphere');
  let y: Float64Array;
  const teacher = teacherOf(c);
  if (labelValues) y = Float64Array.from(labelValues);
  else if (teacher) {
    const t = initNeurons(
      { seed: c.seed, streamW: STREAMS.teacherW, streamA: STREAMS.teacherA, wScale: teacher.wScale, aScale: teacher.aScale, signA: false },
      teacher.width, c.d,
    );
    y = forward(X, t.W, t.a, c.n, c.d, teacher.width, teacher.outputScale);
  } else if (c.labels.kind === 'sign' || c.labels.kind === 'gaussian') y = initLabels(c.seed, c.n, c.labels.kind);
  else if (c.labels.kind === 'adversarial') y = new Float64Array(c.n); // set from H_0 by the instruments
  else throw new Error(`labels ${c.labels.kind} need their values`);
  const { W, a } = initNeurons(
    { seed: c.seed, streamW: STREAMS.w, streamA: STREAMS.a, wScale: c.wScale, aScale: c.aScale, signA: c.outputInit === 'sign' },
    c.m, c.d,
  );
  return { X, y, W, a, W0: W.slice(), a0: a.slice() };
}

/** Float64 bytes the reference holds: X, y, r, f, W, W0, a, a0, per-neuron stats. */
export function referenceBytes(c: Pick<Resolved, 'n' | 'd' | 'm'>): number {
  return 8 * (c.n * c.d + 3 * c.n + 2 * c.m * c.d + 2 * c.m + 8 * c.m);
}

export async function createCpuTrainer(given: Resolved, labelValues?: Float64Array): Promise<Trainer> {
  const s = initialState(given, labelValues);
  const { n, d, m, outputScale: kappa } = given;
  const product = async (v: Float64Array, etaW: number, etaA: number) => tangentProduct(s, given, v, etaW, etaA);
  // Fixed at initialization: measured rates, adversarial labels, H_0 for the kernel prediction.
  const { c, prediction } = await prepare(given, {
    product,
    dense: async (etaW, etaA) => denseTangentKernel(s.X, s.W, s.a, n, d, m, kappa, etaW, etaA),
    setLabels: async (y) => { s.y = y; },
    residual0: async () => residual(forward(s.X, s.W, s.a, n, d, m, kappa), s.y),
  });
  const spectra = new Map<number, Awaited<ReturnType<typeof spectrum>>>();
  // Kept across run() calls so that a run can resume.
  const rows: Row[] = [];
  let t = 0;
  let L0 = NaN;
  let halt: number = HALT.running;
  let epsStep: number | null = null;
  let lastRecorded = -1;
  return {
    backend: { kind: 'cpu', name: 'float64 CPU reference', software: true },
    config: c,
    memoryBytes: referenceBytes(c),
    tangentProduct: product,
    async run(options: RunOptions = {}): Promise<RunResult> {
      const logged = new Set(loggedSteps(c.steps, c.logEvery, c.logPerDecade));
      const start = performance.now();
      const firstStep = t;
      let lastYield = start;
      let stopped = false;
      while (halt === HALT.running || lastRecorded !== t) {
        const r = residual(forward(s.X, s.W, s.a, n, d, m, kappa), s.y);
        const L = loss(r);
        if (t === 0) L0 = L;
        if (halt === HALT.running) {
          halt = haltCode(L, L0, c);
          if (epsStep === null && L < c.eps * L0 && halt !== HALT.diverged) epsStep = t;
        }
        stopped = options.signal?.aborted ?? false;
        const last = t === c.steps || halt !== HALT.running || stopped;
        if ((logged.has(t) || last) && lastRecorded !== t) {
          const stats = neuronStats(s.X, s.W, s.W0, s.a, s.a0, r, n, d, m, kappa, c.etaW, c.etaA);
          const row: Row = { step: t, ...metrics(stats, n, m, L, L0), ...NO_INSTRUMENTS };
          if (c.spectrum) spectra.set(t, await spectrum(c, product));
          instrumentRows([row], spectra, prediction);
          rows.push(row);
          options.onRow?.(row);
          if (last) lastRecorded = t;
        }
        if (last) break;
        backwardUpdate(s.X, s.W, s.a, r, n, d, m, kappa, c.etaW, c.etaA);
        t++;
        const now = performance.now();
        if (now - lastYield > 100) {
          // Let the page draw and the signal fire between steps.
          const rate = (t - firstStep) / ((now - start) / 1000);
          options.onProgress?.({ step: t, loss: L, lossRatio: L / L0, stepsPerSecond: rate, etaSeconds: (c.steps - t) / rate });
          await new Promise((res) => setTimeout(res, 0));
          lastYield = performance.now();
        }
      }
      const wallSeconds = (performance.now() - start) / 1000;
      const outcome = outcomeOf(halt, t < c.steps);
      return {
        outcome,
        stepsDone: t,
        stepsToEps: epsStep,
        rows: rows.slice(),
        loss0: L0,
        wallSeconds,
        stepsPerSecond: (t - firstStep) / Math.max(wallSeconds, 1e-9),
        ...(outcome === 'diverged' ? { suggested: suggestedRates(c) } : {}),
      };
    },
    async readTensors(): Promise<Tensors> {
      const f = (x: Float64Array) => Float32Array.from(x);
      return { X: f(s.X), y: f(s.y), W0: f(s.W0), a0: f(s.a0), W: f(s.W), a: f(s.a) };
    },
    dispose() {},
  };
}
