// The critical-width estimator on synthetic success data with a known threshold.
import { describe, expect, it } from 'vitest';
import { crossing, fitLogistic, fitPower, type Trial } from '../../src/sweep/critical';

/** A fixed stream of uniforms in [0, 1) (the test's data must not change from run to run). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Runs at each width whose success probability is σ(k·(ln x − ln x0)). */
function synthetic(x0: number, k: number, widths: number[], seeds: number): Trial[] {
  const u = uniforms(7);
  return widths.flatMap((x) => Array.from({ length: seeds }, () => ({ x, converged: u() < 1 / (1 + Math.exp(-k * (Math.log(x) - Math.log(x0)))) })));
}

describe('the critical width', () => {
  it('finds a known threshold and its 90% point inside their intervals', () => {
    const fit = fitLogistic(synthetic(4, 3, [1, 2, 3, 4, 6, 8, 16], 200));
    const half = crossing(fit, 0.5)!;
    expect(half.ci[0]).toBeLessThan(4);
    expect(half.ci[1]).toBeGreaterThan(4);
    expect(Math.abs(half.x / 4 - 1)).toBeLessThan(0.1);
    // x90 = x0·exp(logit(0.9)/k).
    const x90 = 4 * Math.exp(Math.log(9) / 3);
    const ninety = crossing(fit, 0.9)!;
    expect(ninety.ci[0]).toBeLessThan(x90);
    expect(ninety.ci[1]).toBeGreaterThan(x90);
    expect(ninety.x).toBeGreaterThan(half.x);
  });

  it('narrows its interval with more seeds', () => {
    const width = (seeds: number) => {
      const c = crossing(fitLogistic(synthetic(4, 3, [1, 2, 4, 8, 16], seeds)))!;
      return Math.log(c.ci[1] / c.ci[0]);
    };
    expect(width(400)).toBeLessThan(width(25) / 2);
  });

  it('puts the crossing of separable data between the last failure and the first success', () => {
    const trials = [1, 2].flatMap((x) => Array.from({ length: 20 }, () => ({ x, converged: false })))
      .concat([4, 8].flatMap((x) => Array.from({ length: 20 }, () => ({ x, converged: true }))));
    const c = crossing(fitLogistic(trials))!;
    expect(c.x).toBeGreaterThan(2);
    expect(c.x).toBeLessThan(4);
  });

  it('has no crossing where success does not grow with the width', () => {
    expect(crossing(fitLogistic(synthetic(4, -3, [1, 2, 4, 8, 16], 100)))).toBeNull();
  });

  it('fits the exponent of a power law, with an interval that holds it', () => {
    const points = [16, 32, 64, 128, 256].map((n) => ({ n, y: 2 * n ** 1.5, ci: [1.8 * n ** 1.5, 2.2 * n ** 1.5] as [number, number] }));
    const p = fitPower(points);
    expect(p.exponent).toBeCloseTo(1.5, 9);
    expect(p.prefactor).toBeCloseTo(2, 6);
    expect(p.ci[0]).toBeLessThan(1.5);
    expect(p.ci[1]).toBeGreaterThan(1.5);
    expect(p.ci[1] - p.ci[0]).toBeLessThan(0.2);
  });
});
