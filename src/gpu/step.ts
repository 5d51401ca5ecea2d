// The one place where a step's dispatches are scheduled. Every dispatch is bound once; a step
// only replays them: forward per block, the residual, then (logged steps and the closing
// record) the loss, the statistics (with stats=masks: the backward's logging pass among them)
// and the row, then backward_update per block.
import type { Block, Shared } from './buffers';
import { backwardUpdate, gradientNorms } from './kernels/backward_update';
import { chunkReduce } from './kernels/chunk_reduce';
import { forward } from './kernels/forward';
import { loss } from './kernels/loss';
import { metrics } from './kernels/metrics';
import { neuronStats } from './kernels/neuron_stats';
import { residual } from './kernels/residual';
import { encode, type Dispatch, type GpuContext } from './program';
import type { Variants } from './variants';

export interface StepProgram {
  /** Bound dispatches per kernel name (one per block for per-block kernels), in step order. */
  readonly kernels: ReadonlyMap<string, readonly Dispatch[]>;
  /** The forward pass and the residual of the current state (r0, L0, tangent products). */
  readonly residualPass: readonly Dispatch[];
  readonly loss: Dispatch;
  /**
   * The state's residual, its row if logged, then one update unless `record` (the closing
   * record, whose row is kept while the run is halted). The update applies the halting rule to
   * the loss itself; the loss dispatch (the same rule, idempotent) runs only where a row needs
   * the loss recorded first.
   */
  encodeStep(pass: GPUComputePassEncoder, log: boolean, record: boolean): void;
}

export function stepProgram(ctx: GpuContext, s: Shared, blocks: readonly Block[], variants: Variants, modes: { step: GPUBuffer; record: GPUBuffer }): StepProgram {
  const fwd = blocks.map((b) => forward(ctx, s, b, { variant: variants.forward, tile: variants.tile, epilogue: variants.epilogue }));
  const res = residual(ctx, s, blocks[0], variants.residual);
  const lossD = loss(ctx, s);
  const upd = blocks.flatMap((b) => backwardUpdate(ctx, s, b, variants.backward, variants));
  // stats=masks: the backward's logging pass completes each block's statistics (its gradient norms).
  const stats = blocks.flatMap((b) => [neuronStats(ctx, s, b, variants.stats), ...(variants.stats === 'masks' ? gradientNorms(ctx, s, b, variants.backward, variants) : [])]);
  const reduce = blocks.map((b) => chunkReduce(ctx, s, b));
  const rowStep = metrics(ctx, s, modes.step);
  const rowRecord = metrics(ctx, s, modes.record);
  return {
    kernels: new Map([
      ['forward', fwd], ['residual', [res]], ['loss', [lossD]], ['backward_update', upd],
      ['neuron_stats', stats], ['chunk_reduce', reduce], ['metrics', [rowStep]],
    ]),
    residualPass: [...fwd, res],
    loss: lossD,
    encodeStep(pass, log, record) {
      for (const d of fwd) encode(pass, d);
      encode(pass, res);
      if (log || record) {
        encode(pass, lossD);
        for (const d of stats) encode(pass, d);
        for (const d of reduce) encode(pass, d);
        encode(pass, record ? rowRecord : rowStep);
      }
      if (!record) for (const d of upd) encode(pass, d);
    },
  };
}
