// A run's plan, made before anything is allocated: every size derived from the config once,
// the neurons split into blocks that each fit one storage binding, the kernel variants, and
// one table of the buffers the run holds, which gives both the byte count and the allocation.
import { MAX_CHUNKS, MIN_CHUNK_NEURONS, chunkNeuronsFor, teacherOf, type Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { STAT_COUNT } from '../model/constants';
import type { BackendInfo } from '../model/engine';
import { RESIDUAL_SAMPLES } from './kernels/residual';
import { ROW_WORDS, STATUS_BYTES, maskWords, xtBytes } from './layout';
import { MASK_READERS, MASK_STATS, gradPartsBytes, maskBudget, resolveVariants, type Variants } from './variants';

/** Largest workgroup count per dispatch dimension that every WebGPU device allows. */
const MAX_WORKGROUPS = 65535;
/** Rows the log buffer holds; it is read back and restarted every submit. */
export const ROWS_PER_SUBMIT = 1024;

export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** The run's shared storage buffers, by name (src/gpu/buffers.ts's Shared). */
export type SharedBuffer = 'X' | 'y' | 'r' | 'partials' | 'status' | 'chunkStats' | 'rows' | 'XT' | 'gradParts';

export interface BlockPlan {
  offset: number;
  count: number;
  chunkOffset: number;
  /** Bytes of each of the block's buffers (the activation mask only with backward=masked or gemm, mask_0 with stats=masks). */
  buffers: Record<'W' | 'a' | 'W0' | 'a0' | 'stats', number> & { mask?: number; mask0?: number };
}

