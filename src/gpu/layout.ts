// Byte layouts of the uniforms and buffers shared with the WGSL structs (shaders/common.wgsl,
// shaders/rng.wgsl), and the constants header prepended to every kernel.
import type { Resolved } from '../config/resolve';
import { HALT, MONITOR_TOL, STAT, STAT_COUNT } from '../model/constants';
import { STATE_COLUMNS } from '../model/metrics';

/** Words per logged row: step, halt code, then the state columns (shaders/metrics.wgsl). */
export const ROW_WORDS = 2 + STATE_COLUMNS.length;
/** Words per row of the batched engine: a row's, then the bits of the sharpness its run's workgroup measured (shaders/batch_monitor.wgsl). */
export const BATCH_ROW_WORDS = ROW_WORDS + 1;
export const STATUS_BYTES = 32;
export const STATUS = { step: 0, halt: 1, rows: 2, epsStep: 3, loss: 4, loss0: 5 } as const;

/**
 * Words of one block's activation mask (forward.wgsl's WRITE_MASK, backward_update_masked.wgsl):
 * a bit per (sample, neuron), words of min(q, 32) neurons so that no word spans two chunks
 * (mask_word and mask_bits in shaders/common.wgsl).
 */
export function maskWords(n: number, q: number, count: number): number {
  return n * Math.ceil(count / Math.min(q, 32));
}

/** Samples XT's rows are padded to (transpose_x.wgsl), the largest sample tile of forward=gemm. */
export const XT_PAD = 128;

/** Bytes of XT, the transposed copy of X that forward=gemm reads: whole stages of 8 dims × n padded to XT_PAD. */
export function xtBytes(n: number, d4: number): number {
  return 4 * (8 * Math.ceil(d4 / 2)) * (Math.ceil(n / XT_PAD) * XT_PAD);
}

/**
 * Samples or neurons a batched invocation takes at once at this D4 (the WGSL constant
 * BLOCK_ITEMS, a bound unrollLoops writes out): the weights or x it loads then serve all of
 * them, and a block of x or w stays within 8 vec4s of registers.
 */
export function blockItems(d4: number): number {
  return Math.max(1, Math.min(4, Math.floor(8 / d4)));
}

/** Basis vectors whose dot products with a new Lanczos vector one reduction of batch_monitor.wgsl takes (its DOTS). */
export const MONITOR_DOTS = 8;

/** Constants every kernel sees, generated from their TypeScript twins. */
export function constantsHeader(d4: number): string {
  const lines = [
    `const D4: u32 = ${d4}u;`,
    `const BLOCK_ITEMS: u32 = ${blockItems(d4)}u;`,
    `const ROW_WORDS: u32 = ${ROW_WORDS}u;`,
    `const BATCH_ROW_WORDS: u32 = ${BATCH_ROW_WORDS}u;`,
    `const STATE_COUNT: u32 = ${STATE_COLUMNS.length}u;`,
    `const STAT_COUNT: u32 = ${STAT_COUNT}u;`,
    `const XT_PAD: u32 = ${XT_PAD}u;`,
    `const DOTS: u32 = ${MONITOR_DOTS}u;`,
    `const MONITOR_TOL: f32 = ${MONITOR_TOL};`,
    ...Object.entries(HALT).map(([k, v]) => `const HALT_${k.toUpperCase()}: u32 = ${v}u;`),
    ...Object.entries(STAT).map(([k, v]) => `const STAT_${k.toUpperCase()}: u32 = ${v}u;`),
  ];
  return lines.join('\n') + '\n';
}

export function dimsBytes(c: Resolved, lossParts: number, rowCap: number, over?: { m: number; chunks: number; q: number; kappa: number }): ArrayBuffer {
  const buf = new ArrayBuffer(64);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u.set([c.n, over?.m ?? c.m, over?.q ?? c.chunkNeurons, over?.chunks ?? c.chunks, lossParts, rowCap, c.stopAtEps ? 1 : 0, 0]);
  f.set([over?.kappa ?? c.outputScale, c.etaW, c.etaA, c.eps, c.divergeAt], 8);
  return buf;
}

export function blockBytes(offset: number, count: number, chunkOffset: number, first: boolean): ArrayBuffer {
  return new Uint32Array([offset, count, chunkOffset, first ? 1 : 0]).buffer;
}

export interface InitParams {
  seed: number;
  streamA: number;
  streamB?: number;
  flag: boolean;
  count: number;
  offset?: number;
  d: number;
  scaleA?: number;
  scaleB?: number;
}

export function initParamsBytes(p: InitParams): ArrayBuffer {
  const buf = new ArrayBuffer(48);
  new Uint32Array(buf).set([p.seed, p.streamA, p.streamB ?? 0, p.flag ? 1 : 0, p.count, p.offset ?? 0, p.d, 0]);
  new Float32Array(buf).set([p.scaleA ?? 1, p.scaleB ?? 1], 8);
  return buf;
}

export function modeBytes(record: boolean): ArrayBuffer {
  return new Uint32Array([record ? 1 : 0, 0, 0, 0]).buffer;
}
