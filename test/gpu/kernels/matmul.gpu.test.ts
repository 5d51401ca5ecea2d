import { describe, expect, it } from 'vitest';
import { MATMUL_VARIANTS, matmul as matmulKernel, matmulDims, type MatmulVariant } from '../../../src/gpu/kernels/matmul';
import { matmul } from '../../../src/reference/matmul';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

describe('matmul kernel (the benchmark’s yardstick)', () => {
  for (const variant of Object.keys(MATMUL_VARIANTS) as MatmulVariant[]) {
    it(`${variant}: Z = X Wᵀ over a slice of neurons, with partial tiles`, async () => {
      // d = 20 is 5 vec4s (not a multiple of the tiled kernel's 4-vec4 stage); n = 70 and
      // cols = 130 end in partial tiles; the slice starts at neuron 10.
      const p = await problem({ n: 70, d: 20, m: 150 });
      const { n, d } = p.c;
      const [first, cols] = [10, 130];
      const device = p.ctx.device;
      const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(dims, 0, matmulDims(n, cols, first));
      const Z = device.createBuffer({ size: 4 * n * cols, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      await p.run([matmulKernel(p.ctx, variant, dims, p.s.X, p.blocks[0].W, Z, n, cols)]);
      const want = matmul(p.st.X, p.st.W, n, d, first, cols);
      // Entries near 0 (cancelling sums of d products) are compared on the scale of the whole product.
      expect(maxRelErr(await p.read(Z), want, 1e-1)).toBeLessThan(1e-5);
    });
  }
});
