import { describe, expect, it } from 'vitest';
import { forward as forwardKernel } from '../../src/gpu/kernels/forward';
import { forward } from '../../src/reference/forward';
import { maxRelErr } from '../support/gpu';
import { problem } from '../support/problem';

describe('forward kernel', () => {
  it('writes each chunk’s partial outputs, over blocks of neurons', async () => {
    // d = 6 pads to 8; m = 100 is 7 chunks of 16 in 4 blocks of 32 (the last partial).
    const p = await problem({ n: 40, d: 6, m: 100, blockNeurons: 32 }, true);
    expect(p.blocks.map((b) => b.count)).toEqual([32, 32, 32, 4]);
    await p.run(p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)));
    const partials = await p.read(p.s.partials);
    const { n, d, chunkNeurons: q } = p.c;
    for (let chunk = 0; chunk < p.c.chunks; chunk++) {
      const r0 = chunk * q, r1 = Math.min(r0 + q, p.c.m);
      const want = forward(p.st.X, p.st.W.subarray(r0 * d, r1 * d), p.st.a.subarray(r0, r1), n, d, r1 - r0, 1);
      expect(maxRelErr(partials.subarray(chunk * n, (chunk + 1) * n), want, 1e-3)).toBeLessThan(1e-5);
    }
  });
});
