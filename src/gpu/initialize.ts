// Initialization, all on the GPU: X, the labels (drawn, a teacher's outputs, or uploaded),
// W0 and a0 from the RNG streams the float64 reference draws from too.
import { teacherOf, type Resolved } from '../config/resolve';
import { STREAMS } from '../model/rng';
import type { Allocator } from './allocate';
import type { Block, Shared } from './buffers';
import { forward, transposeX } from './kernels/forward';
import { initLabels, initNeurons, initX } from './kernels/init';
import { residual } from './kernels/residual';
import { blockBytes, dimsBytes, initParamsBytes, type InitParams } from './layout';
import type { RunPlan } from './plan';
import { encode, type Dispatch, type GpuContext } from './program';
import type { Variants } from './variants';

/** Fills X, y, W, a and copies W, a to W0, a0 (and the mask to mask_0); the teacher's buffers are freed once done. */
export async function initialize(
  ctx: GpuContext, alloc: Allocator, c: Resolved, plan: RunPlan, s: Shared, blocks: readonly Block[], variants: Variants, labelValues?: Float64Array,
): Promise<void> {
  const device = ctx.device;
  const scratch: GPUBuffer[] = [];
  const made = (b: GPUBuffer) => (scratch.push(b), b);
  const params = (p: InitParams, label: string) => made(alloc.uniform(initParamsBytes(p), label));
  const init: Dispatch[] = [initX(ctx, params({ seed: c.seed, streamA: STREAMS.x, flag: c.data === 'sphere', count: c.n, d: c.d }, 'initX'), s.X, c.n)];
  // forward=gemm reads X through its transposed copy, made once (X never changes).
  if (s.XT) init.push(transposeX(ctx, s));
  const teacher = labelValues ? null : teacherOf(c);
  if (labelValues) {
    device.queue.writeBuffer(s.y, 0, Float32Array.from(labelValues));
  } else if (teacher && plan.teacher) {
    const { width, q, chunks } = plan.teacher;
    const tb = {
      count: width,
      uniform: made(alloc.uniform(blockBytes(0, width, 0, true), 'teacherBlock')),
      W: made(alloc.storage(width * plan.d4 * 16, 'teacherW')),
      a: made(alloc.storage(4 * width, 'teacherA')),
    };
    const dims = made(alloc.uniform(dimsBytes(c, plan.lossParts, plan.rowCap, { m: width, chunks, q, kappa: teacher.outputScale }), 'teacherDims'));
    const zeros = made(alloc.storage(4 * c.n, 'zeros'));
    const tp = { seed: c.seed, streamA: STREAMS.teacherW, streamB: STREAMS.teacherA, flag: false, count: width, d: c.d, scaleA: teacher.wScale, scaleB: teacher.aScale };
    init.push(initNeurons(ctx, params(tp, 'initTeacher'), tb.W, tb.a, width));
    init.push(forward(ctx, { ...s, q }, tb, { dims }));
    init.push(residual(ctx, s, tb, variants.residual, { dims, y: zeros, into: s.y }));
  } else if (c.labels.kind === 'sign' || c.labels.kind === 'gaussian') {
    init.push(initLabels(ctx, params({ seed: c.seed, streamA: STREAMS.labels, flag: c.labels.kind === 'sign', count: c.n, d: c.d }, 'initLabels'), s.y, c.n));
  }
  blocks.forEach((b, i) => {
    const p = { seed: c.seed, streamA: STREAMS.w, streamB: STREAMS.a, flag: c.outputInit === 'sign', count: b.count, offset: b.offset, d: c.d, scaleA: c.wScale, scaleB: c.aScale };
    init.push(initNeurons(ctx, params(p, `initNeurons${i}`), b.W, b.a, b.count));
  });
  // stats=masks: mask_0 is the mask of the forward pass at W0 (the step's own kernel, so that
  // flips count exactly where the backward sees a sign change).
  const masked = blocks.filter((b) => b.mask && b.mask0);
  for (const b of masked) init.push(forward(ctx, s, b, { variant: variants.forward, tile: variants.tile, epilogue: variants.epilogue }));
  const enc = device.createCommandEncoder({ label: 'init' });
  const pass = enc.beginComputePass();
  for (const d of init) encode(pass, d);
  pass.end();
  for (const b of blocks) {
    enc.copyBufferToBuffer(b.W, 0, b.W0, 0, b.W.size);
    enc.copyBufferToBuffer(b.a, 0, b.a0, 0, b.a.size);
  }
  for (const b of masked) enc.copyBufferToBuffer(b.mask!, 0, b.mask0!, 0, b.mask!.size);
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  for (const b of scratch) alloc.release(b);
}
