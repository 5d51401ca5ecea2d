import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig, type Resolved } from '../../src/config/resolve';
import { buildConfig, type SettingKey } from '../../src/config/schema';
import { createGpuTrainer } from '../../src/train/trainer';
import { VARIANTS, type Variants } from '../../src/gpu/variants';
import { createCpuTrainer } from '../../src/train/trainer';
import type { RunOptions, Trainer } from '../../src/train/trainer';
import { gpu } from '../support/gpu';
import { registerTuneCache, sameVariants, tuneCandidates, tuneKey, type TunedChoice } from '../../src/gpu/autotune';

// c = 0.5: 200 steps that move the loss and the activations far (the default c = 0.1 moves them a fifth as far).
// No stability monitor (its products are compared in tangent.gpu.test.ts and below, in the
// resumed run): on SwiftShader each product is a round trip of about 20 ms.
const base = { n: 48, d: 8, m: 64, steps: 200, rateFactor: 0.5, sharpnessProducts: 0 };
const GEMM = { tile: '128x128', split: '1', epilogue: 'memory' } as const;

// Every trainer a test made is disposed after it: its buffers and its device listener go.
const made: { dispose(): void }[] = [];
afterEach(() => made.splice(0).forEach((t) => t.dispose()));

async function trainer(c: Resolved, labels?: Float64Array, variants?: Partial<Variants>) {
  const dev = await gpu();
  const t = await createGpuTrainer(dev.device, dev.info, c, labels, variants);
  made.push(t);
  return t;
}

async function gpuRun(given: Partial<Record<SettingKey, unknown>>, options?: RunOptions, variants?: Partial<Variants>) {
  const t = await trainer(resolveConfig(buildConfig(given)), undefined, variants);
  const result = await t.run(options);
  const tensors = await t.readTensors();
  return { t, result, tensors };
}

