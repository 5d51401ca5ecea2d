import { describe, expect, it } from 'vitest';
import { chunkReduce as reduceKernel } from '../../../src/gpu/kernels/chunk_reduce';
import { MAX_STATS, STAT_COUNT } from '../../../src/model/constants';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

describe('chunk_reduce kernel', () => {
  it('sums each chunk’s neuron statistics (the maximum for the move and drift columns)', async () => {
    const p = await problem({ n: 8, d: 4, m: 100, blockNeurons: 32 });
    const stats = Float32Array.from({ length: p.c.m * STAT_COUNT }, (_, k) => 1 + ((k * 37) % 101) / 7);
    for (const b of p.blocks)
      p.ctx.device.queue.writeBuffer(b.stats, 0, stats.subarray(b.offset * STAT_COUNT, (b.offset + b.count) * STAT_COUNT));
    await p.run(p.blocks.map((b) => reduceKernel(p.ctx, p.s, b)));
    const got = await p.read(p.s.chunkStats);
    const q = p.c.chunkNeurons;
    const want: number[] = [];
    for (let c = 0; c < p.c.chunks; c++)
      for (let s = 0; s < STAT_COUNT; s++) {
        const vals = [];
        for (let j = c * q; j < Math.min((c + 1) * q, p.c.m); j++) vals.push(stats[j * STAT_COUNT + s]);
        want.push(MAX_STATS.includes(s) ? Math.max(...vals) : vals.reduce((x, y) => x + y, 0));
      }
    expect(maxRelErr(got.subarray(0, want.length), want)).toBeLessThan(1e-6);
  });
});
