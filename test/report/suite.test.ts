// The experiment suite's plan: which runs it trains, and how it moves the rate ratio.
import { describe, expect, it } from 'vitest';
import { buildSuite, distinctRuns, ratesFor } from '../../src/report/suite';

describe('the experiment suite', () => {
  it('trains each shared run once and lowers one rate to move the rate ratio', () => {
    const suite = buildSuite('default');
    const p = suite.params;
    const runs = distinctRuns(suite);
    // The grid, the spectrum and kernel runs, and per rate seed two presets and the ratio runs
    // other than the auto one (that one is a grid run).
    const rateRuns = p.rateSeeds.length * (2 + p.rateFactors.filter((f) => f !== 1).length);
    expect(runs).toHaveLength(p.widths.length * p.seeds.length + p.spectrumWidths.length + 2 * p.kernelWidths.length + rateRuns);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    // Derived ratio runs come after the auto run they scale.
    runs.forEach((r, k) => { if (r.baseId) expect(runs.findIndex((b) => b.id === r.baseId)).toBeLessThan(k); });

    const auto = { etaW: 0.02, etaA: 0.001 };
    expect(ratesFor(auto, 10)).toEqual({ etaW: 0.02, etaA: 0.0001 });
    expect(ratesFor(auto, 0.1)).toEqual({ etaW: 0.002, etaA: 0.001 });
    expect(ratesFor(auto, 1)).toEqual(auto);
  });
});
