import { describe, expect, it } from 'vitest';
import { backwardUpdate as backwardKernel } from '../../src/gpu/kernels/backward_update';
import { forward as forwardKernel } from '../../src/gpu/kernels/forward';
import { residual as residualKernel } from '../../src/gpu/kernels/residual';
import { VARIANTS } from '../../src/gpu/variants';
import { backwardUpdate } from '../../src/reference/backward_update';
import { HALT } from '../../src/reference/loss';
import { maxRelErr } from '../support/gpu';
import { problem } from '../support/problem';

describe.each(VARIANTS.backward)('backward_update kernel (%s)', (variant) => {
  // n = 45 leaves a partial sample tile; m = 80 in blocks of 32 leaves partial neuron tiles;
  // d = 37 (d4 = 10) does not split evenly over the tiled variant's 4 slices.
  it.each([7, 37])('applies both layers’ gradient steps, taken at the same point, in every block (d = %i)', async (d) => {
    const p = await problem({ n: 45, d, m: 80, blockNeurons: 32, param: 'ntk', etaW: '0.05', etaA: '0.03' }, true);
    await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s)]);
    const r = Float64Array.from((await p.read(p.s.r)).subarray(0, p.c.n));
    await p.run(p.blocks.map((b) => backwardKernel(p.ctx, p.s, b, variant)));
    const W = p.st.W.slice(), a = p.st.a.slice();
    const { n, m, outputScale, etaW, etaA } = p.c;
    // The reference update, from the GPU's own residual: only this kernel's arithmetic is compared.
    backwardUpdate(p.st.X, W, a, r, n, d, m, outputScale, etaW, etaA);
    const gotW = await p.readNeurons((b) => b.W, d);
    const gotA = await p.readNeurons((b) => b.a, 1);
    const delta = (x: Float64Array, x0: Float64Array) => x.map((v, k) => v - x0[k]);
    expect(maxRelErr(delta(gotW, p.st.W), delta(W, p.st.W), 1e-4)).toBeLessThan(1e-3);
    expect(maxRelErr(delta(gotA, p.st.a), delta(a, p.st.a), 1e-4)).toBeLessThan(1e-3);
    expect(Math.max(...delta(W, p.st.W).map(Math.abs))).toBeGreaterThan(1e-3);
    expect((await p.status()).step).toBe(1);
  });

  it('leaves a halted run’s weights and step alone', async () => {
    const p = await problem({ n: 16, d: 4, m: 16, etaW: '0.1', etaA: '0.1' }, true);
    p.setStatus({ step: 5, halt: HALT.converged });
    await p.run([residualKernel(p.ctx, p.s), ...p.blocks.map((b) => backwardKernel(p.ctx, p.s, b, variant))]);
    expect(await p.readNeurons((b) => b.W, p.c.d)).toEqual(p.st.W.map(Math.fround));
    expect((await p.status()).step).toBe(5);
  });
});
