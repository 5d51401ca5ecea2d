import { describe, expect, it } from 'vitest';
import { resolveConfig, withLambdas } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { suggestedRates, type SetupEvent } from '../../src/train/instruments';
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

describe("a diverged run's suggested rates", () => {
  it('give each trained layer an equal share of the rate factor in the bound η_W·λ_W + η_a·λ_a at initialization', () => {
    const c = resolveConfig(buildConfig({ n: 16, d: 4, m: 16, etaW: '50', etaA: '0.01', rateFactor: '0.5' }));
    const s = suggestedRates(c);
    expect(s.lambdaMax).toBeCloseTo(50 * c.lambdaW + 0.01 * c.lambdaA, 12);
    // η_W far past its share comes down to it; η_a, within its share, is only halved.
    expect(s.etaW).toBeCloseTo(0.25 / c.lambdaW, 12);
    expect(s.etaA).toBe(Math.min(0.005, 0.25 / c.lambdaA));
    expect(s.bound).toBeLessThanOrEqual(0.5 + 1e-12);
    expect(s).toMatchObject({ target: 0.5, from: 'initialization (λ_W by rough estimate, λ_a by rough estimate)' });
  });

  it('leave an automatic layer at half its rate when the other layer\'s given rate caused the divergence', () => {
    const c = withLambdas(resolveConfig(buildConfig({ n: 16, d: 4, m: 16, etaW: '50', rateFactor: '0.5' })), 3, 7, true);
    const s = suggestedRates(c);
    expect(s.etaA).toBeCloseTo(c.etaA / 2, 12);
    expect(s.etaW).toBeCloseTo(0.25 / 3, 12);
    expect(s.from).toBe('initialization (λ_W by rough estimate, λ_a by power iteration)');
  });

  it('say which λ were measured, and aim at most at 1 (half the edge of stability)', () => {
    const auto = resolveConfig(buildConfig({ n: 16, d: 4, m: 16, rateFactor: '2' }));
    const s = suggestedRates(withLambdas(auto, 3, 7, true));
    // η = 2/3 and 2/7: the bound is 4, the target 1, each layer's share ½.
    expect(s).toMatchObject({ lambdaMax: 4, target: 1, bound: 1, from: 'initialization (λ_W by power iteration, λ_a by power iteration)' });
    expect(s.etaW).toBeCloseTo(0.5 / 3, 12);
  });

  it('at least halve the rates where the bound was already below the target (the run sharpened), and leave out a frozen layer', () => {
    const c = resolveConfig(buildConfig({ n: 16, d: 4, m: 16, etaW: '1e-4', etaA: '0' }));
    expect(suggestedRates(c)).toMatchObject({ etaW: 5e-5, etaA: 0, from: 'initialization (λ_W by rough estimate)' });
  });
});

describe('setup', () => {
  it('announces each phase of initialization and counts its products', async () => {
    const c = resolveConfig(buildConfig({ n: 12, d: 4, m: 8, steps: 1, labels: 'adversarial', linearized: true }));
    const events: SetupEvent[] = [];
    const t = await createCpuTrainer(c, undefined, (e) => events.push(e));
    const phases = events.filter((e) => !e.progress).map((e) => e.phase);
    expect(phases).toEqual([
      'λ_max(H_W) by power iteration (automatic rate)',
      'λ_max(H_a) by power iteration (automatic rate)',
      'the dense 12×12 H_0 (--linearized)',
      'eigendecomposition of the 12×12 H_0',
    ]);
    // Each power iteration's products, counted 1, 2, … after its phase began.
    const counts = events.filter((e) => e.phase === phases[0] && e.progress).map((e) => e.progress!.done);
    expect(counts.length).toBeGreaterThan(1);
    expect(counts).toEqual(counts.map((_, k) => k + 1));
    expect(t.setupSeconds).toBeGreaterThan(0);
  });
});
