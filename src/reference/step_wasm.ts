// The reference's training step and tangent product, compiled from wasm/step.ts: forward(),
// gradients() + update() and tangentProduct() of forward.ts, backward_update.ts and
// tangent.ts, with the same bits (test/reference/step_wasm.test.ts) at several times their speed
// in JavaScript: float64 SIMD does two lanes per instruction, no bounds checks run, and no branch
// per (sample, neuron) pair is mispredicted. X, W and a live in the step's memory; the engine
// reads them there.
import stepWasm from '../../wasm/step.ts?asc';

interface StepExports {
  forward(XT: number, np: number, W: number, a: number, i0: number, i1: number, d: number, m: number, kappa: number, Z: number, zStride: number, f: number): void;
  accumulate(X: number, Z: number, zStride: number, r: number, i0: number, i1: number, d: number, m: number, G: number, GA: number): void;
  update(W: number, a: number, G: number, GA: number, d: number, m: number, kappa: number, etaW: number, etaA: number): void;
  jvp(XT: number, np: number, U: number, ua: number, a: number, i0: number, i1: number, d: number, m: number, kappa: number, Z: number, zStride: number, out: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** The step's memory layout: float64 arrays, each starting on 16 bytes; Z is neuron-major, zStride samples per neuron. */
function layout(n: number, d: number, m: number, zRows: number) {
  const np = Math.ceil(n / 4) * 4;
  const zStride = zRows >= n ? np : zRows;
  const sizes = { X: n * d, XT: d * np, W: m * d, a: m, f: np, r: n, G: m * d, GA: m, out: np, Z: zStride * m };
  const at = {} as Record<keyof typeof sizes, number>;
  let bytes = 0;
  for (const [name, length] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
    at[name] = bytes;
    bytes += Math.ceil(length / 2) * 16;
  }
  return { np, zStride, sizes, at, bytes };
}

/** Rows of pre-activations a step keeps (a multiple of 4, at most n rounded up): all of them when n·m float64 fit in `scratchBytes`. */
function zRowsOf(n: number, m: number, scratchBytes: number): number {
  if (8 * n * m <= scratchBytes) return n;
  return Math.max(4, Math.floor(scratchBytes / (8 * m) / 4) * 4);
}

/** Bytes of the step's memory, the pre-activation scratch included. */
export function stepBytes(n: number, d: number, m: number, scratchBytes: number): number {
  return layout(n, d, m, zRowsOf(n, m, scratchBytes)).bytes;
}

/** The most memory a WebAssembly module of 32-bit addresses has: 65 536 pages of 64 KiB. */
export const STEP_MAX_BYTES = 2 ** 32;

export interface ReferenceStep {
  /** Views of the step's memory, updated in place: X (n×d), W (m×d), a (m). */
  readonly X: Float64Array;
  readonly W: Float64Array;
  readonly a: Float64Array;
  /** f at the current W and a (n). */
  forward(): Float64Array;
  /** Both gradients at the current W and a for residual r, then both updates. */
  backwardUpdate(r: Float64Array, etaW: number, etaA: number): void;
  /** tangent.ts's tangentProduct at the current W and a, H v = J diag(η) Jᵀ v, with its bits (a new array). */
  tangentProduct(v: Float64Array, etaW: number, etaA: number): Float64Array;
}

/**
 * A step for one run, its state copied in from X, W and a. Pre-activations up to `scratchBytes`
 * are kept from the forward pass for the backward pass; larger runs recompute them in chunks of
 * rows, in the same order, so the bits are the same.
 */
export function createReferenceStep(
  X: Float64Array, W: Float64Array, a: Float64Array, n: number, d: number, m: number, kappa: number, scratchBytes: number,
): ReferenceStep {
  const zRows = zRowsOf(n, m, scratchBytes);
  const { np, zStride, sizes, at, bytes } = layout(n, d, m, zRows);
  if (bytes > STEP_MAX_BYTES) throw new RangeError(`the CPU step needs ${bytes} bytes of WebAssembly memory, more than ${STEP_MAX_BYTES}`);
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  compiled ??= new WebAssembly.Module(stepWasm as BufferSource);
  const k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as StepExports;
  const view = (name: keyof typeof sizes) => new Float64Array(memory.buffer, at[name], sizes[name]);
  const v = { X: view('X'), XT: view('XT'), W: view('W'), a: view('a'), f: view('f'), r: view('r'), G: view('G'), GA: view('GA'), out: view('out'), Z: view('Z') };
  v.X.set(X);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v.XT[j * np + i] = X[i * d + j];
  v.W.set(W);
  v.a.set(a);
  const allRows = zRows >= n;
  // Whether Z holds every row's pre-activations at the current W.
  let fresh = false;
  const f = v.f.subarray(0, n);
  const forwardRows = (i0: number, i1: number, keep: boolean) =>
    k.forward(at.XT, np, at.W, at.a, i0, i1, d, m, kappa, keep ? at.Z : 0, zStride, at.f);
  const forward = () => {
    forwardRows(0, n, allRows);
    fresh = allRows;
    return f;
  };
  /** `each` over the rows, with Z holding the pre-activations of the rows it is given. */
  const byChunks = (each: (i0: number, i1: number) => void) => {
    if (allRows) {
      if (!fresh) forward();
      each(0, n);
    } else
      for (let i0 = 0; i0 < n; i0 += zRows) {
        const i1 = Math.min(n, i0 + zRows);
        forwardRows(i0, i1, true);
        each(i0, i1);
      }
  };
  /** gradients()'s sums for residual r into G and GA (before scaleGradients). */
  const gradientSums = (r: Float64Array) => {
    v.r.set(r);
    v.G.fill(0);
    v.GA.fill(0);
    byChunks((i0, i1) => k.accumulate(at.X, at.Z, zStride, at.r, i0, i1, d, m, at.G, at.GA));
  };
  return {
    X: v.X, W: v.W, a: v.a,
    forward,
    backwardUpdate(r, etaW, etaA) {
      gradientSums(r);
      k.update(at.W, at.a, at.G, at.GA, d, m, kappa, etaW, etaA);
      fresh = false;
    },
    tangentProduct(u, etaW, etaA) {
      // Jᵀ u scaled as tangent.ts scales it: ((κ a_j)·G_j)·η_W and (κ GA_j)·η_a, in G and GA.
      gradientSums(u);
      for (let j = 0; j < m; j++) {
        const s = kappa * v.a[j];
        for (let q = j * d; q < j * d + d; q++) v.G[q] = s * v.G[q] * etaW;
        v.GA[j] = kappa * v.GA[j] * etaA;
      }
      byChunks((i0, i1) => k.jvp(at.XT, np, at.G, at.GA, at.a, i0, i1, d, m, kappa, at.Z, zStride, at.out));
      return v.out.slice(0, n);
    },
  };
}
