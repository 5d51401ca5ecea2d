// What every backend (the WebGPU engine and the float64 reference) offers the CLI and the page.
import type { Resolved } from '../config/resolve';
import type { Row } from '../model/metrics';

export interface BackendInfo {
  kind: 'webgpu' | 'cpu';
  /** e.g. "SwiftShader Device (Subzero) — vulkan", or "float64 CPU reference". */
  name: string;
  /** True for CPU-emulated adapters: their timings say nothing about GPUs. */
  software: boolean;
}

export interface Progress {
  step: number;
  loss: number;
  lossRatio: number;
  stepsPerSecond: number;
  etaSeconds: number;
}

export type Outcome = 'converged' | 'max_steps' | 'diverged' | 'stopped';

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
  /** Halved rates to retry with, after a divergence. */
  suggested?: { etaW: number; etaA: number };
}

export interface RunOptions {
  onRow?: (row: Row) => void;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Tensors as float32 arrays in the layout users load (X n×d, W m×d, C order). */
export interface Tensors {
  X: Float32Array;
  y: Float32Array;
  W0: Float32Array;
  a0: Float32Array;
  W: Float32Array;
  a: Float32Array;
}

export interface Trainer {
  readonly backend: BackendInfo;
  readonly config: Resolved;
  /** Bytes of tensors the run holds. */
  readonly memoryBytes: number;
  /** Trains until the step budget, a halt, or options.signal; calling it again resumes. */
  run(options?: RunOptions): Promise<RunResult>;
  /** H v at the current state, with H = η_W·H_W + η_a·H_a the tangent kernel for the given rates. */
  tangentProduct(v: Float64Array, etaW: number, etaA: number): Promise<Float64Array>;
  readTensors(): Promise<Tensors>;
  dispose(): void;
}

/** The outcome of a finished run from its halt code and its step budget. */
export function outcomeOf(halt: number, stopped: boolean): Outcome {
  if (halt === 1) return 'converged';
  if (halt === 2) return 'diverged';
  return stopped ? 'stopped' : 'max_steps';
}

export function suggestedRates(c: Resolved): { etaW: number; etaA: number } {
  return { etaW: c.etaW / 2, etaA: c.etaA / 2 };
}

/** Said beside every timing from a CPU-emulated WebGPU adapter. */
export function softwareNote(b: BackendInfo): string {
  return b.kind === 'webgpu' && b.software ? ' (software adapter: timings are not GPU figures)' : '';
}
