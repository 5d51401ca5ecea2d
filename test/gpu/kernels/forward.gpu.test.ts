import { describe, expect, it } from 'vitest';
import { forward as forwardKernel, transposeX } from '../../../src/gpu/kernels/forward';
import { maskWords } from '../../../src/gpu/layout';
import { MASK_WRITERS, VARIANTS, type Variants } from '../../../src/gpu/variants';
import { forward } from '../../../src/reference/forward';
import { gpu } from '../../support/gpu';
import { problem, type Problem } from '../../support/problem';

/**
 * Whether this adapter runs the subgroup epilogue: where it has no subgroups, asking for it is
 * refused (the variant resolver refuses it before that, tested in test/gpu/variants.test.ts).
 */
async function runsSubgroups(p: Problem): Promise<boolean> {
  if ((await gpu()).info.subgroupMinSize) return true;
  expect(() => forwardPass(p, 'gemm', { epilogue: 'subgroup' })).toThrow(/^forward=gemm,epilogue=subgroup needs a device with the subgroups feature$/);
  return false;
}

/** Each chunk's partial outputs against the float64 forward pass. */
async function expectPartials(p: Problem) {
  const partials = await p.read(p.s.partials);
  const { n, d } = p.c, q = p.c.chunkNeurons;
  for (let chunk = 0; chunk < p.c.chunks; chunk++) {
    const r0 = chunk * q, r1 = Math.min(r0 + q, p.c.m);
    const W = p.st.W.subarray(r0 * d, r1 * d), a = p.st.a.subarray(r0, r1);
    const want = forward(p.st.X, W, a, n, d, r1 - r0, 1);
    // Against the sum's own scale Σ|a_r| relu(z_ir): float32 sums of up to q terms in any order.
    const scale = forward(p.st.X, W, a.map(Math.abs), n, d, r1 - r0, 1);
    const got = partials.subarray(chunk * n, (chunk + 1) * n);
    expect(Math.max(...want.map((x, i) => Math.abs(got[i] - x) / (scale[i] + 1e-30))), `chunk ${chunk}`).toBeLessThan(1e-5);
  }
}

/** The forward pass of every block (gemm: after the transposed copy of X it reads). */
function forwardPass(p: Problem, variant: Variants['forward'], gemm: Partial<Pick<Variants, 'tile' | 'epilogue'>> = {}) {
  return [...(variant === 'gemm' ? [transposeX(p.ctx, p.s)] : []), ...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b, { variant, ...gemm }))];
}

/** The mask's bits against the signs of float64 z: counts of wrong bits and of bits set past a block's last neuron. */
async function expectMask(p: Problem) {
  const { n, d, m } = p.c;
  const B = Math.min(p.c.chunkNeurons, 32);
  // Mismatches are counted, the first few kept for the message: one expect per kind, not per bit.
  let positive = 0, checked = 0, wrongBits = 0, dirtyTails = 0;
  const examples: string[] = [];
  for (const b of p.blocks) {
    const words = new Uint32Array((await p.read(b.mask!)).buffer);
    expect(words.length).toBe(maskWords(n, p.c.chunkNeurons, b.count));
    for (let r = 0; r < b.count; r++) {
      for (let i = 0; i < n; i++) {
        let z = 0, norm = 0;
        for (let k = 0; k < d; k++) {
          z += p.st.X[i * d + k] * p.st.W[(b.offset + r) * d + k];
          norm += Math.abs(p.st.X[i * d + k] * p.st.W[(b.offset + r) * d + k]);
        }
        // float32 may round a z within its own error bound to either sign.
        if (Math.abs(z) < 1e-5 * norm) continue;
        const bit = (words[Math.floor(r / B) * n + i] >>> (r % B)) & 1;
        if (bit !== (z > 0 ? 1 : 0) && wrongBits++ < 5) examples.push(`neuron ${b.offset + r}, sample ${i}: bit ${bit}, z = ${z}`);
        positive += bit;
        checked++;
      }
    }
    // Bits past a block's last neuron are 0.
    const tail = b.count % B;
    if (tail) for (let i = 0; i < n; i++) {
      const rest = words[Math.floor(b.count / B) * n + i] >>> tail;
      if (rest !== 0 && dirtyTails++ < 5) examples.push(`block at ${b.offset}, sample ${i}: bits past its last neuron ${rest.toString(2)}`);
    }
  }
  expect({ wrongBits, dirtyTails }, examples.join('; ')).toEqual({ wrongBits: 0, dirtyTails: 0 });
  expect(checked).toBeGreaterThan(0.99 * n * m);
  expect(positive / checked).toBeGreaterThan(0.3);
  expect(positive / checked).toBeLessThan(0.7);
}

