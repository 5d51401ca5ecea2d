import { describe, expect, it } from 'vitest';
import { forward as forwardKernel } from '../../../src/gpu/kernels/forward';
import { RESIDUAL_SAMPLES, residual as residualKernel } from '../../../src/gpu/kernels/residual';
import { STATUS_BYTES } from '../../../src/gpu/layout';
import { VARIANTS } from '../../../src/gpu/variants';
import { forward } from '../../../src/reference/forward';
import { residual } from '../../../src/reference/residual';
import { maxRelErr } from '../../support/gpu';
import { problem } from '../../support/problem';

describe.each(VARIANTS.residual)('residual kernel (%s)', (variant) => {
  it('sums the chunks into r = κf − y and each workgroup’s Σr²', async () => {
    // ntk: κ = 1/√m ≠ 1; n = 300 ends in a partial workgroup; m = 200 makes 13 chunks, more than the lanes.
    const p = await problem({ n: 300, d: 5, m: 200, param: 'ntk', labels: 'gaussian' }, true);
    expect(p.c.chunks).toBeGreaterThan(8);
    await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s, p.blocks[0], variant)]);
    const { n, d, m, outputScale } = p.c;
    const want = residual(forward(p.st.X, p.st.W, p.st.a, n, d, m, outputScale), p.st.y);
    // r against the scale of its own terms, κ Σ_r |a_r| relu(z_ir) + |y_i|: float32 sums of
    // m terms, in an order each adapter and forward variant rounds its own way (r cancels to
    // far below that scale, so its relative error alone says little).
    const scale = forward(p.st.X, p.st.W, p.st.a.map(Math.abs), n, d, m, outputScale).map((v, i) => v + Math.abs(p.st.y[i]));
    const expectResidual = (r: Float32Array) =>
      expect(Math.max(...want.map((x, i) => Math.abs(r[i] - x) / scale[i])), 'worst |r − r64| / scale').toBeLessThan(1e-6);
    // The loss parts follow the status fields in the status buffer: each workgroup's Σr² of the r it wrote.
    const lossParts = async () => (await p.read(p.s.status)).subarray(STATUS_BYTES / 4);
    const windows = (r: Float32Array) => Array.from({ length: Math.ceil(n / RESIDUAL_SAMPLES) }, (_, k) =>
      r.subarray(k * RESIDUAL_SAMPLES, Math.min(n, (k + 1) * RESIDUAL_SAMPLES)).reduce((acc, x) => acc + x * x, 0));
    let r = (await p.read(p.s.r)).subarray(0, n);
    expectResidual(r);
    const parts = windows(r);
    expect(maxRelErr((await lossParts()).subarray(0, parts.length), parts)).toBeLessThan(1e-5);

    // Past MAX_ROW workgroups the grid wraps into rows (n > 2 097 120); rows of 3 workgroups
    // here wrap the same 10 into a 3×4 grid whose last two workgroups have no samples.
    p.ctx.device.queue.writeBuffer(p.s.r, 0, new Float32Array(n));
    p.ctx.device.queue.writeBuffer(p.s.status, STATUS_BYTES, new Float32Array(parts.length));
    await p.run([residualKernel(p.ctx, p.s, p.blocks[0], variant, { row: 3 })]);
    r = (await p.read(p.s.r)).subarray(0, n);
    expectResidual(r);
    expect(maxRelErr((await lossParts()).subarray(0, parts.length), windows(r))).toBeLessThan(1e-5);
  });
});
