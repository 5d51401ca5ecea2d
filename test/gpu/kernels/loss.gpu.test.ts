import { describe, expect, it } from 'vitest';
import { forward as forwardKernel } from '../../../src/gpu/kernels/forward';
import { loss as lossKernel } from '../../../src/gpu/kernels/loss';
import { residual as residualKernel } from '../../../src/gpu/kernels/residual';
import { forward } from '../../../src/reference/forward';
import { loss } from '../../../src/reference/loss';
import { HALT } from '../../../src/model/constants';
import { residual } from '../../../src/reference/residual';
import { problem } from '../../support/problem';

describe('loss kernel', () => {
  it('records L = ½‖r‖², sets L0 at step 0, and applies the halting rule', async () => {
    // n = 3000: 94 workgroup sums, more than the 64 lanes of the reduction.
    const p = await problem({ n: 3000, d: 4, m: 32, eps: 0.5, divergeAt: 10 });
    expect(p.s.lossPartCount).toBeGreaterThan(64);
    const { n, d, m, outputScale } = p.c;
    const L = loss(residual(forward(p.st.X, p.st.W, p.st.a, n, d, m, outputScale), p.st.y));
    const step = [...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow'), lossKernel(p.ctx, p.s)];

    await p.run(step);
    let st = await p.status();
    expect(Math.abs(st.loss - L) / L).toBeLessThan(1e-5);
    expect(st.loss0).toBe(st.loss);
    expect(st.halt).toBe(HALT.running);

    // Later steps keep L0; L < eps·L0 halts as converged and records the step.
    p.setStatus({ step: 7, loss0: 4 * L });
    await p.run(step);
    st = await p.status();
    expect(st).toMatchObject({ halt: HALT.converged, epsStep: 8, loss0: Math.fround(4 * L) });

    // L > divergeAt·L0 halts as diverged.
    p.setStatus({ step: 3, loss0: L / 20 });
    await p.run(step);
    expect((await p.status()).halt).toBe(HALT.diverged);

    // A halted run is left alone.
    p.setStatus({ step: 3, halt: HALT.diverged, loss: 123, loss0: L });
    await p.run(step);
    expect(await p.status()).toMatchObject({ halt: HALT.diverged, loss: 123 });
  });

  it('treats a non-finite loss as divergence', async () => {
    const p = await problem({ n: 8, d: 4, m: 16, etaW: '0', etaA: '0' });
    p.ctx.device.queue.writeBuffer(p.s.y, 0, Float32Array.from({ length: 8 }, () => NaN));
    p.setStatus({ step: 2, loss0: 1 });
    await p.run([...p.blocks.map((b) => forwardKernel(p.ctx, p.s, b)), residualKernel(p.ctx, p.s, p.blocks[0], 'narrow'), lossKernel(p.ctx, p.s)]);
    expect((await p.status()).halt).toBe(HALT.diverged);
  });
});
