// Philox2x32-10, the counter-based generator shared with shaders/rng.wgsl: the same
// (seed, stream, index, lane) gives the same 32-bit words in TypeScript and WGSL.

/** Stream ids: each random tensor draws from its own stream. Passed to the shaders as uniforms. */
export const STREAMS = { x: 1, w: 2, a: 3, labels: 4, teacherW: 5, teacherA: 6 } as const;

const PHILOX_M = 0xd256d193;
const PHILOX_W = 0x9e3779b9;

/** High 32 bits of a 32×32 product, from 16-bit halves (the WGSL twin has no 64-bit integers). */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox2x32 with 10 rounds: counter (c0, c1), key → two 32-bit words. */
export function philox(c0: number, c1: number, key: number): [number, number] {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, k = key >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi = mulhi(PHILOX_M, x0);
    const lo = Math.imul(PHILOX_M, x0) >>> 0;
    x0 = (hi ^ k ^ x1) >>> 0;
    x1 = lo;
    k = (k + PHILOX_W) >>> 0;
  }
  return [x0, x1];
}

/** The counter of a draw: `index` (row or neuron), and (stream, lane) packed in the second word. */
export function counter(stream: number, index: number, lane: number): [number, number] {
  return [index >>> 0, ((stream << 16) | lane) >>> 0];
}

/** A word to a uniform in (0, 1): 23 bits, so the value is exact in float32 as well. */
export function toUniform(word: number): number {
  return ((word >>> 9) + 0.5) * 2 ** -23;
}

/** Standard normal by Box–Muller from one Philox call (only the cosine branch is used). */
export function gaussian(seed: number, stream: number, index: number, lane: number): number {
  const [c0, c1] = counter(stream, index, lane);
  const [u, v] = philox(c0, c1, seed);
  return Math.sqrt(-2 * Math.log(toUniform(u))) * Math.cos(2 * Math.PI * toUniform(v));
}

/** ±1 with equal probability, from the top bit of the first word. */
export function sign(seed: number, stream: number, index: number, lane: number): number {
  const [c0, c1] = counter(stream, index, lane);
  return philox(c0, c1, seed)[0] >>> 31 ? 1 : -1;
}
