import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/gpu/buffers';
import { backwardUpdate as backwardKernel, gradientNorms } from '../../../src/gpu/kernels/backward_update';
import { forward as forwardKernel } from '../../../src/gpu/kernels/forward';
import { neuronStats as statsKernel } from '../../../src/gpu/kernels/neuron_stats';
import { residual as residualKernel } from '../../../src/gpu/kernels/residual';
import { MASK_READERS, VARIANTS, type Variants } from '../../../src/gpu/variants';
import { backwardUpdate, gradients } from '../../../src/reference/backward_update';
import { loss } from '../../../src/reference/loss';
import { neuronStats } from '../../../src/reference/neuron_stats';
import { HALT, STAT, STAT_COUNT } from '../../../src/model/constants';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

const HALTING_CASES = [
  { case: 'L < eps·L0 halts as converged', ratio: 4, given: {}, want: { halt: HALT.converged, epsStep: 6, step: 5 }, moves: false },
  { case: 'L > divergeAt·L0 halts as diverged', ratio: 1 / 20, given: {}, want: { halt: HALT.diverged, epsStep: 0, step: 5 }, moves: false },
  { case: 'L < eps·L0 without stopAtEps records the step and goes on', ratio: 4, given: { stopAtEps: false }, want: { halt: HALT.running, epsStep: 6, step: 6 }, moves: true },
  { case: 'a run halted earlier is left alone', ratio: 4, given: {}, halted: true, want: { halt: HALT.converged, epsStep: 3, step: 5, loss: 123 }, moves: false },
  // Its halt code rules even where the rule on this L alone would go on (L = L0).
  { case: 'a run marked halted is left alone whatever L', ratio: 1, given: {}, halted: true, want: { halt: HALT.converged, epsStep: 3, step: 5, loss: 123 }, moves: false },
];

/** One halting case: the update after a forward pass, with L0 = L·ratio. */
async function expectHalting(
  { ratio, given, halted, want, moves }: (typeof HALTING_CASES)[number], variant: Variants['backward'], options: Partial<Pick<Variants, 'tile' | 'split'>> = {},
) {
  const p = await problem({ n: 16, d: 4, m: 16, etaW: '0.1', etaA: '0.1', eps: 0.5, divergeAt: 10, ...given }, true, { masked: MASK_READERS.includes(variant), variants: { backward: variant, ...options } });
  await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow')]);
  const L = loss(Float64Array.from((await p.read(p.s.r)).subarray(0, p.c.n)));
  p.setStatus({ step: 5, loss0: ratio * L, ...(halted ? { halt: HALT.converged, epsStep: 3, loss: 123 } : {}) });
  await p.run(p.blocks.flatMap((b) => backwardKernel(p.ctx, p.s, b, variant, options)));
  const st = await p.status();
  expect(st).toMatchObject(want);
  if (!halted) expect(Math.abs(st.loss - L) / L).toBeLessThan(1e-5);
  const W = await p.readNeurons((b) => b.W, p.c.d);
  if (moves) expect(W).not.toEqual(p.st.W.map(Math.fround));
  else expect(W).toEqual(p.st.W.map(Math.fround));
}

// backward=gemm: at its own sizes below.
describe.each(VARIANTS.backward.filter((v) => v !== 'gemm'))('backward_update kernel (%s)', (variant) => {
  // n = 45 leaves a partial sample tile; m = 80 in blocks of 32 leaves partial neuron tiles;
  // d = 37 (d4 = 10) does not split evenly over the tiled variant's 4 slices nor over the masked
  // variant's workgroup (6 groups of 10 threads). The masked variant reads the signs that the
  // forward pass wrote. d = 260 is past UNROLL_MAX: the simple kernel's loops over D4 stay loops.
  it.each(variant === 'simple' ? [7, 37, 70, 260] : [7, 37, 70])('applies both layers’ gradient steps, taken at the same point, in every block (d = %i)', async (d) => {
    const p = await problem({ n: 45, d, m: 80, blockNeurons: 32, param: 'ntk', etaW: '0.05', etaA: '0.03' }, true, { masked: variant === 'masked' });
    await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow')]);
    const r = Float64Array.from((await p.read(p.s.r)).subarray(0, p.c.n));
    // The halting rule reads L0 (the engine's loss dispatch sets it at step 0).
    p.setStatus({ loss0: loss(r) });
    await p.run(p.blocks.flatMap((b) => backwardKernel(p.ctx, p.s, b, variant)));
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
    // The update recorded the loss it checked, and counted the step.
    const st = await p.status();
    expect(Math.abs(st.loss - loss(r)) / loss(r)).toBeLessThan(1e-5);
    expect(st).toMatchObject({ step: 1, halt: HALT.running });
  });

  // The halting rule, applied by the update itself (no loss dispatch): L against L0 = L·ratio.
  it.each(HALTING_CASES)('$case', (h) => expectHalting(h, variant));
});

/**
 * The update from the signs a blocked forward pass left, against the float64 twin given the same
 * signs: near z = 0 float32 may round a sign either way, and that is the forward's to decide
 * (forward.gpu.test.ts), not this kernel's. Returns the updated W and a, as read back.
 */
