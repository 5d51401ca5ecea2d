// The instruments that tell the lazy (NTK) regime from what lies beyond it, shared by both
// backends: each backend supplies the tangent-kernel product H v at its current state, and
// (for n ≤ MAX_DENSE_N) the dense H; everything else happens here.
import { withBudget, withLambdas, type Resolved } from '../config/resolve';
import { MAX_DENSE_N } from '../config/schema';
import { symmetricEigen, type Eigen } from '../spectrum/eigen';
import { adversarialLabels, labelsFromVector, linearizedLoss } from '../spectrum/kernel_prediction';
import { lanczos } from '../spectrum/lanczos';
import { powerIteration } from '../spectrum/power';
import type { MatVec } from '../spectrum/vec';
import { MONITOR_TOL } from '../model/constants';
import type { TangentProduct } from '../model/engine';
import type { InstrumentValues } from '../model/metrics';


/** Relative accuracy of λ_max for automatic rates: far below what a rate needs. */
const POWER_TOL = 1e-6;
const POWER_MAX_ITERATIONS = 1000;
/** Lanczos at logged steps: residuals ≤ tol·λ_max (λ_min of a nearly singular H is known to about tol·λ_max). */
const LANCZOS_TOL = 1e-6;
const LANCZOS_MAX_ITERATIONS = 300;

/** Where setup stands: a phase begins (no `progress`), or `done` of its at most `total` products or columns have run. */
export interface SetupEvent {
  phase: string;
  progress?: { done: number; total: number; unit: string };
}
export type OnSetup = (e: SetupEvent) => void;

/** The longest run of products without a macrotask between them. */
const YIELD_MS = 50;

/**
 * `product` giving the event loop a turn every YIELD_MS: the CPU reference's products resolve
 * at once, and a signal (a second Ctrl-C) or the page's drawing waits for a macrotask.
 */