// forward=gemm: at its own sizes below.
describe.each(VARIANTS.forward.filter((v) => v !== 'gemm'))('forward kernel (%s)', (variant) => {
  // d = 6 pads to 8; n = 70 leaves a partial 64-sample tile. Chunks of q = 16 (m = 100 in 4
  // blocks of 32, the last partial), 32 and 128 neurons (the tiled kernel's workgroup then
  // covers 4 or 2 chunks of 16 and 32 columns, or one chunk in two tiles), the last block partial.
  // d = 260 is past UNROLL_MAX: the simple kernel's loops over D4 stay loops.
  it.each([
    { d: 6, m: 100, blockNeurons: 32, q: 16 },
    { d: 6, m: 5000, blockNeurons: 1024, q: 32 },
    { d: 6, m: 20000, blockNeurons: 4096, q: 128 },
    { d: 260, m: 100, blockNeurons: 32, q: 16 },
  ])('writes each chunk’s partial outputs, over blocks of neurons (d = $d, q = $q)', async ({ d, m, blockNeurons, q }) => {
    const p = await problem({ n: 70, d, m, blockNeurons }, true, { variants: { forward: variant } });
    expect(p.c.chunkNeurons).toBe(q);
    expect(p.blocks.at(-1)!.count).toBeLessThan(blockNeurons);
    await p.run(forwardPass(p, variant));
    await expectPartials(p);
  });
});

describe.each(MASK_WRITERS.filter((v) => v !== 'gemm'))('forward kernel (%s) with backward=masked', (variant) => {
  // Words of min(q, 32) neurons: q = 16 (half-used words), 32 and 128, partial chunks at the ends.
  it.each([
    { m: 100, blockNeurons: 32 },
    { m: 5000, blockNeurons: 1024 },
    { m: 20000, blockNeurons: 4096 },
  ])('leaves the signs of z in the activation mask, and the same partial outputs (m = $m)', async ({ m, blockNeurons }) => {
    const p = await problem({ n: 70, d: 6, m, blockNeurons }, true, { masked: true, variants: { forward: variant } });
    await p.run(forwardPass(p, variant));
    await expectPartials(p);
    await expectMask(p);
  });
});

describe('forward kernel (gemm) over its tiles', () => {
  // Sizes that are no multiples of the tiles: n = 67 (one partial sample tile), d = 13 (padded
  // to 16: two stages of 8 dims) and 130 (33 vec4s: 17 stages, the last half empty), m = 300 in
  // blocks of 96 (q = 16: 6 chunks in a tile of 8, mask words of 16 neurons, the last block 12
  // neurons); m = 5000 (q = 32: words of 32) and 20000 (q = 128: a chunk spans two 64-neuron
  // tiles, summed across them), at d = 130 as the case before it: one compile of that tile and d
  // serves both (on SwiftShader each takes about 10 s). The subgroup epilogue at q = 16 and 32:
  // butterflies over whole chunks and mask words, or over parts of them (SwiftShader's subgroups
  // of 4, lavapipe's of 8), the rest summed through memory.
  it.each([
    { tile: '128x128', epilogue: 'subgroup', d: 13, m: 300, blockNeurons: 96 },
    { tile: '128x64', epilogue: 'memory', d: 130, m: 300, blockNeurons: 96 },
    { tile: '64x64', epilogue: 'subgroup', d: 13, m: 5000, blockNeurons: 1024 },
    { tile: '128x64', epilogue: 'memory', d: 130, m: 20000, blockNeurons: 4096 },
  ] as const)('writes each chunk’s partial outputs and the mask (tile $tile, epilogue $epilogue, d = $d, m = $m)', async ({ tile, epilogue, d, m, blockNeurons }) => {
    const p = await problem({ n: 67, d, m, blockNeurons }, true, { masked: true, variants: { forward: 'gemm' } });
    if (epilogue === 'subgroup' && !(await runsSubgroups(p))) return;
    await p.run(forwardPass(p, 'gemm', { tile, epilogue }));
    await expectPartials(p);
    await expectMask(p);
  });

  // Both epilogues sum a chunk's lanes in a fixed order, but not the same one: butterflies of
  // subgroup shuffles run only where some bit differs (lanes_adjacent would otherwise have sent
  // the kernel through memory alone, and the subgroup epilogue gained nothing here).
  it('sums by subgroup shuffles where the device has subgroups, in its own fixed order', async () => {
    const p = await problem({ n: 67, d: 13, m: 300, blockNeurons: 96 }, true, { variants: { forward: 'gemm', epilogue: 'memory' } });
    if (!(await runsSubgroups(p))) return;
    const partials = async (epilogue: Variants['epilogue']) => {
      await p.run(forwardPass(p, 'gemm', { epilogue }));
      return p.read(p.s.partials);
    };
    const [sub, again, memory] = [await partials('subgroup'), await partials('subgroup'), await partials('memory')];
    expect(again).toEqual(sub);
    expect(sub.some((x, i) => x !== memory[i])).toBe(true);
  });
});
