import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/gpu/buffers';
import { gradientNorms } from '../../../src/gpu/kernels/backward_update';
import { forward as forwardKernel } from '../../../src/gpu/kernels/forward';
import { neuronStats as statsKernel } from '../../../src/gpu/kernels/neuron_stats';
import { residual as residualKernel } from '../../../src/gpu/kernels/residual';
import { VARIANTS } from '../../../src/gpu/variants';
import { gradients } from '../../../src/reference/backward_update';
import { neuronStats } from '../../../src/reference/neuron_stats';
import { STAT, STAT_COUNT } from '../../../src/model/constants';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

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

describe('neuron_stats kernel (masks) and the backward’s logging pass', () => {
  // n = 67, m = 300 in blocks of 96 (a last block of 12; partial mask words, groups and tiles),
  // d = 13 and 130; m = 5000 in blocks of 1024 gives q = 32 (mask words of 32 neurons). gemm as
  // split 1 (the product's epilogue logs) and 4 (the reducing dispatch logs).
  it.each([
    { backward: 'masked', d: 13, m: 5000 },
    { backward: 'masked', d: 130, m: 300 },
    { backward: 'gemm', d: 13, m: 300, tile: '128x128', split: '1' },
    { backward: 'gemm', d: 130, m: 300, tile: '64x64', split: '4' },
  ] as const)('counts flips and activity from mask ⊕ mask_0 and takes the gradient norm from backward=$backward’s product (d = $d, m = $m)', async ({ backward, d, m, ...options }) => {
    const blockNeurons = m === 300 ? 96 : 1024;
    const p = await problem({ n: 67, d, m, blockNeurons }, true, { masked: true, variants: { backward, stats: 'masks', ...options } });
    // mask_0 as the engine makes it: the forward pass's signs at W0 (here written straight into mask_0).
    await p.run(p.blocks.map((b) => forwardKernel(p.ctx, p.s, { ...b, W: b.W0, mask: b.mask0 }, { variant: 'blocked' })));
    await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b, { variant: 'blocked' })), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow')]);
    const r = Float64Array.from((await p.read(p.s.r)).subarray(0, p.c.n));
    await p.run(p.blocks.flatMap((b) => [statsKernel(p.ctx, p.s, b, 'masks'), ...gradientNorms(p.ctx, p.s, b, backward, options)]));
    const got = await p.readNeurons((b) => b.stats, STAT_COUNT, STAT_COUNT);
    const { n, outputScale: kappa, etaW, etaA, chunkNeurons } = p.c;
    // Both masks as read back: sign(i, j) of W (now) and W0 (at initialization).
    const B = Math.min(chunkNeurons, 32);
    const read = async (pick: (b: Block) => GPUBuffer) => Promise.all(p.blocks.map(async (b) => new Uint32Array((await p.read(pick(b))).buffer)));
    const [now, init] = [await read((b) => b.mask!), await read((b) => b.mask0!)];
    const bit = (masks: Uint32Array[]) => (i: number, j: number) => {
      const k = Math.floor(j / blockNeurons), rl = j - k * blockNeurons;
      return ((masks[k][Math.floor(rl / B) * n + i] >>> (rl % B)) & 1) === 1;
    };
    const [sign, sign0] = [bit(now), bit(init)];
    const col = (x: Float64Array, c: number) => Array.from({ length: m }, (_, j) => x[j * STAT_COUNT + c]);
    const each = (f: (i: number, j: number) => boolean) => Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => f(i, j)));
    // Exactly the masks' counts; against the float64 twin's recomputed signs, within rounding near z = 0.
    expect(col(got, STAT.flips)).toEqual(each((i, j) => sign(i, j) !== sign0(i, j)).map((row) => row.filter(Boolean).length));
    expect(col(got, STAT.active)).toEqual(each(sign).map((row) => (row.some(Boolean) ? 1 : 0)));
    const want = neuronStats(p.st.X, p.st.W, p.st.W0, p.st.a, p.st.a0, r, n, d, m, kappa, etaW, etaA);
    const wantFlips = col(want, STAT.flips);
    expect(col(got, STAT.flips).reduce((s, x, j) => s + Math.abs(x - wantFlips[j]), 0)).toBeLessThanOrEqual(2);
    expect(wantFlips.reduce((s, x) => s + x, 0)).toBeGreaterThan(1000);
    for (const c of [STAT.dW2, STAT.w02, STAT.dA2, STAT.a02, STAT.move])
      expect(maxRelErr(col(got, c), col(want, c), 1e-6), `column ${c}`).toBeLessThan(1e-4);
    const cons = col(got, STAT.cons), wantCons = col(want, STAT.cons);
    expect(Math.max(...cons.map((x, j) => Math.abs(x - wantCons[j])))).toBeLessThan(1e-5);
    // ‖∇w‖² + (∇a)² from the float64 gradients given the same signs, against the float32 rounding
    // of each gradient's terms in absolute value (sums of n terms in another order).
    const { gW, gA } = gradients(p.st.X, p.st.W, p.st.a, r, n, d, m, kappa, sign);
    const abs = (x: Float64Array) => x.map(Math.abs);
    const scale = gradients(abs(p.st.X), abs(p.st.W), abs(p.st.a), abs(r), n, d, m, kappa, sign);
    const grad2 = col(got, STAT.grad2);
    for (let j = 0; j < m; j++) {
      let g2 = gA[j] ** 2, err = 2 * Math.abs(gA[j]) * 1e-5 * scale.gA[j];
      for (let k = 0; k < d; k++) {
        g2 += gW[j * d + k] ** 2;
        err += 2 * Math.abs(gW[j * d + k]) * 1e-5 * scale.gW[j * d + k];
      }
      expect(Math.abs(grad2[j] - g2), `neuron ${j}: ${grad2[j]} vs ${g2}`).toBeLessThanOrEqual(err + 1e-6 * g2);
    }
    // The logging pass updated nothing and counted no step.
    expect(await p.readNeurons((b) => b.W, d)).toEqual(p.st.W.map(Math.fround));
    expect(await p.readNeurons((b) => b.a, 1)).toEqual(p.st.a.map(Math.fround));
    expect((await p.status()).step).toBe(0);
  });
});
