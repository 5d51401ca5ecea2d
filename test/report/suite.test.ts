// The experiment suite's plan: which runs it trains, their budgets, and how it moves the rate ratio.
import { describe, expect, it } from 'vitest';
import { buildSuite, distinctRuns, ratesFor, stepBudget, widthsOf } from '../../src/report/suite';

describe('the experiment suite', () => {
  it('trains each shared run once, at explicit stable rates, with budgets that grow with n and 1/c', () => {
    const suite = buildSuite('default');
    const p = suite.params;
    const runs = distinctRuns(suite);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    // The sign-label runs of chart b at n = 64 are critical-width runs: trained once.
    const planned = suite.experiments.reduce((s, e) => s + e.runs.length, 0);
    expect(runs.length).toBeLessThan(planned);
    // Derived ratio runs come after the auto run they scale.
    runs.forEach((r, k) => { if (r.baseId) expect(runs.findIndex((b) => b.id === r.baseId)).toBeLessThan(k); });
    // The headline: n from 16 to 128, ≥ 20 seeds per width, c ≤ 0.1 passed explicitly.
    expect(p.critical.ns[0]).toBe(16);
    expect(Math.max(...p.critical.ns)).toBeGreaterThanOrEqual(128);
    expect(p.critical.seeds).toBeGreaterThanOrEqual(20);
    expect(p.labels.seeds).toBeGreaterThanOrEqual(20);
    for (const e of suite.experiments.filter((x) => x.id !== 'stepsize'))
      e.runs.forEach((r) => expect(r.settings.rateFactor).toBe(p.rateFactor));
    expect(p.rateFactor).toBeLessThanOrEqual(0.1);
    expect(stepBudget(p, 128)).toBe(2 * stepBudget(p, 64));
    expect(stepBudget(p, 64, p.rateFactor / 2)).toBe(2 * stepBudget(p, 64));
    // The lazy runs keep their tensors (and only they, and any run they share).
    const lazy = new Set(suite.experiments.find((e) => e.id === 'lazy')!.runs.map((r) => r.id));
    runs.forEach((r) => expect(Boolean(r.keep.tensors)).toBe(lazy.has(r.id)));
    expect(widthsOf([0.5, 0.71, 1], 16, 8)).toEqual([1, 2]);

    const auto = { etaW: 0.02, etaA: 0.001 };
    expect(ratesFor(auto, 10)).toEqual({ etaW: 0.02, etaA: 0.0001 });
    expect(ratesFor(auto, 0.1)).toEqual({ etaW: 0.002, etaA: 0.001 });
    expect(ratesFor(auto, 1)).toEqual(auto);
  });
});
