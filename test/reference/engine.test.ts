import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { referenceRefuses } from '../../src/reference/engine';
import { cpuBackend } from '../../src/train/backend';
import { createCpuTrainer } from '../../src/train/trainer';

const small = { n: 24, d: 6, m: 16, steps: 300 };

describe('float64 reference trainer', () => {
  it('drives a small over-parametrized problem to L/L0 < eps and says when', async () => {
    const c = resolveConfig(buildConfig({ ...small, m: 48, steps: 20_000, eps: 1e-6 }));
    const res = await (await createCpuTrainer(c)).run();
    expect(res.outcome).toBe('converged');
    const last = res.rows[res.rows.length - 1];
    expect(last.step).toBe(res.stepsDone);
    expect(last.loss_ratio).toBeLessThan(1e-6);
    expect(res.stepsToEps).toBe(res.stepsDone);
    expect(res.rows[0]).toMatchObject({ step: 0, loss_ratio: 1, rel_move_w: 0, rel_move_a: 0, flip_frac: 0 });
  });

  it('stops at a diverging rate, keeps finite rows, and suggests smaller rates', async () => {
    const c = resolveConfig(buildConfig({ ...small, etaW: '5', etaA: '5', rateFactor: '0.5' }));
    const res = await (await createCpuTrainer(c)).run();
    expect(res.outcome).toBe('diverged');
    expect(res.stepsDone).toBeLessThan(50);
    expect(res.rows.every((r) => Number.isFinite(r.loss))).toBe(true);
    expect(res.rows[res.rows.length - 1].loss_ratio).toBeGreaterThan(c.divergeAt);
    // Each layer brought to half the rate factor in the bound on λ_max(H_0), 5·λ_W + 5·λ_a.
    const s = res.suggested!;
    expect(s).toMatchObject({ lambdaMax: 5 * c.lambdaW + 5 * c.lambdaA, target: 0.5 });
    expect(s.etaW).toBeCloseTo(Math.min(2.5, 0.25 / c.lambdaW), 12);
    expect(s.etaA).toBeCloseTo(Math.min(2.5, 0.25 / c.lambdaA), 12);
    expect(s.bound).toBeLessThanOrEqual(0.5 + 1e-12);
  });

  it('resumes after an abort exactly where an uninterrupted run would be', async () => {
    const c = resolveConfig(buildConfig({ ...small, logEvery: 50 }));
    const whole = await (await createCpuTrainer(c)).run();
    const t = await createCpuTrainer(c);
    const stop = new AbortController();
    // The loop stops at the next submit boundary: the first submit holds a few steps.
    const first = await t.run({ signal: stop.signal, onRow: () => stop.abort() });
    expect(first.outcome).toBe('stopped');
    expect(first.stepsDone).toBeGreaterThan(0);
    expect(first.stepsDone).toBeLessThan(300);
    const rest = await t.run();
    expect(rest.stepsDone).toBe(300);
    const byStep = new Map(rest.rows.map((r) => [r.step, r]));
    for (const r of whole.rows) expect(byStep.get(r.step)).toEqual(r);
    expect(new Set(rest.rows.map((r) => r.step)).size).toBe(rest.rows.length);
  });

  it('runs past eps with stopAtEps = false and still records the first step below it', async () => {
    const c = resolveConfig(buildConfig({ ...small, m: 48, steps: 3000, eps: 1e-2, stopAtEps: false }));
    const res = await (await createCpuTrainer(c)).run();
    expect(res.outcome).toBe('max_steps');
    expect(res.stepsDone).toBe(3000);
    expect(res.stepsToEps).toBeGreaterThan(0);
    expect(res.stepsToEps).toBeLessThan(3000);
  });

  it('refuses, in one line naming m, a run whose step would not fit in 32-bit WebAssembly memory', () => {
    expect(referenceRefuses({ n: 64, d: 128, m: 1_000_000 })).toBeNull();
    const huge = resolveConfig(buildConfig({ n: 64, d: 128, m: 3_000_000 }));
    const why = referenceRefuses(huge)!;
    expect(why).toMatch(/at most 4\.0 GiB of WebAssembly memory; this run needs 5\.9 GiB; at n=64 d=128 the largest m that fits is \d+$/);
    // The largest m that fits does, and one more does not.
    const largest = Number(why.split(' ').at(-1));
    expect(referenceRefuses({ n: 64, d: 128, m: largest })).toBeNull();
    expect(referenceRefuses({ n: 64, d: 128, m: largest + 1 })).not.toBeNull();
    // After the backend's own budget, which passes here.
    expect(() => cpuBackend(() => {}).check(huge)).toThrow(/^--m \(m\) too large: the CPU reference's step/);
  });
});
