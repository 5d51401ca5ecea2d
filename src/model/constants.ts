// Constants the WebGPU engine and the float64 reference share; the WGSL gets them from here
// (src/gpu/layout.ts writes them into every kernel's header).

/** A run's halt code: in the GPU's status word, and the reference's twin of it. */
export const HALT = { running: 0, converged: 1, diverged: 2 } as const;
export type HaltCode = (typeof HALT)[keyof typeof HALT];

/** Columns of the per-neuron statistics (shaders/neuron_stats.wgsl, src/reference/neuron_stats.ts). */
export const STAT = { dW2: 0, w02: 1, dA2: 2, a02: 3, move: 4, flips: 5, active: 6, grad2: 7, cons: 8 } as const;
export const STAT_COUNT = Object.keys(STAT).length;
/** Columns reduced by maximum over neurons (the others by sum). */
export const MAX_STATS: readonly number[] = [STAT.move, STAT.cons];

/**
 * The stability monitor stops before its last product once the top Ritz pair's residual is
 * ≤ this·λ_max: λ_max is then far finer than the threshold 2 needs (monitorSharpness on the
 * host, shaders/batch_monitor.wgsl in the batched engine).
 */
export const MONITOR_TOL = 1e-4;
