// The step budget: the rule of `steps auto` (budgetMultiple / λ_min(H_0), capped), the verdict
// on a run that ran out of steps (still descending or stalled), and the outcome line.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { initialState } from '../../src/reference/init';
import { denseTangentKernel } from '../../src/reference/tangent';
import { symmetricEigen } from '../../src/spectrum/eigen';
import { budgetOf, lastDecadeSlope } from '../../src/train/run_loop';
import { outcomeLine } from '../../src/train/summary';
import { createCpuTrainer } from '../../src/train/trainer';

describe('steps auto', () => {
  const given = { n: 20, d: 5, m: 24, steps: 'auto', budgetMultiple: '3' };

  it('gives budgetMultiple / λ_min(H_0) steps at the measured rates, recorded in the config', async () => {
    const t = await createCpuTrainer(resolveConfig(buildConfig(given)));
    const c = t.config;
    const st = initialState(c);
    const lambdaMin = symmetricEigen(denseTangentKernel(st.X, st.W, st.a, c.n, c.d, c.m, c.outputScale, c.etaW, c.etaA), c.n).values[0];
    expect(Math.abs(c.lambdaMin0! - lambdaMin)).toBeLessThan(1e-6 * c.etaW * c.lambdaW);
    expect(c.steps).toBe(Math.ceil(3 / c.lambdaMin0!));
    expect(c.steps).toBeGreaterThan(10);
    expect(c.stepsRule).toMatch(/^auto: min\(200000, 3\/λ_min\(H_0\)\)/);
    expect((await t.run()).rows.at(-1)!.step).toBeLessThanOrEqual(c.steps);
  });

  it('is capped by budgetCap, and a given number is kept as given', async () => {
    const capped = (await createCpuTrainer(resolveConfig(buildConfig({ ...given, budgetCap: '7' })))).config;
    expect(capped.steps).toBe(7);
    expect(capped.stepsRule).toMatch(/the cap budgetCap = 7$/);
    const fixed = resolveConfig(buildConfig({ n: 20, steps: '40' }));
    expect(fixed).toMatchObject({ steps: 40, stepsRule: 'given', lambdaMin0: null });
    expect(() => buildConfig({ m: 'auto' })).toThrow(/--m \(m\) must be an integer from 1 to 2\^31-1; got "auto"/);
  });
});

describe('the budget verdict', () => {
  const rows = (f: (t: number) => number) => [1, 10, 100, 200, 500, 1000].map((step) => ({ step, loss: f(step) }));

  it('fits the slope of log10 L against log10(t + 1) over the last logged decade', () => {
    expect(lastDecadeSlope(rows((t) => 5 / (t + 1) ** 2))).toBeCloseTo(-2, 12);
    // Only steps ≥ 100 count: the early fall is not the run's trend at its end.
    expect(lastDecadeSlope(rows((t) => (t < 100 ? 1e6 / t : 3)))).toBeCloseTo(0, 12);
    expect(lastDecadeSlope([{ step: 0, loss: 1 }])).toBeNull();
  });

  it('tells running out of steps while descending from stalling, and both from diverging', () => {
    expect(budgetOf('max_steps', false, -0.5, 0.1)).toBe('still_descending');
    expect(budgetOf('max_steps', false, -0.05, 0.1)).toBe('stalled');
    expect(budgetOf('max_steps', false, null, 0.1)).toBe('stalled');
    expect(budgetOf('max_steps', true, 0.3, 0.1)).toBe('reached_eps');
    expect(budgetOf('diverged', true, -1, 0.1)).toBe('diverged');
    expect(budgetOf('interrupted', false, -1, 0.1)).toBe('stopped');
  });
});

describe('the outcome line', () => {
  const final = (loss_ratio: number) => ({ loss_ratio }) as never;
  const base = { outcome: 'max_steps', steps_done: 2000, suggested: undefined, loss_slope: -0.02 } as const;

  it('with --stop-at-eps false says where eps was reached and whether the run ended below or back above it', () => {
    expect(outcomeLine({ eps: 1e-6 }, { ...base, steps_to_eps: 900, final: final(2e-7), budget: 'reached_eps' }))
      .toBe('L/L0 < eps = 0.000001 at step 900; ran on (stop-at-eps false) to step 2000, ending below eps at L/L0 = 2.000e-7');
    expect(outcomeLine({ eps: 1e-6 }, { ...base, steps_to_eps: 900, final: final(1.5e-5), budget: 'reached_eps' }))
      .toMatch(/ending back above eps at L\/L0 = 0.00001500$/);
  });

  it('says whether a run out of steps was still descending or had stalled', () => {
    expect(outcomeLine({ eps: 1e-6 }, { ...base, steps_to_eps: null, final: final(0.05), budget: 'stalled' }))
      .toBe('not converged after 2000 steps (L/L0 = 0.05000, eps = 0.000001): stalled (log10 L changed by -0.02000 per decade of steps over the last decade)');
    expect(outcomeLine({ eps: 1e-6 }, { ...base, steps_to_eps: null, final: final(0.05), budget: 'still_descending', loss_slope: -1.5 }))
      .toMatch(/ran out of steps while still descending .*a larger --steps may reach eps$/);
  });
});