function yielding(product: MatVec): MatVec {
  let last = performance.now();
  return async (v) => {
    const r = await product(v);
    if (performance.now() - last >= YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
    return r;
  };
}

/** `product` announcing `phase` now and counting its calls: setup's slow phases are runs of products. */
function counted(product: MatVec, phase: string, unit: string, total: number, onSetup?: OnSetup): MatVec {
  onSetup?.({ phase });
  let done = 0;
  const p = yielding(product);
  return async (v) => {
    const r = await p(v);
    onSetup?.({ phase, progress: { done: ++done, total, unit } });
    return r;
  };
}

/** The config with its auto rates set from λ_max of each block, measured by power iteration. */
export async function measureRates(c: Resolved, product: TangentProduct, onSetup?: OnSetup): Promise<Resolved> {
  if (!c.auto.etaW && !c.auto.etaA && !c.auto.shared) return c;
  const lambda = async (block: string, etaW: number, etaA: number) => {
    const p = counted((v) => product(v, etaW, etaA), `λ_max(${block}) by power iteration (automatic rate)`, 'products', POWER_MAX_ITERATIONS, onSetup);
    return (await powerIteration(p, c.n, { tol: POWER_TOL, maxIterations: POWER_MAX_ITERATIONS, seed: c.seed })).lambda;
  };
  // Only the blocks whose rate is automatic: each measurement costs hundreds of products at large m.
  const lambdaW = c.auto.etaW || c.auto.shared ? await lambda('H_W', 1, 0) : c.lambdaW;
  const lambdaA = c.auto.etaA || c.auto.shared ? await lambda('H_a', 0, 1) : c.lambdaA;
  return withLambdas(c, lambdaW, lambdaA, true);
}

/** A diverged run's advice: rates that the sharpness measured at initialization keeps stable. */
export interface Suggestion {
  etaW: number;
  etaA: number;
  /** η_W·λ_W + η_a·λ_a at the run's rates: an upper bound on λ_max(H_0), from each block's λ_max at initialization. */
  lambdaMax: number;
  /** The same bound at the suggested rates. */
  bound: number;
  /** What `bound` is at most: the rate factor, capped at 1 (GD on the quadratic model needs λ_max(H) < 2). */
  target: number;
  /** The state λ comes from and how each trained block's λ_max was found. */
  from: string;
}

/**
 * Each trained layer's rate of a diverged run brought to an equal share of the target in the
 * bound on λ_max(H_0), and at least halved (a bound already within the target means the run
 * sharpened as it trained). Per layer, so that one layer's too-large rate does not freeze the
 * other. The initialization, not the halting state: the rerun starts there, and a diverged
 * state's λ_max is 10³–10⁶ times H_0's, which would advise rates that barely move.
 */
export function suggestedRates(c: Resolved): Suggestion {
  const lambdaMax = c.etaW * c.lambdaW + c.etaA * c.lambdaA;
  const target = Math.min(c.rateFactor, 1);
  const share = target / ((c.etaW > 0 ? 1 : 0) + (c.etaA > 0 ? 1 : 0) || 1);
  const etaW = c.etaW > 0 ? Math.min(c.etaW / 2, share / c.lambdaW) : 0;
  const etaA = c.etaA > 0 ? Math.min(c.etaA / 2, share / c.lambdaA) : 0;
  const how = (auto: boolean) => (auto && c.lambdaMeasured ? 'power iteration' : 'rough estimate');
  const blocks = [
    c.etaW > 0 ? `λ_W by ${how(c.auto.etaW || c.auto.shared)}` : '',
    c.etaA > 0 ? `λ_a by ${how(c.auto.etaA || c.auto.shared)}` : '',
  ].filter(Boolean);
  return { etaW, etaA, lambdaMax, bound: etaW * c.lambdaW + etaA * c.lambdaA, target, from: `initialization (${blocks.join(', ')})` };
}

/** What was measured at a step, by the spectrum and by the stability monitor. */
export type Measured = Partial<Pick<InstrumentValues, 'lambda_min' | 'lambda_max' | 'sharpness_ratio' | 'sharpness'>>;

/** λ_min, λ_max of H_t at the rates the run uses, and λ_max/2 (above 1 the step is unstable). */
export async function spectrum(c: Resolved, product: TangentProduct): Promise<Measured> {
  const r = await lanczos(yielding((v) => product(v, c.etaW, c.etaA)), c.n, { tol: LANCZOS_TOL, maxIterations: LANCZOS_MAX_ITERATIONS, seed: c.seed });
  return { lambda_min: r.min, lambda_max: r.max, sharpness_ratio: r.max / 2 };
}

/**
 * The stability monitor: λ_max(H_t) at the run's rates by `c.sharpnessProducts` products of
 * Lanczos started from the previous measurement's top Ritz vector (the seeded start vector
 * the first time), so that a few products track a spectrum that moves little between logged
 * steps. Returns the estimate (a Ritz value: never above λ_max) and the next start. Its twin
 * inside the batched engine's workgroups (shaders/batch_monitor.wgsl) stops at the same test.
 */
export async function monitorSharpness(c: Resolved, product: TangentProduct, start: Float64Array | null): Promise<{ sharpness: number; start: Float64Array | null }> {
  const finite = async (v: Float64Array) => {
    const w = await product(v, c.etaW, c.etaA);
    if (!w.every(Number.isFinite)) throw new NonFinite();
    return w;
  };
  try {
    const r = await lanczos(yielding(finite), c.n, {
      tol: MONITOR_TOL, only: 'max', maxIterations: c.sharpnessProducts, seed: c.seed, vectors: true, ...(start ? { start } : {}),
    });
    return { sharpness: r.max, start: r.vMax! };
  } catch (e) {
    // A state past divergence, whose products overflow: not measured, and the next measurement starts afresh.
    if (e instanceof NonFinite) return { sharpness: NaN, start: null };
    throw e;
  }
}

class NonFinite extends Error {}

/** The n×n kernel H from n products (its columns), symmetrized against rounding. */
async function denseFromProducts(n: number, product: (v: Float64Array) => Promise<Float64Array>): Promise<Float64Array> {
  const H = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = await product(e);
    for (let i = 0; i < n; i++) H[i * n + j] = col[i];
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
  return H;
}

/** y = √n · v_min(H_0) at the run's rates: from the dense eigendecomposition when there is one, else from Lanczos. */
export async function adversarialLabelsOf(c: Resolved, product: TangentProduct, eigen: Eigen | null, onSetup?: OnSetup): Promise<Float64Array> {
  if (eigen) return adversarialLabels(eigen.values, eigen.vectors);
  const p = counted((v) => product(v, c.etaW, c.etaA), 'v_min(H_0) by Lanczos (adversarial labels)', 'products', LANCZOS_MAX_ITERATIONS, onSetup);
  const r = await lanczos(p, c.n, { tol: LANCZOS_TOL, maxIterations: LANCZOS_MAX_ITERATIONS, seed: c.seed, vectors: true });
  return labelsFromVector(r.vMin!);
}

/** Whether a run needs H_0 densely (for the kernel prediction, or adversarial labels at n ≤ MAX_DENSE_N). */
export function needsDenseKernel(c: Resolved): boolean {
  return c.linearized || (c.labels.kind === 'adversarial' && c.n <= MAX_DENSE_N);
}

/** The kernel (lazy) prediction of the loss at `steps`, from H_0's eigendecomposition and r_0. */
export function kernelLosses(eigen: Eigen, r0: Float64Array, steps: number[]): number[] {
  return linearizedLoss(eigen.values, eigen.vectors, r0, steps);
}

/** What a backend offers the instruments before training starts. */
export interface InitialState {
  product: TangentProduct;
  /** The dense n×n H_0 for the given rates, where the engine forms it directly (else n products give it). */
  dense?(etaW: number, etaA: number): Promise<Float64Array>;
  setLabels(y: Float64Array): Promise<void>;
  /** r_0 = f(X; W_0, a_0) − y with the labels in place. */
  residual0(): Promise<Float64Array>;
}

export interface Prepared {
  /** The config with measured rates. */
  c: Resolved;
  /** H_0's eigendecomposition and r_0, when the run logs the kernel prediction. */
  prediction: { eigen: Eigen; r0: Float64Array } | null;
}

/** The dense H_0 at the run's rates and its eigendecomposition, each phase announced. */
async function denseEigen(c: Resolved, s: InitialState, onSetup?: OnSetup): Promise<Eigen> {
  const phase = `the dense ${c.n}×${c.n} H_0 (${c.linearized ? '--linearized' : 'adversarial labels'})`;
  let H: Float64Array;
  if (s.dense) {
    onSetup?.({ phase });
    H = await s.dense(c.etaW, c.etaA);
  } else H = await denseFromProducts(c.n, counted((v) => s.product(v, c.etaW, c.etaA), phase, 'columns', c.n, onSetup));
  onSetup?.({ phase: `eigendecomposition of the ${c.n}×${c.n} H_0` });
  return symmetricEigen(H, c.n);
}

/**
 * λ_min(H_0) at the run's rates, for the budget rule: from the dense eigendecomposition when
 * there is one, else by Lanczos (an unconverged λ_min is an upper bound, so the budget errs short).
 */
async function lambdaMin0(c: Resolved, product: TangentProduct, eigen: Eigen | null, onSetup?: OnSetup): Promise<number> {
  if (eigen) return eigen.values[0];
  const p = counted((v) => product(v, c.etaW, c.etaA), 'λ_min(H_0) by Lanczos (--steps auto)', 'products', Math.min(c.n, LANCZOS_MAX_ITERATIONS), onSetup);
  return (await lanczos(p, c.n, { tol: LANCZOS_TOL, maxIterations: LANCZOS_MAX_ITERATIONS, seed: c.seed })).min;
}

/** Everything fixed at initialization, in order: rates (they define H_0), H_0, the step budget, adversarial labels, r_0. */
export async function prepare(given: Resolved, s: InitialState, onSetup?: OnSetup): Promise<Prepared> {
  const rated = await measureRates(given, s.product, onSetup);
  const eigen = needsDenseKernel(rated) ? await denseEigen(rated, s, onSetup) : null;
  const c = rated.auto.steps ? withBudget(rated, await lambdaMin0(rated, s.product, eigen, onSetup)) : rated;
  if (c.labels.kind === 'adversarial') await s.setLabels(await adversarialLabelsOf(c, s.product, eigen, onSetup));
  return { c, prediction: c.linearized && eigen ? { eigen, r0: await s.residual0() } : null };
}

/** The instrument columns of rows, from what was measured at their steps. */
export function instrumentRows<R extends { step: number } & InstrumentValues>(
  rows: R[], measured: Map<number, Measured>, prediction: Prepared['prediction'],
): void {
  const predicted = prediction ? kernelLosses(prediction.eigen, prediction.r0, rows.map((r) => r.step)) : [];
  rows.forEach((row, k) => {
    Object.assign(row, measured.get(row.step) ?? {});
    if (prediction) row.loss_kernel = predicted[k];
  });
}
