import { describe, expect, it } from 'vitest';
import { resolveConfig, roughLambdas } from '../../src/config/resolve';
import { ConfigError, PRESETS, SETTINGS, buildConfig } from '../../src/config/schema';

function error(given: Record<string, unknown>): string {
  try {
    buildConfig(given);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config schema', () => {
  it('builds the defaults with the razborov preset', () => {
    const c = buildConfig({});
    expect(c.preset).toBe('razborov');
    expect(c).toMatchObject({ n: 128, d: 16, m: 64, param: 'standard', etaW: 'auto', etaA: 'auto', labels: { kind: 'sign' } });
  });

  it('applies presets, and explicit settings override them', () => {
    expect(buildConfig({ preset: 'oymak-soltanolkotabi' }).etaA).toBe(0);
    expect(buildConfig({ preset: 'random-features' }).etaW).toBe(0);
    expect(buildConfig({ preset: 'du' })).toMatchObject({ param: 'ntk', outputInit: 'sign', etaA: 0, data: 'sphere' });
    expect(buildConfig({ preset: 'du', etaA: '0.5' }).etaA).toBe(0.5);
    expect(Object.keys(PRESETS)).toEqual(['razborov', 'oymak-soltanolkotabi', 'nguyen', 'du', 'random-features']);
  });

  it('parses text values of every kind', () => {
    const c = buildConfig({ n: '64', etaW: '1e-3', etaA: 'same', labels: 'teacher:8', stopAtEps: 'false', seed: '4294967295' });
    expect(c).toMatchObject({ n: 64, etaW: 1e-3, etaA: 'same', labels: { kind: 'teacher', width: 8 }, stopAtEps: false, seed: 2 ** 32 - 1 });
    expect(buildConfig({ labels: 'file:/tmp/y.npy' }).labels).toEqual({ kind: 'file', path: '/tmp/y.npy' });
  });

  it('rejects bad values with one line naming the flag and the allowed range', () => {
    expect(error({ n: '0' })).toBe('--n (n) must be an integer from 1 to 4000000; got "0"');
    expect(error({ m: '2.5' })).toMatch(/^--m \(m\) must be an integer from 1 to/);
    expect(error({ d: 'abc' })).toMatch(/^--d \(d\) must be an integer/);
    expect(error({ n: '' })).toMatch(/^--n \(n\)/);
    expect(error({ n: '0x10' })).toMatch(/^--n \(n\)/);
    expect(error({ etaW: '-1' })).toBe('--eta-w (etaW) must be a finite number ≥ 0 or auto; got "-1"');
    expect(error({ etaW: 'same' })).toMatch(/^--eta-w \(etaW\)/);
    expect(error({ etaA: 'Infinity' })).toMatch(/^--eta-a \(etaA\)/);
    expect(error({ preset: 'lazy' })).toMatch(/^--preset \(preset\) must be one of razborov, /);
    expect(error({ labels: 'teacher:0' })).toMatch(/^--labels \(labels\) must be sign, gaussian, teacher/);
    expect(error({ labels: 'zeros' })).toMatch(/^--labels \(labels\)/);
    expect(error({ eps: '1' })).toMatch(/^--eps \(eps\) must be a number ≥ 1e-30 and < 1/);
    expect(error({ stopAtEps: 'maybe' })).toBe('--stop-at-eps (stopAtEps) must be true or false; got "maybe"');
    expect(error({ bogus: 1 })).toBe('unknown setting "bogus"');
    for (const s of SETTINGS) expect(s.flag).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});

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
    const one = resolveConfig(buildConfig({ preset: 'nguyen', n: '200', d: '20', m: '20' }));
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
