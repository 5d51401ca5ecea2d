import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/resolve';
import { buildConfig, type SettingKey } from '../../../src/config/schema';
import { createGpuTrainer } from '../../../src/train/trainer';
import { initialState } from '../../../src/reference/init';
import { gpu, maxRelErr } from '../../support/gpu';

async function compare(given: Partial<Record<SettingKey, unknown>>) {
  const dev = await gpu();
  const c = resolveConfig(buildConfig({ n: 70, d: 6, m: 90, blockNeurons: 32, ...given }));
  const t = await createGpuTrainer(dev.device, dev.info, c);
  const got = await t.readTensors();
  t.dispose();
  return { c, got, want: initialState(c) };
}

describe('init kernels', () => {
  it('draw X, sign labels, W0 and a0 from the same Philox streams as the reference', async () => {
    const { c, got, want } = await compare({});
    // Box–Muller in float32 with polynomial log/cos: agreement to float32 rounding.
    expect(maxRelErr(got.X, want.X, 1)).toBeLessThan(1e-6);
    expect(Array.from(got.y)).toEqual(Array.from(want.y));
    expect(maxRelErr(got.W0, want.W, c.wScale)).toBeLessThan(1e-6);
    expect(maxRelErr(got.a0, want.a, c.aScale)).toBeLessThan(1e-6);
    expect(got.W).toEqual(got.W0);
  });

  it('normalizes sphere rows, draws Gaussian labels and ±scale output weights', async () => {
    const { got, want } = await compare({ data: 'sphere', labels: 'gaussian', outputInit: 'sign', param: 'ntk' });
    expect(maxRelErr(got.X, want.X, 1)).toBeLessThan(1e-6);
    expect(maxRelErr(got.y, want.y, 1)).toBeLessThan(1e-6);
    expect(Array.from(got.a0, Math.abs)).toEqual(Array.from({ length: 90 }, () => 1));
    expect(Array.from(got.a0)).toEqual(Array.from(want.a, Math.fround));
  });

  it('computes teacher labels with the forward kernel', async () => {
    const { got, want } = await compare({ labels: 'teacher:40' });
    expect(maxRelErr(got.y, want.y, 1e-2)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(got.y, Math.abs))).toBeGreaterThan(0.1);
  });
});
