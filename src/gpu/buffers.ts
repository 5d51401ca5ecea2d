// The engine's buffers, as the kernel modules see them.

/** Buffers shared by all blocks: sizes O(n·d + n·chunks + chunks). */
export interface Shared {
  dims: GPUBuffer;
  X: GPUBuffer;
  y: GPUBuffer;
  r: GPUBuffer;
  partials: GPUBuffer;
  lossParts: GPUBuffer;
  status: GPUBuffer;
  chunkStats: GPUBuffer;
  rows: GPUBuffer;
  n: number;
  q: number;
  lossPartCount: number;
}

/** One block of neurons, within one storage binding each. */
export interface Block {
  offset: number;
  count: number;
  chunkOffset: number;
  uniform: GPUBuffer;
  W: GPUBuffer;
  a: GPUBuffer;
  W0: GPUBuffer;
  a0: GPUBuffer;
  stats: GPUBuffer;
  /** The signs [z_ir > 0] of the last forward pass, with backward=masked only. */
  mask: GPUBuffer | null;
}
