import { describe, expect, it } from 'vitest';
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
