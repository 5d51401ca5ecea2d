import { describe, expect, it } from 'vitest';
import { resolveConfig, roughLambdas } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';

describe('resolved config', () => {
  it('records the output scale and initial scales of each parametrization', () => {
    const std = resolveConfig(buildConfig({ n: '10', d: '16', m: '100', sigmaW: '2' }));
    expect(std.outputScale).toBe(1);
    expect(std.wScale).toBeCloseTo(2 / 4, 12);
    expect(std.aScale).toBeCloseTo(1 / 10, 12);
    const ntk = resolveConfig(buildConfig({ param: 'ntk', m: '100' }));
    expect(ntk.outputScale).toBeCloseTo(0.1, 12);
    expect(ntk.wScale).toBe(1);
  });

  it('turns auto rates into c/λ̂ per block, and same into one rate', () => {
    const c = resolveConfig(buildConfig({ n: '200', d: '20', m: '20', rateFactor: '0.5' }));
    // MODEL.md's guides for standard, Gaussian data: ¼(√n+√d)² + d/4 and ≈ m·n/(2π).
    expect(c.lambdaW).toBeCloseTo(0.25 * (Math.sqrt(200) + Math.sqrt(20)) ** 2 + 5, 9);
    expect(c.lambdaA / ((20 * 200) / (2 * Math.PI))).toBeGreaterThan(1);
    expect(c.lambdaA / ((20 * 200) / (2 * Math.PI))).toBeLessThan(1.02);
    expect(c.etaW).toBeCloseTo(0.5 / c.lambdaW, 15);
    expect(c.etaA).toBeCloseTo(0.5 / c.lambdaA, 15);
    const one = resolveConfig(buildConfig({ preset: 'nguyen', n: '200', d: '20', m: '20', rateFactor: '0.5' }));
    expect(one.etaW).toBe(one.etaA);
    expect(one.etaW).toBeCloseTo(0.5 / (one.lambdaW + one.lambdaA), 15);
    const given = resolveConfig(buildConfig({ etaW: '0.01', etaA: 'same' }));
    expect(given.etaA).toBe(0.01);
    expect(given.rateRule).toEqual({ etaW: 'given', etaA: 'same as etaW' });
  });

  it('scales the λ estimates with the data norm', () => {
    const base = { n: 50, d: 10, m: 30, outputScale: 1, wScale: 1, aScale: 1 };
    const g = roughLambdas({ ...base, data: 'gaussian' });
    const s = roughLambdas({ ...base, data: 'sphere' });
    expect(g.lambdaW / s.lambdaW).toBeCloseTo(10, 9);
    expect(g.lambdaA / s.lambdaA).toBeCloseTo(10, 9);
  });
});
