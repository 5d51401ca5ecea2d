// The page's legend labels, without a browser.
import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { runLabels } from '../../src/train/format';

describe('legend labels', () => {
  test('name sizes, preset and rates, plus whatever else differs between the runs', () => {
    const a = resolveConfig(buildConfig({ m: '16', etaW: '0.5', etaA: '0.25' }));
    const b = resolveConfig(buildConfig({ m: '4096', etaW: '0.5', etaA: '0.25', seed: '7' }));
    expect(runLabels([a, b])).toEqual([
      'm=16 n=128 d=16 razborov ηW=0.5 ηA=0.25 seed=1',
      'm=4096 n=128 d=16 razborov ηW=0.5 ηA=0.25 seed=7',
    ]);
    expect(runLabels([a])).toEqual(['m=16 n=128 d=16 razborov ηW=0.5 ηA=0.25']);
  });
});
