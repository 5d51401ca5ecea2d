// Host side of shaders/batch_spread.wgsl: the batched engine's spread schedule, on batch_train's
// bindings (src/gpu/kernels/batch_train.ts). A step is three dispatches; H v two.
import source from '../../../shaders/batch_spread.wgsl?raw';
import { BATCH_LAYOUT, BATCH_PRODUCT, BATCH_STATE_LIB, BATCH_STEP } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import type { KernelSource } from '../wgsl';
import { BATCH_BINDINGS, type BatchBuffers } from './batch_train';

const KERNEL: KernelSource = { name: 'batch_spread', bindings: BATCH_BINDINGS, libraries: [BATCH_LAYOUT, BATCH_PRODUCT, BATCH_STATE_LIB, BATCH_STEP], source };

/** The spread schedule's dispatches for a batch of `runs` runs with `sampleTiles` and `neuronTiles` tiles (of BLOCK_ITEMS·WG samples or neurons) in all. */
export function batchSpread(ctx: GpuContext, buffers: BatchBuffers, runs: number, sampleTiles: number, neuronTiles: number, workgroup: number) {
  const group = ctx.group(BATCH_BINDINGS, buffers);
  const at = (entry: string, x: number): Dispatch => ({ pipeline: ctx.pipeline(KERNEL, entry, { WG: workgroup }), group, x });
  return {
    step: [at('spread_residual', sampleTiles), at('spread_neurons', neuronTiles), at('spread_close', runs)],
    product: [at('spread_jt', neuronTiles), at('spread_j', sampleTiles)],
  };
}
