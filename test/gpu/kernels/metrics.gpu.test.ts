import { describe, expect, it } from 'vitest';
import { chunkReduce } from '../../../src/gpu/kernels/chunk_reduce';
import { metrics as metricsKernel } from '../../../src/gpu/kernels/metrics';
import { ROW_WORDS, modeBytes } from '../../../src/gpu/layout';
import { HALT } from '../../../src/model/constants';
import { metrics } from '../../../src/reference/metrics';
import { STAT, STAT_COUNT } from '../../../src/model/constants';
import { STATE_COLUMNS } from '../../../src/model/metrics';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

describe('metrics kernel', () => {
  it('turns the chunk sums into a logged row, appended only while running or when recording', async () => {
    const p = await problem({ n: 50, d: 4, m: 4000 });
    expect(p.c.chunks).toBeGreaterThan(1);
    const { m, n } = p.c;
    const stats = new Float64Array(m * STAT_COUNT).map((_, k) => {
      const s = k % STAT_COUNT;
      const v = 0.5 + ((k * 31) % 97) / 97;
      return s === STAT.flips ? Math.floor(v * n) / 2 : s === STAT.active ? (k % 5 === 0 ? 0 : 1) : v;
    });
    for (const b of p.blocks)
      p.ctx.device.queue.writeBuffer(b.stats, 0, Float32Array.from(stats.subarray(b.offset * STAT_COUNT, (b.offset + b.count) * STAT_COUNT)));
    const device = p.ctx.device;
    const mode = (record: boolean) => {
      const b = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(b, 0, modeBytes(record));
      return b;
    };
    const [step, record] = [mode(false), mode(true)];
    p.setStatus({ step: 9, loss: 2, loss0: 8 });
    await p.run([...p.blocks.map((b) => chunkReduce(p.ctx, p.s, b)), metricsKernel(p.ctx, p.s, step)]);
    const want = metrics(Float64Array.from(Float32Array.from(stats)), n, m, 2, 8);
    const rows = await p.read(p.s.rows);
    const words = new Uint32Array(rows.buffer);
    expect(words[0]).toBe(9);
    expect(words[1]).toBe(HALT.running);
    const values = STATE_COLUMNS.map((_, j) => rows[2 + j]);
    expect(maxRelErr(values, STATE_COLUMNS.map((k) => want[k]))).toBeLessThan(1e-5);
    expect((await p.status()).rows).toBe(1);

    // Halted: a step-mode row is dropped, the closing record is kept.
    p.setStatus({ step: 10, halt: HALT.converged, rows: 1, loss: 1, loss0: 8 });
    await p.run([metricsKernel(p.ctx, p.s, step)]);
    expect((await p.status()).rows).toBe(1);
    await p.run([metricsKernel(p.ctx, p.s, record)]);
    const after = new Uint32Array((await p.read(p.s.rows)).buffer);
    expect((await p.status()).rows).toBe(2);
    expect([after[ROW_WORDS], after[ROW_WORDS + 1]]).toEqual([10, HALT.converged]);
  });
});
