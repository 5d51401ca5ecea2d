// Tangent-kernel products H v = J diag(η) Jᵀ v at the current state: vjp then jvp per block,
// then the residual kernel to sum the chunks. Its buffers (O(n·chunks + m·d)) are made on first
// use and kept apart from the training buffers, so a product never disturbs a run (a halted
// run re-reads its partials).
import type { TangentProduct } from '../model/engine';
import type { Allocator } from './allocate';
import type { Block, Shared } from './buffers';
import { vjp } from './kernels/backward_update';
import { jvp } from './kernels/forward';
import { residual } from './kernels/residual';
import type { RunPlan } from './plan';
import { submitPass, type Dispatch, type GpuContext } from './program';
import type { StagingPool } from './readback';
import type { Variants } from './variants';

export function tangentProducts(
  ctx: GpuContext, alloc: Allocator, staging: StagingPool, plan: RunPlan, s: Shared, blocks: readonly Block[], variants: Variants,
): TangentProduct {
  const n = plan.n;
  let made: { v: GPUBuffer; out: GPUBuffer; rates: GPUBuffer; dispatches: Dispatch[] } | null = null;
  const make = () => {
    const v = alloc.storage(4 * n, 'tangentV');
    const out = alloc.storage(4 * n, 'tangentOut');
    const rates = alloc.uniform(new Float32Array(4).buffer, 'tangentRates');
    const zeros = alloc.storage(4 * n, 'tangentZeros');
    const side: Shared = { ...s, partials: alloc.storage(4 * n * plan.chunks, 'tangentPartials'), status: alloc.storage(plan.shared.status, 'tangentStatus') };
    const dispatches: Dispatch[] = [];
    for (const b of blocks) {
      const U = alloc.storage(b.W.size, 'tangentU');
      const ua = alloc.storage(b.a.size, 'tangentUa');
      dispatches.push(vjp(ctx, s, b, v, U, ua), jvp(ctx, side, b, rates, U, ua));
    }
    dispatches.push(residual(ctx, side, blocks[0], variants.residual, { y: zeros, into: out }));
    return { v, out, rates, dispatches };
  };
  return async (v, etaW, etaA) => {
    made ??= make();
    ctx.device.queue.writeBuffer(made.v, 0, Float32Array.from(v));
    ctx.device.queue.writeBuffer(made.rates, 0, new Float32Array([etaW, etaA, 0, 0]));
    submitPass(ctx.device, made.dispatches, 'tangent product');
    return Float64Array.from((await staging.read(made.out)).subarray(0, n));
  };
}
