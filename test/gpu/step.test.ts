// The step program's schedule against a recording fake device and pass: which dispatches a
// step makes and what it costs the host in API calls. No adapter is needed.
import { describe, expect, it } from 'vitest';
import type { Block, Shared } from '../../src/gpu/buffers';
import { GpuContext } from '../../src/gpu/program';
import { stepProgram } from '../../src/gpu/step';
import type { Variants } from '../../src/gpu/variants';

// WebGPU's enum objects, where no WebGPU implementation has defined them.
Object.assign(globalThis, {
  GPUShaderStage: (globalThis as Record<string, unknown>).GPUShaderStage ?? { COMPUTE: 4 },
  GPUBufferUsage: (globalThis as Record<string, unknown>).GPUBufferUsage ?? { STORAGE: 128 },
});

/** A device whose objects are labelled tokens. */
function fakeDevice(): GPUDevice {
  const token = (kind: string) => (d: { label?: string }) => ({ kind, label: d.label ?? kind });
  return {
    createShaderModule: token('module'),
    createComputePipeline: token('pipeline'),
    createBindGroupLayout: token('bind group layout'),
    createPipelineLayout: token('pipeline layout'),
    createBindGroup: token('bind group'),
    createBuffer: token('buffer'),
  } as unknown as GPUDevice;
}

type Call = [string, string?, unknown?];

/** A compute pass that records every call. */
function recordingPass(): { pass: GPUComputePassEncoder; calls: Call[] } {
  const calls: Call[] = [];
  const pass = {
    setPipeline: (p: { label: string }) => calls.push(['setPipeline', p.label]),
    setBindGroup: (_: number, g: { label: string }) => calls.push(['setBindGroup', g.label, g]),
    dispatchWorkgroups: () => calls.push(['dispatch']),
  } as unknown as GPUComputePassEncoder;
  return { pass, calls };
}

const buffer = (label: string) => ({ label, size: 64 }) as unknown as GPUBuffer;

function program(blockCount: number, variants: Variants) {
  const ctx = new GpuContext(fakeDevice(), 2, false);
  const s: Shared = {
    dims: buffer('dims'), X: buffer('X'), y: buffer('y'), r: buffer('r'), partials: buffer('partials'), status: buffer('status'),
    chunkStats: buffer('chunkStats'), rows: buffer('rows'), n: 64, q: 16, lossPartCount: 2,
  };
  const blocks: Block[] = Array.from({ length: blockCount }, (_, i) => ({
    offset: 16 * i, count: 16, chunkOffset: i, uniform: buffer(`block${i}`), W: buffer(`W${i}`), a: buffer(`a${i}`),
    W0: buffer(`W0_${i}`), a0: buffer(`a0_${i}`), stats: buffer(`stats${i}`), mask: variants.backward === 'masked' ? buffer(`mask${i}`) : null,
    mask0: variants.stats === 'masks' ? buffer(`mask0_${i}`) : null,
  }));
  return stepProgram(ctx, s, blocks, variants, { step: buffer('modeStep'), record: buffer('modeRecord') });
}

const GPU: Variants = { forward: 'simple', residual: 'wide', backward: 'tiled', stats: 'tiled', loops: 'kept', tile: '128x128', split: '1', epilogue: 'memory' };
const CPU_DRIVER: Variants = { forward: 'blocked', residual: 'narrow', backward: 'masked', stats: 'simple', loops: 'kept', tile: '128x128', split: '1', epilogue: 'memory' };

const kinds = (calls: Call[]) => calls.map(([k, label]) => (k === 'dispatch' ? k : `${k} ${label}`));

describe('the step program', () => {
  it.each([GPU, CPU_DRIVER])('schedules forward, residual, backward_update: 3 dispatches and 6 API calls a one-block step ($backward)', (variants) => {
    const step = program(1, variants);
    const { pass, calls } = recordingPass();
    for (let k = 0; k < 3; k++) step.encodeStep(pass, false, false);
    const fwd = `setPipeline forward${variants.forward === 'simple' ? '' : `_${variants.forward}`}:main:{"WRITE_MASK":${variants.backward === 'masked' ? 1 : 0}}`;
    const bwd = `setPipeline backward_update_${variants.backward}:main:{}`;
    const res = 'setPipeline residual:main:{"RS":32,"RL":' + (variants.residual === 'wide' ? 8 : 2) + '}';
    // The step's three kernels share one bind group, bound once for the whole pass.
    expect(kinds(calls.slice(0, 7))).toEqual([fwd, 'setBindGroup step', 'dispatch', res, 'dispatch', bwd, 'dispatch']);
    expect(kinds(calls.slice(7))).toEqual([fwd, 'dispatch', res, 'dispatch', bwd, 'dispatch', fwd, 'dispatch', res, 'dispatch', bwd, 'dispatch']);
  });

  it('makes 2·blocks + 1 dispatches an unlogged step, and adds the loss, statistics and row where logged', () => {
    for (const blocks of [1, 2, 5]) {
      const step = program(blocks, GPU);
      const count = (log: boolean, record: boolean) => {
        const { pass, calls } = recordingPass();
        step.encodeStep(pass, log, record);
        return calls.filter(([k]) => k === 'dispatch').length;
      };
      expect(count(false, false)).toBe(2 * blocks + 1);
      // + loss, neuron_stats and chunk_reduce per block, metrics.
      expect(count(true, false)).toBe(2 * blocks + 1 + 2 * blocks + 2);
      // The closing record: no update.
      expect(count(false, true)).toBe(blocks + 1 + 2 * blocks + 2);
    }
    const names = [...program(2, GPU).kernels.keys()];
    expect(names).toEqual(['forward', 'residual', 'loss', 'backward_update', 'neuron_stats', 'chunk_reduce', 'metrics']);
  });

  it('takes the metrics from the masks with stats=masks: per block the mask statistics, then the backward’s logging pass', () => {
    const step = program(2, { ...CPU_DRIVER, stats: 'masks' });
    const { pass, calls } = recordingPass();
    step.encodeStep(pass, false, true);
    const pipelines = calls.filter(([k]) => k === 'setPipeline').map(([, label]) => label);
    expect(pipelines.filter((l) => /^(neuron_stats|masked_gradient_norms)/.test(l!))).toEqual([
      'neuron_stats_masks:main:{}', 'masked_gradient_norms:main:{}', 'neuron_stats_masks:main:{}', 'masked_gradient_norms:main:{}',
    ]);
    // The closing record updates nothing: the logging pass is no backward_update.
    expect(pipelines.some((l) => l!.startsWith('backward_update'))).toBe(false);
    expect(step.kernels.get('neuron_stats')).toHaveLength(4);
  });

  it('binds a logged row and the closing record to different metrics modes', () => {
    const step = program(1, GPU);
    const groups = (log: boolean, record: boolean) => {
      const { pass, calls } = recordingPass();
      step.encodeStep(pass, log, record);
      return calls.filter(([k]) => k === 'setBindGroup');
    };
    const logged = groups(true, false);
    const record = groups(false, true);
    expect(logged.map(([, label]) => label)).toEqual(['step', 'loss', 'neuron_stats', 'chunk_reduce', 'metrics', 'step']);
    expect(record.map(([, label]) => label)).toEqual(['step', 'loss', 'neuron_stats', 'chunk_reduce', 'metrics']);
    expect(record[4][2]).not.toBe(logged[4][2]);
    expect(groups(true, false)[4][2]).toBe(logged[4][2]);
  });
});
