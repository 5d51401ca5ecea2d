// What an engine (the WebGPU engine, the float64 reference) offers the one run loop of
// src/train/run_loop.ts: it owns a run's state and applies steps; the loop decides which steps
// are logged, when to measure, and what the run's outcome is.
import type { Resolved } from '../config/resolve';
import type { HaltCode } from './constants';
import type { StateValues } from './metrics';

export interface BackendInfo {
  kind: 'webgpu' | 'cpu';
  /** e.g. "SwiftShader Device (Subzero) — vulkan", or "float64 CPU reference". */
  name: string;
  /** True for CPU-emulated adapters: their timings say nothing about GPUs. */
  software: boolean;
  /** The adapter's smallest subgroup, where its device has WebGPU's subgroups feature. */
  subgroupMinSize?: number;
}

/** Said beside every timing from a CPU-emulated WebGPU adapter. */
export function softwareNote(b: BackendInfo): string {
  return b.kind === 'webgpu' && b.software ? ' (software adapter: timings are not GPU figures)' : '';
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

/** The state's metrics at a step: the state after `step` updates. */
export type StateRow = { step: number } & StateValues;

/** What an engine reports once the steps of a submit have run. */
export interface Readback {
  /** Updates applied so far (a halted run stays at its halting step). */
  step: number;
  halt: HaltCode;
  /** The first step whose loss was below eps·L0 (and the run had not diverged), or null. */
  epsStep: number | null;
  /** L at `step`, and at step 0. */
  loss: number;
  loss0: number;
  /** The rows logged by this submit, in step order. */
  rows: StateRow[];
}

/** H v with H = η_W·H_W + η_a·H_a at the engine's current state. */
export type TangentProduct = (v: Float64Array, etaW: number, etaA: number) => Promise<Float64Array>;

export interface Engine {
  readonly backend: BackendInfo;
  /** Bytes of tensors the run holds. */
  readonly memoryBytes: number;
  /** How the loop sizes its submits: steps and logged rows per submit, submits in flight. */
  readonly pace: { maxSteps: number; maxRows: number; inflight: number };

  // Before training: what the instruments need to fix rates and labels at initialization.
  tangentProduct: TangentProduct;
  /** The dense n×n H_0 for the given rates, where the engine forms it directly (else n products give it). */
  denseKernel?(etaW: number, etaA: number): Promise<Float64Array>;
  setLabels(y: Float64Array): Promise<void>;
  /** r_0 = f(X; W_0, a_0) − y with the labels in place. */
  residual0(): Promise<Float64Array>;
  /** Takes the final config (measured rates) and records L0: steps can run from here. */
  start(c: Resolved): Promise<void>;

  /**
   * Queues `count` steps from step `from` (the loop's count of steps asked for), logging the
   * state before each step in `logged`; a halted run applies none. Submits settle in order.
   */
  submit(from: number, count: number, logged: ReadonlySet<number>): Promise<Readback>;
  /** The closing record: the current state's row, with the halting rule applied to it, and no step. */
  record(): Promise<Readback>;

  readTensors(): Promise<Tensors>;
  dispose(): void;
}
