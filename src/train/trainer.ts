// A trainer is an engine put together with the one run loop: what the CLI, the page, sweeps
// and reports train with, whichever engine runs the steps.
import type { Resolved } from '../config/resolve';
import { createGpuEngine, type GpuEngine } from '../gpu/engine';
import type { Variants } from '../gpu/variants';
import type { BackendInfo, Engine, Tensors } from '../model/engine';
import { createCpuEngine } from '../reference/engine';
import { prepare, type OnSetup } from './instruments';
import { RunState, runLoop, type RunOptions, type RunResult } from './run_loop';

export type { Outcome, Progress, RunOptions, RunResult } from './run_loop';
export type { OnSetup, SetupEvent } from './instruments';

export interface Trainer<E extends Engine = Engine> {
  readonly engine: E;
  readonly backend: BackendInfo;
  /** The config with what was fixed at initialization (measured rates). */
  readonly config: Resolved;
  /** Bytes of tensors the run holds. */
  readonly memoryBytes: number;
  /** Seconds from the engine's creation (allocation, shaders) to the end of initialization's measurements. */
  readonly setupSeconds: number;
  /** Trains until the step budget, a halt, or options.signal; calling it again resumes. */
  run(options?: RunOptions): Promise<RunResult>;
  /** H v at the current state, with H = η_W·H_W + η_a·H_a the tangent kernel for the given rates. */
  tangentProduct(v: Float64Array, etaW: number, etaA: number): Promise<Float64Array>;
  readTensors(): Promise<Tensors>;
  dispose(): void;
}

/** Creates the engine, fixes what initialization fixes (rates, adversarial labels, H_0) on it, then trains on it. */
export async function createTrainer<E extends Engine>(makeEngine: () => E | Promise<E>, given: Resolved, onSetup?: OnSetup): Promise<Trainer<E>> {
  const start = performance.now();
  const engine = await makeEngine();
  let state: RunState;
  try {
    const { c, prediction } = await prepare(given, {
      product: engine.tangentProduct,
      dense: engine.denseKernel,
      setLabels: engine.setLabels,
      residual0: engine.residual0,
    }, onSetup);
    await engine.start(c);
    state = new RunState(c, prediction);
  } catch (e) {
    // A failed measurement at initialization leaves nothing behind on a device the page reuses.
    engine.dispose();
    throw e;
  }
  const setupSeconds = (performance.now() - start) / 1000;
  let running = false;
  return {
    engine,
    backend: engine.backend,
    config: state.c,
    memoryBytes: engine.memoryBytes,
    setupSeconds,
    tangentProduct: engine.tangentProduct,
    async run(options = {}) {
      if (running) throw new Error('this trainer is already running');
      running = true;
      try {
        return await runLoop(engine, state, options);
      } finally {
        running = false;
      }
    },
    readTensors: () => engine.readTensors(),
    dispose: () => engine.dispose(),
  };
}

export function createGpuTrainer(
  device: GPUDevice, backend: BackendInfo, c: Resolved, labelValues?: Float64Array, forced: Partial<Variants> = {}, onSetup?: OnSetup,
): Promise<Trainer<GpuEngine>> {
  return createTrainer(() => {
    onSetup?.({ phase: 'allocating and compiling the shaders' });
    return createGpuEngine(device, backend, c, labelValues, forced);
  }, c, onSetup);
}

export function createCpuTrainer(c: Resolved, labelValues?: Float64Array, onSetup?: OnSetup): Promise<Trainer> {
  return createTrainer(() => createCpuEngine(c, labelValues), c, onSetup);
}
