import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { createCpuTrainer } from '../../src/train/trainer';
import { initialState } from '../../src/reference/init';
import { denseTangentKernel } from '../../src/reference/tangent';
import { symmetricEigen } from '../../src/spectrum/eigen';

describe('instruments on the float64 reference', () => {
  it('the conserved quantity drifts by O(η²) per step', async () => {
    const drift = async (eta: number) => {
      const c = resolveConfig(buildConfig({ n: 20, d: 5, m: 24, steps: 1, etaW: String(eta), etaA: String(eta / 10) }));
      const res = await (await createCpuTrainer(c)).run();
      return res.rows[res.rows.length - 1].conserved_drift;
    };
    const [d1, d2, d3] = [await drift(0.02), await drift(0.01), await drift(0.005)];
    expect(d1).toBeGreaterThan(0);
    expect(d1 / d2).toBeGreaterThan(3.6);
    expect(d1 / d2).toBeLessThan(4.4);
    expect(d2 / d3).toBeGreaterThan(3.8);
    expect(d2 / d3).toBeLessThan(4.2);
  });

  it('adversarial labels are √n · the unit eigenvector of λ_min(H_0) at the run’s rates', async () => {
    const c = resolveConfig(buildConfig({ n: 30, d: 5, m: 40, steps: 0, labels: 'adversarial', etaW: '0.01', etaA: '0.001' }));
    const t = await createCpuTrainer(c);
    const y = Float64Array.from((await t.readTensors()).y);
    const st = initialState(c);
    const H = denseTangentKernel(st.X, st.W, st.a, c.n, c.d, c.m, c.outputScale, c.etaW, c.etaA);
    const { values } = symmetricEigen(H, c.n);
    const norm2 = y.reduce((s, v) => s + v * v, 0);
    expect(norm2).toBeCloseTo(c.n, 4);
    const Hy = await t.tangentProduct(Float64Array.from(y), c.etaW, c.etaA);
    const residual = Math.sqrt(Hy.reduce((s, v, i) => s + (v - values[0] * y[i]) ** 2, 0));
    // float32 storage of y bounds the residual at about 1e-7·λ_max·√n.
    expect(residual).toBeLessThan(1e-5 * values[c.n - 1] * Math.sqrt(c.n));
  });

  it('logs the kernel prediction beside the loss, equal to it at step 0', async () => {
    const c = resolveConfig(buildConfig({ n: 24, d: 6, m: 32, steps: 50, logEvery: 25, linearized: true }));
    const res = await (await createCpuTrainer(c)).run();
    expect(res.rows[0].loss_kernel).toBeCloseTo(res.rows[0].loss, 9);
    expect(res.rows.every((r) => Number.isFinite(r.loss_kernel))).toBe(true);
    expect(res.rows[2].loss_kernel).toBeLessThan(res.rows[0].loss_kernel);
  });
});
