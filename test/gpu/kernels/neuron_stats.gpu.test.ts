import { describe, expect, it } from 'vitest';
import { forward as forwardKernel } from '../../../src/gpu/kernels/forward';
import { neuronStats as statsKernel } from '../../../src/gpu/kernels/neuron_stats';
import { residual as residualKernel } from '../../../src/gpu/kernels/residual';
import { VARIANTS } from '../../../src/gpu/variants';
import { neuronStats } from '../../../src/reference/neuron_stats';
import { STAT, STAT_COUNT } from '../../../src/model/constants';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

// stats=masks: with the backward's logging pass, in backward_update.gpu.test.ts (at its sizes, sharing its kernels).
describe.each(VARIANTS.stats.filter((v) => v !== 'masks'))('neuron_stats kernel (%s)', (variant) => {
  // d = 37 (d4 = 10) does not split evenly over the tiled variant's 4 slices; n = 66 leaves a
  // partial sample tile; blocks of 32 leave partial neuron tiles. d = 260 is past
  // UNROLL_MAX: the simple kernel's loops over D4 stay loops.
  it.each(variant === 'simple' ? [9, 37, 260] : [9, 37])('measures movement, flips, activity and gradient norm of every neuron (d = %i)', async (d) => {
    const p = await problem({ n: 66, d, m: 96, blockNeurons: 32 }, true);
    await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow')]);
    const r = Float64Array.from((await p.read(p.s.r)).subarray(0, p.c.n));
    await p.run(p.blocks.map((b) => statsKernel(p.ctx, p.s, b, variant)));
    const got = await p.readNeurons((b) => b.stats, STAT_COUNT, STAT_COUNT);
    const { n, m, outputScale, etaW, etaA } = p.c;
    const want = neuronStats(p.st.X, p.st.W, p.st.W0, p.st.a, p.st.a0, r, n, d, m, outputScale, etaW, etaA);
    const col = (x: Float64Array, c: number) => Array.from({ length: m }, (_, j) => x[j * STAT_COUNT + c]);
    for (const c of [STAT.dW2, STAT.w02, STAT.dA2, STAT.a02, STAT.move, STAT.grad2])
      expect(maxRelErr(col(got, c), col(want, c), 1e-6), `column ${c}`).toBeLessThan(1e-4);
    // The drift is a difference of two nearly equal sums, each ~1 on the scale it is divided
    // by: float32 rounding of those sums bounds its error, not its own size.
    const cons = col(got, STAT.cons), wantCons = col(want, STAT.cons);
    expect(Math.max(...cons.map((x, j) => Math.abs(x - wantCons[j])))).toBeLessThan(1e-5);
    // Counts are integers; a pre-activation within rounding of 0 may flip one sample in float32.
    const flips = col(got, STAT.flips), wantFlips = col(want, STAT.flips);
    expect(flips.reduce((s, x, j) => s + Math.abs(x - wantFlips[j]), 0)).toBeLessThanOrEqual(1);
    expect(wantFlips.reduce((s, x) => s + x, 0)).toBeGreaterThan(100);
    expect(col(got, STAT.active)).toEqual(col(want, STAT.active));
    expect(Math.max(...wantCons)).toBeGreaterThan(1e-3);
  });
});
