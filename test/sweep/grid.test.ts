import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/schema';
import { expandGrid, parseGridAxis, runId } from '../../src/sweep/grid';

const values = (spec: string) => parseGridAxis(spec).values;

describe('--grid axes', () => {
  it('parses lists and ranges into schema-checked values, by config key or flag name', () => {
    expect(parseGridAxis('m=4..4096:x2')).toMatchObject({ key: 'm', values: [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] });
    expect(values('seed=1..5')).toEqual([1, 2, 3, 4, 5]);
    expect(values('seed=0..10:+4')).toEqual([0, 4, 8]);
    expect(values('eta-w=0.1..0.5:+0.1')).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(values('etaW=1,auto')).toEqual([1, 'auto']);
    expect(values('eps=1e-8..1e-4:x10')).toEqual([1e-8, 1e-7, 1e-6, 1e-5, 1e-4]);
    // Integer settings round, and the rounded repeats collapse.
    expect(values('m=1..10:x1.5')).toEqual([1, 2, 3, 5, 8]);
    expect(values('m=4,8,4')).toEqual([4, 8]);
    expect(values('labels=sign,teacher:4')).toEqual([{ kind: 'sign' }, { kind: 'teacher', width: 4 }]);
    expect(values('preset=du,nguyen')).toEqual(['du', 'nguyen']);
  });

  it('rejects a bad axis with one line naming --grid, the setting and what is allowed', () => {
    const cases: [string, RegExp][] = [
      ['m', /^--grid m: must be KEY=VALUES/],
      ['width=1,2', /^--grid width=1,2: unknown setting "width"/],
      ['m=0..4', /^--grid m=0\.\.4: --m \(m\) must be an integer from 1 to .*; got 0$/],
      ['m=8..4', /^--grid m=8\.\.4: the range start 8 is above its end 4$/],
      ['m=1..8:x1', /^--grid m=1\.\.8:x1: the factor after :x must be > 1; got 1$/],
      ['eta-w=0..1:x2', /a geometric range \(:x\) must start above 0/],
      ['seed=1..10:+0', /the step after :\+ must be > 0/],
      ['m=1..1000000', /the range has 1000000 values, more than the 10000/],
      ['param=standard,lazy', /^--grid param=standard,lazy: --param \(param\) must be one of standard, ntk; got "lazy"$/],
      ['data=gaussian..sphere', /--data \(data\) must be one of gaussian, sphere/],
    ];
    for (const [spec, message] of cases) {
      expect(() => parseGridAxis(spec), spec).toThrow(ConfigError);
      expect(() => parseGridAxis(spec), spec).toThrow(message);
    }
  });
});

describe('expandGrid', () => {
  it('is the cartesian product in flag order, the last axis fastest, on top of the fixed settings', () => {
    const runs = expandGrid({ n: '32', d: '4' }, [parseGridAxis('m=2,4,8'), parseGridAxis('seed=1,2')]);
    expect(runs.map((r) => r.point)).toEqual(['m=2 seed=1', 'm=2 seed=2', 'm=4 seed=1', 'm=4 seed=2', 'm=8 seed=1', 'm=8 seed=2']);
    expect(runs.map((r) => [r.settings.n, r.settings.d, r.settings.m, r.settings.seed])).toEqual([
      [32, 4, 2, 1], [32, 4, 2, 2], [32, 4, 4, 1], [32, 4, 4, 2], [32, 4, 8, 1], [32, 4, 8, 2],
    ]);
    expect(new Set(runs.map((r) => r.id)).size).toBe(6);
    expect(runs[3].id).toBe(runId(buildConfig({ n: 32, d: 4, m: 4, seed: 2 })));
  });

  it('builds the points that differ only in seed from one config: settings and ids as if each were built alone', () => {
    const runs = expandGrid({ n: '16' }, [parseGridAxis('seed=3,1'), parseGridAxis('m=2,4'), parseGridAxis('eta-w=0.1,0.2')]);
    for (const r of runs) {
      const alone = buildConfig({ n: 16, seed: r.settings.seed, m: r.settings.m, etaW: r.settings.etaW });
      expect(r.settings).toEqual(alone);
      expect(r.id).toBe(runId(alone));
      expect(r.seedless).toEqual({ ...alone, seed: 1 });
    }
    // One seedless config per (m, etaW), whichever seed.
    expect(new Set(runs.map((r) => r.seedless)).size).toBe(4);
    expect(runs[0].seedless).toBe(runs[4].seedless);
  });

  it('gives the same ids whatever the order of the flags', () => {
    const a = expandGrid({ n: '32' }, [parseGridAxis('m=2,4'), parseGridAxis('seed=1..3')]).map((r) => r.id);
    const b = expandGrid({ n: '32' }, [parseGridAxis('seed=1..3'), parseGridAxis('m=2,4')]).map((r) => r.id);
    expect(b).not.toEqual(a);
    expect([...b].sort()).toEqual([...a].sort());
  });

  it('rejects a setting both fixed and in the grid, or in two axes', () => {
    expect(() => expandGrid({ m: '4' }, [parseGridAxis('m=2,4')])).toThrow(/^--grid m=2,4: --m \(m\) is also given as a fixed flag/);
    expect(() => expandGrid({}, [parseGridAxis('m=2'), parseGridAxis('m=4')])).toThrow(/^--grid m=4: m has another --grid already/);
    expect(() => expandGrid({ n: '0' }, [parseGridAxis('m=2')])).toThrow(/^--n \(n\) must be an integer/);
  });
});
