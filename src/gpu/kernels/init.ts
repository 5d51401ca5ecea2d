import initLabelsSource from '../../../shaders/init_labels.wgsl?raw';
import initNeuronsSource from '../../../shaders/init_neurons.wgsl?raw';
import initXSource from '../../../shaders/init_x.wgsl?raw';
import { RNG } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const X_BINDINGS = bindingTable('init_x', [['p', 'uniform', 'InitParams'], ['X', 'read_write', 'array<vec4<f32>>']]);
const LABEL_BINDINGS = bindingTable('init_labels', [['p', 'uniform', 'InitParams'], ['y', 'read_write', 'array<f32>']]);
const NEURON_BINDINGS = bindingTable('init_neurons', [['p', 'uniform', 'InitParams'], ['W', 'read_write', 'array<vec4<f32>>'], ['a', 'read_write', 'array<f32>']]);
const INIT_X: KernelSource = { name: 'init_x', bindings: X_BINDINGS, libraries: [RNG], source: initXSource };
const INIT_LABELS: KernelSource = { name: 'init_labels', bindings: LABEL_BINDINGS, libraries: [RNG], source: initLabelsSource };
const INIT_NEURONS: KernelSource = { name: 'init_neurons', bindings: NEURON_BINDINGS, libraries: [RNG], source: initNeuronsSource };

/** X rows from the RNG; `params` is an InitParams uniform with count = n. */
export function initX(ctx: GpuContext, params: GPUBuffer, X: GPUBuffer, n: number): Dispatch {
  return { pipeline: ctx.pipeline(INIT_X), group: ctx.group(X_BINDINGS, { p: params, X }), x: Math.ceil(n / 64) };
}

export function initLabels(ctx: GpuContext, params: GPUBuffer, y: GPUBuffer, n: number): Dispatch {
  return { pipeline: ctx.pipeline(INIT_LABELS), group: ctx.group(LABEL_BINDINGS, { p: params, y }), x: Math.ceil(n / 64) };
}

export function initNeurons(ctx: GpuContext, params: GPUBuffer, W: GPUBuffer, a: GPUBuffer, count: number): Dispatch {
  return { pipeline: ctx.pipeline(INIT_NEURONS), group: ctx.group(NEURON_BINDINGS, { p: params, W, a }), x: Math.ceil(count / 64) };
}
