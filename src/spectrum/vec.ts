// Small dense-vector helpers shared by the iterative eigensolvers.
import { gaussian } from '../model/rng';

/** A symmetric operator given only by its products (async: they may run on the GPU). */
export type MatVec = (v: Float64Array) => Promise<Float64Array>;

export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function norm(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** y ← y + c·x */
export function axpy(c: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += c * x[i];
}

/**
 * Unit start vector with N(0,1) entries drawn from Philox at (seed, stream, i): the same
 * seed gives the same vector on every platform. The streams are chosen outside rng.STREAMS
 * so that a start vector never repeats a data or weight draw.
 */
export function startVector(seed: number, stream: number, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = gaussian(seed, stream, i, 0);
  const s = 1 / norm(v);
  for (let i = 0; i < n; i++) v[i] *= s;
  return v;
}

export const START_STREAMS = { lanczos: 0xfff0, power: 0xfff1 } as const;

/**
 * One product, copied in and out so that the operator may keep or reuse its buffers without
 * touching the caller's vectors; rejects a wrong length or a non-finite value, which would
 * otherwise surface as a silently wrong eigenvalue.
 */
export async function apply(matvec: MatVec, v: Float64Array): Promise<Float64Array> {
  const w = await matvec(v.slice());
  if (w.length !== v.length) throw new RangeError(`operator returned ${w.length} values, expected ${v.length}`);
  const out = Float64Array.from(w);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw new RangeError('operator returned a non-finite value');
  return out;
}

/** Checks the size and stopping options every iterative solver takes; messages name the solver. */
export function checkIteration(solver: string, n: number, maxIterations: number, tol: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${solver}: n must be a positive integer, got ${n}`);
  if (!(maxIterations >= 1) || !Number.isInteger(maxIterations)) throw new RangeError(`${solver}: maxIterations must be a positive integer`);
  if (!(tol >= 0)) throw new RangeError(`${solver}: tol must be ≥ 0`);
}