export interface RunPlan {
  n: number;
  d4: number;
  /** Neurons per reduction chunk, and chunks over all blocks. */
  q: number;
  chunks: number;
  /** Workgroup partial sums of r² (residual.wgsl), kept after the status fields. */
  lossParts: number;
  /** The teacher network whose outputs are the labels (freed after initialization), if any. */
  teacher: { width: number; q: number; chunks: number } | null;
  blockNeurons: number;
  blocks: BlockPlan[];
  rowCap: number;
  /** Bytes of each shared buffer (0: not held; XT with forward=gemm, gradParts with backward=gemm split over n). */
  shared: Record<SharedBuffer, number>;
  /** The most bytes all blocks' activation masks (and mask_0s) may take (backward=gemm admits its mask by it, stats=masks mask_0 too); null without a mask. */
  maskBudget: number | null;
  /** Bytes of every buffer the run holds (the teacher's, freed after initialization, not counted). */
  bytes: number;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/**
 * Splits the neurons into blocks that each fit one storage binding; checks every buffer fits.
 * `variants` decides the buffers only some kernels need (the mask, XT, the partial gradients).
 */
export function planLayout(c: Resolved, limits: DeviceLimits, variants: Partial<Variants> = {}): RunPlan {
  const masked = variants.backward !== undefined && MASK_READERS.includes(variants.backward);
  const d4 = Math.ceil(c.d / 4);
  const q = c.chunkNeurons;
  const bindMax = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const xBytes = c.n * d4 * 16;
  if (xBytes > bindMax)
    throw new ConfigError('n', `--n (n) × --d (d) too large: X needs ${mib(xBytes)}, one storage binding of this device holds ${mib(bindMax)} (at d=${c.d}, n ≤ ${Math.floor(bindMax / (d4 * 16))})`);
  const t = teacherOf(c);
  const teacher = t ? { width: t.width, q: chunkNeuronsFor(t.width), chunks: Math.ceil(t.width / chunkNeuronsFor(t.width)) } : null;
  const partialBytes = 4 * c.n * Math.max(c.chunks, teacher?.chunks ?? 0);
  if (partialBytes > bindMax)
    throw new ConfigError('n', `--n (n) too large: partial outputs need ${mib(partialBytes)} (${partialBytes / (4 * c.n)} chunks × n), one binding holds ${mib(bindMax)} (n ≤ ${Math.floor(bindMax / (partialBytes / c.n))})`);
  if (teacher && teacher.width * d4 * 16 > bindMax)
    throw new ConfigError('labels', `--labels (labels) teacher width ${teacher.width} too large for one storage binding at d=${c.d}`);
  // With a mask, a neuron's share of it (n bits) must fit the block's binding too.
  const perNeuron = Math.max(d4 * 16, 4 * STAT_COUNT, masked ? Math.ceil(c.n / 8) : 0);
  // Neurons one block holds: one storage binding each, and a dispatch's workgroups of 64.
  const blockMax = Math.min(Math.floor(bindMax / perNeuron), MAX_WORKGROUPS * 64);
  if (blockMax < MIN_CHUNK_NEURONS)
    throw new ConfigError('d', `--d (d) too large: ${MIN_CHUNK_NEURONS} neurons do not fit one storage binding (${mib(bindMax)}) at d=${c.d}`);
  if (blockMax < q) {
    // The reduction chunk grows with m (m/${MAX_CHUNKS}), and one chunk must fit one block.
    let qMax = MIN_CHUNK_NEURONS;
    while (2 * qMax <= blockMax) qMax *= 2;
    throw new ConfigError('m', `--m (m) too large: at m=${c.m} a reduction chunk holds ${q} neurons (m/${MAX_CHUNKS}), more than one block of this device holds at d=${c.d} (${blockMax}); this limit allows m ≤ ${qMax * MAX_CHUNKS}`);
  }
  const fit = blockMax - (blockMax % q);
  let blockNeurons = fit;
  if (c.blockNeurons > 0) {
    if (c.blockNeurons % q !== 0)
      throw new ConfigError('blockNeurons', `--block-neurons (blockNeurons) must be 0 (auto) or a multiple of ${q}, the reduction chunk at m=${c.m}; got ${c.blockNeurons}`);
    if (c.blockNeurons > fit)
      throw new ConfigError('blockNeurons', `--block-neurons (blockNeurons) must be at most ${fit} on this device; got ${c.blockNeurons}`);
    blockNeurons = c.blockNeurons;
  }
  const blocks: BlockPlan[] = [];
  for (let offset = 0; offset < c.m; offset += blockNeurons) {
    const count = Math.min(blockNeurons, c.m - offset);
    const buffers: BlockPlan['buffers'] = { W: count * d4 * 16, a: 4 * count, W0: count * d4 * 16, a0: 4 * count, stats: 4 * STAT_COUNT * count };
    if (masked) buffers.mask = 4 * maskWords(c.n, q, count);
    if (masked && variants.stats === MASK_STATS) buffers.mask0 = 4 * maskWords(c.n, q, count);
    blocks.push({ offset, count, chunkOffset: offset / q, buffers });
  }
  const lossParts = Math.ceil(c.n / RESIDUAL_SAMPLES);
  const rowCap = ROWS_PER_SUBMIT;
  const shared: RunPlan['shared'] = {
    X: xBytes, y: 4 * c.n, r: 4 * c.n, partials: partialBytes, status: STATUS_BYTES + 4 * lossParts,
    chunkStats: 4 * STAT_COUNT * c.chunks, rows: 4 * ROW_WORDS * rowCap,
    XT: variants.forward === 'gemm' ? xtBytes(c.n, d4) : 0,
    // One set of partial gradients serves every block in turn: the first block is the largest.
    gradParts: variants.backward === 'gemm' ? gradPartsBytes(Number(variants.split ?? 1), blocks[0].count, d4) : 0,
  };
  const sum = (o: object) => Object.values(o).reduce((x: number, y: number) => x + y, 0);
  const bytes = sum(shared) + blocks.reduce((x, b) => x + sum(b.buffers), 0);
  return { n: c.n, d4, q, chunks: c.chunks, lossParts, teacher, blockNeurons, blocks, rowCap, shared, maskBudget: masked ? maskBudget(limits) : null, bytes };
}

/** The layout and the kernel variants of a run on this device: checked before anything is allocated. */
export function planRun(c: Resolved, limits: GPUSupportedLimits, backend: BackendInfo, forced: Partial<Variants> = {}): RunPlan & { variants: Variants } {
  const variants = resolveVariants(backend, limits, { d4: Math.ceil(c.d / 4), n: c.n, m: c.m, q: c.chunkNeurons }, forced);
  return { ...planLayout(c, limits, variants), variants };
}
