// The GPU tangent-kernel product (vjp entry of backward_update.wgsl, then the jvp entry of forward.wgsl) against its
// float64 twin, and the instruments built on it.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { createGpuTrainer } from '../../src/train/trainer';
import { denseTangentKernel, tangentProduct } from '../../src/reference/tangent';
import { initialState } from '../../src/reference/init';
import { symmetricEigen } from '../../src/spectrum/eigen';
import { createCpuTrainer } from '../../src/train/trainer';
import { gpu, maxRelErr } from '../support/gpu';

describe('tangent-kernel product on the GPU', () => {
  it('matches the reference H v for each block and both, over neuron blocks', async () => {
    const dev = await gpu();
    const c = resolveConfig(buildConfig({ n: 40, d: 6, m: 96, blockNeurons: 32, etaW: '0.01', etaA: '0.001' }));
    const t = await createGpuTrainer(dev.device, dev.info, c);
    const tensors = await t.readTensors();
    const state = { X: Float64Array.from(tensors.X), W: Float64Array.from(tensors.W), a: Float64Array.from(tensors.a) };
    const v = Float64Array.from({ length: c.n }, (_, i) => Math.sin(1 + i));
    for (const [etaW, etaA] of [[1, 0], [0, 1], [0.3, 0.7]]) {
      const got = await t.tangentProduct(v, etaW, etaA);
      const want = tangentProduct(state, c, v, etaW, etaA);
      const scale = Math.max(...want.map(Math.abs));
      expect(maxRelErr(got, want, scale)).toBeLessThan(1e-5);
    }
    t.dispose();
  });

  it('sets auto rates from λ_max measured by power iteration, the same on both backends, and they are stable', async () => {
    const dev = await gpu();
    const c = resolveConfig(buildConfig({ n: 48, d: 8, m: 64, steps: 400, rateFactor: 0.5 }));
    const g = await createGpuTrainer(dev.device, dev.info, c);
    const cpu = await createCpuTrainer(c);
    expect(g.config.lambdaMeasured).toBe(true);
    expect(g.config.rateRule.etaW).toMatch(/power iteration/);
    expect(Math.abs(g.config.etaW - cpu.config.etaW) / cpu.config.etaW).toBeLessThan(1e-5);
    expect(Math.abs(g.config.etaA - cpu.config.etaA) / cpu.config.etaA).toBeLessThan(1e-5);
    expect(g.config.etaW).toBeCloseTo(0.5 / g.config.lambdaW, 12);
    const result = await g.run();
    expect(result.outcome).not.toBe('diverged');
    expect(result.rows[result.rows.length - 1].loss_ratio).toBeLessThan(0.05);
  });

  it('logs λ_min and λ_max of H_t at logged steps (--spectrum), matching the reference', async () => {
    const dev = await gpu();
    const c = resolveConfig(buildConfig({ n: 24, d: 6, m: 32, steps: 20, logEvery: 10, etaW: '0.02', etaA: '0.002', spectrum: true }));
    const got = await (await createGpuTrainer(dev.device, dev.info, c)).run();
    const want = await (await createCpuTrainer(c)).run();
    expect(got.rows.map((r) => r.step)).toEqual([0, 10, 20]);
    got.rows.forEach((r, k) => {
      expect(Math.abs(r.lambda_max - want.rows[k].lambda_max) / want.rows[k].lambda_max).toBeLessThan(1e-4);
      expect(Math.abs(r.lambda_min - want.rows[k].lambda_min)).toBeLessThan(1e-4 * want.rows[k].lambda_max);
      expect(r.sharpness_ratio).toBe(r.lambda_max / 2);
    });
    expect(want.rows[0].lambda_min).toBeGreaterThan(0);
  });

  it('monitors the sharpness λ_max(H_t) at logged steps: the dense eigendecomposition at step 0, the reference after', async () => {
    const dev = await gpu();
    const c = resolveConfig(buildConfig({ n: 24, d: 6, m: 32, steps: 40, logEvery: 10, etaW: '0.02', etaA: '0.002' }));
    const got = await (await createGpuTrainer(dev.device, dev.info, c)).run();
    const want = await (await createCpuTrainer(c)).run();
    const st = initialState(c);
    const first = symmetricEigen(denseTangentKernel(st.X, st.W, st.a, c.n, c.d, c.m, c.outputScale, c.etaW, c.etaA), c.n).values[c.n - 1];
    expect(Math.abs(got.rows[0].sharpness - first) / first).toBeLessThan(1e-4);
    expect(got.rows.map((r) => r.step)).toEqual([0, 10, 20, 30, 40]);
    got.rows.forEach((r, k) => expect(Math.abs(r.sharpness - want.rows[k].sharpness) / want.rows[k].sharpness).toBeLessThan(1e-4));
    expect(got.peakSharpness).toBe(Math.max(...got.rows.map((r) => r.sharpness)));
  });
});
