// The stability monitor (sharpness = λ_max(H_t) by warm-started Lanczos at logged steps) on the
// float64 reference, against a dense eigendecomposition of the same H_t.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { STATE_COLUMNS } from '../../src/model/metrics';
import { initialState } from '../../src/reference/init';
import { denseTangentKernel } from '../../src/reference/tangent';
import { symmetricEigen } from '../../src/spectrum/eigen';
import { stabilityWarning } from '../../src/train/summary';
import { createCpuTrainer } from '../../src/train/trainer';
import { denseLambdaMax } from '../support/spectrum';

describe('the stability monitor', () => {
  const given = { n: 40, d: 6, m: 32, steps: 300, logEvery: 50, rateFactor: 0.3 };

  it('gives λ_max(H_t) of the dense eigendecomposition, at initialization and at the last step', async () => {
    const c = resolveConfig(buildConfig(given));
    const t = await createCpuTrainer(c);
    const r = await t.run();
    expect(r.rows.map((row) => row.step)).toEqual([0, 50, 100, 150, 200, 250, 300]);
    const st = initialState(t.config);
    const H0 = denseTangentKernel(st.X, st.W, st.a, c.n, c.d, c.m, c.outputScale, t.config.etaW, t.config.etaA);
    const first = symmetricEigen(H0, c.n).values[c.n - 1];
    // 8 products of 40: the first from a random start, the last warm-started.
    expect(Math.abs(r.rows[0].sharpness - first) / first).toBeLessThan(1e-3);
    const last = await denseLambdaMax(t);
    expect(Math.abs(r.rows.at(-1)!.sharpness - last) / last).toBeLessThan(1e-6);
    // A Ritz value: never above λ_max.
    expect(r.rows.at(-1)!.sharpness).toBeLessThanOrEqual(last * (1 + 1e-12));
    expect(r.peakSharpness).toBe(Math.max(...r.rows.map((row) => row.sharpness)));
    expect(r.maxConservedDrift).toBe(Math.max(...r.rows.map((row) => row.conserved_drift)));
  });

  it('only reads the state: the trajectory is the same with the monitor off, which leaves the column empty', async () => {
    const on = await (await createCpuTrainer(resolveConfig(buildConfig(given)))).run();
    const off = await (await createCpuTrainer(resolveConfig(buildConfig({ ...given, sharpnessProducts: 0 })))).run();
    for (const k of STATE_COLUMNS) expect(off.rows.map((row) => row[k]), k).toEqual(on.rows.map((row) => row[k]));
    expect(off.rows.every((row) => Number.isNaN(row.sharpness))).toBe(true);
    expect(off.peakSharpness).toBeNull();
  });

  it('warns at the edge of stability, and only there', () => {
    expect(stabilityWarning({ step: 7, sharpness: 2.1 })).toMatch(/^edge of stability: the outcome depends on the step size \(.*2\.100 ≥ 2 at step 7/);
    expect(stabilityWarning({ step: 7, sharpness: 1.99 })).toBeNull();
    expect(stabilityWarning({ step: 7, sharpness: NaN })).toBeNull();
  });
});