async function expectMaskedUpdate(
  given: { n: number; d: number; m: number; blockNeurons: number }, variant: Variants['backward'], options: Partial<Pick<Variants, 'tile' | 'split'>> = {},
) {
  const { d, m, blockNeurons } = given;
  const p = await problem({ ...given, param: 'ntk', etaW: '0.05', etaA: '0.03' }, true, { masked: true, variants: { backward: variant, ...options } });
  await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b, { variant: 'blocked' })), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow')]);
  const r = Float64Array.from((await p.read(p.s.r)).subarray(0, p.c.n));
  const masks = await Promise.all(p.blocks.map(async (b) => new Uint32Array((await p.read(b.mask!)).buffer)));
  p.setStatus({ loss0: loss(r) });
  await p.run(p.blocks.flatMap((b) => backwardKernel(p.ctx, p.s, b, variant, options)));
  const { n, outputScale, etaW, etaA, chunkNeurons } = p.c;
  const B = Math.min(chunkNeurons, 32);
  const signs = (i: number, j: number) => {
    const k = Math.floor(j / blockNeurons), rl = j - k * blockNeurons;
    return ((masks[k][Math.floor(rl / B) * n + i] >>> (rl % B)) & 1) === 1;
  };
  const W = p.st.W.slice(), a = p.st.a.slice();
  backwardUpdate(p.st.X, W, a, r, n, d, m, outputScale, etaW, etaA, signs);
  // Against each update's own scale (its terms in absolute value: float32 sums of n terms in
  // another order) plus the float32 rounding of the updated weight.
  const abs = (x: Float64Array) => x.map(Math.abs);
  const scale = gradients(abs(p.st.X), abs(p.st.W), abs(p.st.a), abs(r), n, d, m, outputScale, signs);
  const worst = (got: Float64Array, want: Float64Array, sc: Float64Array, eta: number) =>
    Math.max(...got.map((g, k) => Math.abs(g - want[k]) / (1e-5 * eta * sc[k] + 2 ** -23 * Math.abs(want[k]) + 1e-30)));
  const got = { W: await p.readNeurons((b) => b.W, d), a: await p.readNeurons((b) => b.a, 1) };
  expect(worst(got.W, W, scale.gW, etaW)).toBeLessThan(1);
  expect(worst(got.a, a, scale.gA, etaA)).toBeLessThan(1);
  // Every neuron moved, the last of a partial group or tile too.
  expect(Math.abs(W[(m - 1) * d] - p.st.W[(m - 1) * d])).toBeGreaterThan(0);
  expect(Math.abs(got.W[(m - 1) * d] - p.st.W[(m - 1) * d])).toBeGreaterThan(0);
  // The update counted the step once.
  expect(await p.status()).toMatchObject({ step: 1, halt: HALT.running });
  return got;
}

describe('backward_update kernel (masked) on the signs the blocked forward left', () => {
  // Groups of 16 neurons: a last block of 4 (m = 100 in blocks of 48) leaves a partial group;
  // words of 32 (q = 32 at m = 5000) put every other group at bit 16.
  // d = 256: one group of 64 threads per workgroup.
  it.each([
    { d: 70, m: 100, blockNeurons: 48 },
    { d: 7, m: 5000, blockNeurons: 1024 },
    { d: 256, m: 100, blockNeurons: 48 },
  ])('applies both updates from the mask (d = $d, m = $m)', async (size) => {
    await expectMaskedUpdate({ n: 45, ...size }, 'masked');
  });
});

describe('backward_update kernel (gemm) on the signs the blocked forward left', () => {
  // Sizes that are no multiples of its tiles: n = 67 (a last stage of 3 samples; split = 4 gives
  // slices of 24, 24, 19 and none), d = 13 (4 vec4s: 4 of the 16 lanes hold d) and 130 (33 vec4s:
  // 3 per lane, the last mostly empty), m = 300 in blocks of 96 (a last block of 12, partial 64-
  // and 128-neuron tiles), m = 5000 (q = 32: mask words of 32 neurons).
  it.each([
    { tile: '128x128', split: '1', d: 13, m: 300, blockNeurons: 96 },
    { tile: '64x64', split: '4', d: 130, m: 300, blockNeurons: 96 },
    { tile: '128x64', split: '2', d: 13, m: 5000, blockNeurons: 1024 },
  ] as const)('applies both updates from the mask (tile $tile, split $split, d = $d, m = $m)', async ({ tile, split, ...size }) => {
    await expectMaskedUpdate({ n: 67, ...size }, 'gemm', { tile, split });
  });

  it('is deterministic over n split into slices: the same bits twice', async () => {
    const size = { n: 67, d: 13, m: 300, blockNeurons: 96 };
    const one = await expectMaskedUpdate(size, 'gemm', { split: '4' });
    const two = await expectMaskedUpdate(size, 'gemm', { split: '4' });
    expect(two).toEqual(one);
  });

  // Fused (split = 1, the product's epilogue) and split (the reducing dispatch) each record the decision.
  it.each([{ ...HALTING_CASES[0], split: '1' }, { ...HALTING_CASES[2], split: '2' }] as const)('$case (split $split)', ({ split, ...h }) => expectHalting(h, 'gemm', { split }));
});

describe('neuron_stats kernel (masks) with the backward’s logging pass', () => {
  // At the gemm update tests' sizes (their forward kernels compiled once): n = 67, d = 13 and 130,
  // m = 300 in blocks of 96 (a last block of 12, partial tiles and mask words) and 5000 in blocks
  // of 1024 (words of 32 neurons, a partial last group of 16); gemm as split 1 (the product's
  // epilogue logs) and 4 (the reducing dispatch logs). masked's product and groups are its update's.
  it.each([
    { backward: 'masked', d: 13, m: 5000, blockNeurons: 1024 },
    { backward: 'gemm', d: 13, m: 300, blockNeurons: 96, tile: '128x128', split: '1' },
    { backward: 'gemm', d: 130, m: 300, blockNeurons: 96, tile: '64x64', split: '4' },
  ] as const)('counts flips and activity from mask ⊕ mask_0 and takes the gradient norm from backward=$backward’s product (d = $d, m = $m)', async ({ backward, d, m, blockNeurons, ...options }) => {
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
    expect(wantFlips.reduce((s, x) => s + x, 0)).toBeGreaterThan(0.05 * n * m);
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
