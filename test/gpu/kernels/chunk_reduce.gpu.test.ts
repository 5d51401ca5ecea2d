import { describe, expect, it } from 'vitest';
import { chunkLanes, chunkReduce as reduceKernel } from '../../../src/gpu/kernels/chunk_reduce';
import { MAX_STATS, STAT_COUNT } from '../../../src/model/constants';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

/** A chunk's column as the kernel sums it in float32: L lanes each in index order, then the lanes in order. */
function laneSums(vals: number[], L: number, isMax: boolean): number {
  const op = (x: number, y: number) => (isMax ? Math.max(x, y) : Math.fround(x + y));
  const part: number[] = new Array(L).fill(0);
  vals.forEach((v, j) => { part[j % L] = op(part[j % L], v); });
  return part.reduce(op);
}

describe('chunk_reduce kernel', () => {
  // q = 16 (one lane: the chunk in index order) and 512 (32 lanes); blocks of
  // a few chunks, the last block and its last chunk partial.
  it.each([
    { m: 100, blockNeurons: 32 },
    { m: 70_000, blockNeurons: 2048 },
  ])('sums each chunk’s neuron statistics (the maximum for the move and drift columns) in its fixed order (m = $m)', async ({ m, blockNeurons }) => {
    const p = await problem({ n: 8, d: 4, m, blockNeurons });
    const q = p.c.chunkNeurons;
    const stats = Float32Array.from({ length: m * STAT_COUNT }, (_, k) => 1 + ((k * 37) % 101) / 7);
    for (const b of p.blocks)
      p.ctx.device.queue.writeBuffer(b.stats, 0, stats.subarray(b.offset * STAT_COUNT, (b.offset + b.count) * STAT_COUNT));
    await p.run(p.blocks.map((b) => reduceKernel(p.ctx, p.s, b)));
    const got = await p.read(p.s.chunkStats);
    const want: number[] = [];
    const bits: number[] = [];
    for (let c = 0; c < p.c.chunks; c++)
      for (let s = 0; s < STAT_COUNT; s++) {
        const vals = [];
        for (let j = c * q; j < Math.min((c + 1) * q, m); j++) vals.push(stats[j * STAT_COUNT + s]);
        want.push(MAX_STATS.includes(s) ? Math.max(...vals) : vals.reduce((x, y) => x + y, 0));
        bits.push(laneSums(vals, chunkLanes(q), MAX_STATS.includes(s)));
      }
    expect(p.blocks.length).toBeGreaterThan(2);
    expect(maxRelErr(got.subarray(0, want.length), want)).toBeLessThan(1e-5);
    expect(Array.from(got.subarray(0, want.length))).toEqual(bits);
  });
});