describe('GPU engine', () => {
  // Every variant of each kernel (forward, residual, backward_update, neuron_stats) runs the whole loop.
  const combos: Variants[] = [
    { forward: 'simple', residual: 'wide', backward: 'simple', stats: 'simple', loops: 'kept', ...GEMM },
    { forward: 'tiled', residual: 'wide', backward: 'tiled', stats: 'tiled', loops: 'kept', ...GEMM },
    // SwiftShader's choice: the metrics from the masks, the gradient norms from the backward's logging pass.
    { forward: 'blocked', residual: 'narrow', backward: 'masked', stats: 'masks', loops: 'unrolled', ...GEMM },
    // The CPU-driver kernels with their loops kept (lavapipe's at d > 32), the statistics recomputed beside the mask.
    { forward: 'blocked', residual: 'narrow', backward: 'masked', stats: 'simple', loops: 'kept', ...GEMM },
    // The gemm kernels, the backward split over n (its second, reducing dispatch, also logging);
    // the forward's epilogue by subgroups (through memory on an adapter without them, below).
    { forward: 'gemm', residual: 'narrow', backward: 'gemm', stats: 'masks', loops: 'unrolled', tile: '64x64', split: '2', epilogue: 'subgroup' },
  ];
  it('runs under WebGPU’s guaranteed 8 storage buffers per kernel, as every test here does', async () => {
    expect((await gpu()).device.limits.maxStorageBuffersPerShaderStage).toBe(8);
  });

  // The gemm kernels' tiles, splits and epilogues are settings of two of them, each tested in test/gpu/kernels.
  it('runs every variant of every kernel below', () => {
    for (const k of Object.keys(VARIANTS).filter((k) => !['tile', 'split', 'epilogue'].includes(k)) as (keyof Variants)[]) expect(new Set(combos.map((v) => v[k]))).toEqual(new Set(VARIANTS[k]));
  });

  // The float64 run every combo is compared with, made once.
  let reference: ReturnType<Trainer['run']> | null = null;
  it.each(combos)('matches the float64 reference at every logged step of a 200-step run ($forward, $residual, $backward, $stats, loops $loops)', async (given) => {
    const variants: Variants = (await gpu()).info.subgroupMinSize ? given : { ...given, epilogue: 'memory' };
    reference ??= createCpuTrainer(resolveConfig(buildConfig(base))).then((t) => t.run());
    const cpu = await reference;
    const { result, t } = await gpuRun(base, undefined, variants);
    expect(t.engine.variants).toEqual(variants);
    expect(result.outcome).toBe('max_steps');
    expect(result.rows.map((r) => r.step)).toEqual(cpu.rows.map((r) => r.step));
    expect(result.rows.length).toBeGreaterThan(30);
    cpu.rows.forEach((want, k) => {
      const got = result.rows[k];
      expect(Math.abs(got.loss - want.loss) / want.loss, `loss at step ${want.step}`).toBeLessThan(1e-4);
      expect(Math.abs(got.loss_ratio - want.loss_ratio) / want.loss_ratio).toBeLessThan(1e-4);
      for (const key of ['rel_move_w', 'rel_move_a', 'max_neuron_move'] as const)
        expect(Math.abs(got[key] - want[key]), `${key} at step ${want.step}`).toBeLessThan(1e-4 * (want[key] + 1e-3));
      // The gradient is formed from r = f − y, which loses float32 digits to cancellation as L
      // falls, and the auto rates sit near the stability edge, which amplifies differences.
      expect(Math.abs(got.grad_norm - want.grad_norm), `grad_norm at step ${want.step}`).toBeLessThan(5e-3 * want.grad_norm);
      expect(Math.abs(got.flip_frac - want.flip_frac)).toBeLessThan(1e-3);
      expect(got.dead_frac).toBe(want.dead_frac);
    });
    // The run did something: the loss fell and the weights moved.
    expect(cpu.rows[cpu.rows.length - 1].loss_ratio).toBeLessThan(0.1);
    expect(cpu.rows[cpu.rows.length - 1].flip_frac).toBeGreaterThan(0.01);
  });

  // After the gemm combo above: its pipelines are the device's already, so the candidates compile little here.
  it('autotunes on the adapter: measures each candidate (compiled asynchronously), keeps the fastest, answers from its cache next', async () => {
    const dev = await gpu();
    const stored = new Map<string, TunedChoice>();
    registerTuneCache(dev.device, { get: async (k) => stored.get(k), set: async (k, v) => { stored.set(k, v); } });
    const forced = { tile: '64x64', split: '2' } as const;
    const c = resolveConfig(buildConfig({ ...base, steps: 5, autotune: 'refresh' }));
    const shape = { d4: 2, n: c.n, m: c.m, q: c.chunkNeurons };
    const candidates = tuneCandidates(dev.info, dev.device.limits, shape, forced);
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    const tuned = (await trainer(c, undefined, forced)).engine;
    expect(tuned.tuning).toMatchObject({ from: 'measured', choice: { candidates: candidates.length } });
    expect(candidates.some((v) => sameVariants(v, tuned.variants))).toBe(true);
    expect([...stored.keys()]).toEqual([tuneKey(dev.info, shape)]);
    const again = (await trainer({ ...c, autotune: 'on' }, undefined, forced)).engine;
    expect(again.tuning).toEqual({ choice: tuned.tuning!.choice, from: 'cache' });
  });

  it('is deterministic: the same config and seed give identical bits', async () => {
    const a = await gpuRun(base);
    const b = await gpuRun(base);
    expect(b.result.rows).toEqual(a.result.rows);
    expect(b.tensors).toEqual(a.tensors);
    // Another seed: its first row already differs.
    const other = await gpuRun({ ...base, seed: 2, steps: 1 });
    expect(other.result.rows[0].loss).not.toBe(a.result.rows[0].loss);
  });

  it('gives the same bits with neurons split into many small blocks', async () => {
    const one = await gpuRun({ ...base, m: 96 });
    const many = await gpuRun({ ...base, m: 96, blockNeurons: 16 });
    expect(many.result.rows).toEqual(one.result.rows);
    expect(many.tensors.W).toEqual(one.tensors.W);
    expect(many.tensors.a).toEqual(one.tensors.a);
  });

  it('stops a diverging run at once, keeping finite rows and state, and suggests smaller rates', async () => {
    const { t, result, tensors } = await gpuRun({ ...base, etaW: '5', etaA: '5' });
    const c = t.config;
    expect(result.outcome).toBe('diverged');
    expect(result.stepsDone).toBeLessThan(50);
    const last = result.rows[result.rows.length - 1];
    expect(last.step).toBe(result.stepsDone);
    expect(last.loss_ratio).toBeGreaterThan(1e4);
    expect(result.rows.every((r) => Number.isFinite(r.loss))).toBe(true);
    expect(tensors.W.every(Number.isFinite)).toBe(true);
    // Each layer brought to half the rate factor in the bound on λ_max(H_0), 5·λ_W + 5·λ_a.
    const s = result.suggested!;
    expect(s).toMatchObject({ lambdaMax: 5 * c.lambdaW + 5 * c.lambdaA, target: 0.5 });
    expect(s.etaW).toBeCloseTo(Math.min(2.5, 0.25 / c.lambdaW), 12);
    expect(s.bound).toBeLessThanOrEqual(0.5 + 1e-12);
  });

  it('stops at success, and resumes after an abort exactly where it would have been', async () => {
    // The monitor on, at fewer logged steps: a resumed run's sharpness is an uninterrupted run's too.
    const given = { n: 24, d: 6, m: 48, steps: 20_000, logEvery: 500, eps: 1e-3, sharpnessProducts: 4, rateFactor: 0.5 };
    const whole = await gpuRun(given);
    expect(whole.result.outcome).toBe('converged');
    expect(whole.result.rows[whole.result.rows.length - 1].loss_ratio).toBeLessThan(1e-3);
    expect(whole.result.stepsToEps).toBe(whole.result.stepsDone);

    const stop = new AbortController();
    const t = await trainer(resolveConfig(buildConfig(given)));
    // Stopped at the first row: the loop ends after the submits already in flight (a few steps
    // each at the start), wherever the run would converge.
    const first = await t.run({ signal: stop.signal, onRow: () => stop.abort() });
    expect(first.outcome).toBe('stopped');
    expect(first.stepsDone).toBeGreaterThan(0);
    expect(first.stepsDone).toBeLessThan(whole.result.stepsDone);
    const rest = await t.run();
    expect(rest.outcome).toBe('converged');
    expect(rest.stepsDone).toBe(whole.result.stepsDone);
    const byStep = new Map(rest.rows.map((r) => [r.step, r]));
    for (const r of whole.result.rows) expect(byStep.get(r.step)).toEqual(r);
    expect(await t.readTensors()).toEqual(whole.tensors);
  });

  it('trains on given label values', async () => {
    const c = resolveConfig(buildConfig({ ...base, steps: 5 }));
    const labels = Float64Array.from({ length: base.n }, (_, i) => Math.cos(i));
    const t = await trainer(c, labels);
    await t.run();
    expect((await t.readTensors()).y).toEqual(Float32Array.from(labels));
    const cpu = await (await createCpuTrainer(c, labels)).run();
    expect(Math.abs((await t.run()).loss0 - cpu.loss0) / cpu.loss0).toBeLessThan(1e-5);
  });
});
