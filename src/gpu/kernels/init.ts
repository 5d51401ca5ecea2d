import initLabelsSource from '../../../shaders/init_labels.wgsl?raw';
import initNeuronsSource from '../../../shaders/init_neurons.wgsl?raw';
import initXSource from '../../../shaders/init_x.wgsl?raw';
import rng from '../../../shaders/rng.wgsl?raw';
import type { Dispatch, GpuContext } from '../program';

/** X rows from the RNG; `params` is an InitParams uniform with count = n. */
export function initX(ctx: GpuContext, params: GPUBuffer, X: GPUBuffer, n: number): Dispatch {
  const pipeline = ctx.pipeline('init_x', [rng, initXSource]);
  return { pipeline, group: ctx.bind(pipeline, [params, X]), x: Math.ceil(n / 64) };
}

export function initLabels(ctx: GpuContext, params: GPUBuffer, y: GPUBuffer, n: number): Dispatch {
  const pipeline = ctx.pipeline('init_labels', [rng, initLabelsSource]);
  return { pipeline, group: ctx.bind(pipeline, [params, y]), x: Math.ceil(n / 64) };
}

export function initNeurons(ctx: GpuContext, params: GPUBuffer, W: GPUBuffer, a: GPUBuffer, count: number): Dispatch {
  const pipeline = ctx.pipeline('init_neurons', [rng, initNeuronsSource]);
  return { pipeline, group: ctx.bind(pipeline, [params, W, a]), x: Math.ceil(count / 64) };
}
