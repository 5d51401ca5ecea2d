import { describe, expect, it } from 'vitest';
import { forward as forwardKernel } from '../../src/gpu/kernels/forward';
import { VARIANTS } from '../../src/gpu/variants';
import { forward } from '../../src/reference/forward';
import { problem } from '../support/problem';

describe.each(VARIANTS.forward)('forward kernel (%s)', (variant) => {
  // d = 6 pads to 8; n = 70 leaves a partial 64-sample tile. Chunks of q = 16 (m = 100 in 4
  // blocks of 32, the last partial), 32 and 128 neurons (the tiled kernel's workgroup then
  // covers 4 or 2 chunks of 16 and 32 columns, or one chunk in two tiles), the last block partial.
  it.each([
    { m: 100, blockNeurons: 32, q: 16 },
    { m: 5000, blockNeurons: 1024, q: 32 },
    { m: 20000, blockNeurons: 4096, q: 128 },
  ])('writes each chunk’s partial outputs, over blocks of neurons (q = $q)', async ({ m, blockNeurons, q }) => {
    const p = await problem({ n: 70, d: 6, m, blockNeurons }, true);
    expect(p.c.chunkNeurons).toBe(q);
    expect(p.blocks.at(-1)!.count).toBeLessThan(blockNeurons);
    await p.run(p.blocks.map((b) => forwardKernel(p.ctx, p.s, b, { variant })));
    const partials = await p.read(p.s.partials);
    const { n, d } = p.c;
    for (let chunk = 0; chunk < p.c.chunks; chunk++) {
      const r0 = chunk * q, r1 = Math.min(r0 + q, p.c.m);
      const W = p.st.W.subarray(r0 * d, r1 * d), a = p.st.a.subarray(r0, r1);
      const want = forward(p.st.X, W, a, n, d, r1 - r0, 1);
      // Against the sum's own scale Σ|a_r| relu(z_ir): float32 sums of up to q terms in any order.
      const scale = forward(p.st.X, W, a.map(Math.abs), n, d, r1 - r0, 1);
      const got = partials.subarray(chunk * n, (chunk + 1) * n);
      expect(Math.max(...want.map((x, i) => Math.abs(got[i] - x) / (scale[i] + 1e-30))), `chunk ${chunk}`).toBeLessThan(1e-5);
    }
  });
});
