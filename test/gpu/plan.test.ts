// The run's plan: blocks that fit one storage binding, the byte count from its buffer table,
// and refusals that name the setting at fault with the largest value that fits.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig, type SettingKey } from '../../src/config/schema';
import { planLayout } from '../../src/gpu/plan';

const limits = { maxStorageBufferBindingSize: 2 ** 20, maxBufferSize: 2 ** 20 };
const config = (given: Partial<Record<SettingKey, unknown>>) => resolveConfig(buildConfig(given));

describe('the run plan', () => {
  it('splits neurons into blocks of whole chunks, and counts every buffer once', () => {
    const c = config({ n: 64, d: 8, m: 1000, blockNeurons: 128 });
    const p = planLayout(c, limits);
    expect(p.blocks.map((b) => b.count)).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    expect(p.blocks.every((b) => b.offset % p.q === 0 && b.chunkOffset === b.offset / p.q)).toBe(true);
    const bytes = Object.values(p.shared).reduce((x, y) => x + y, 0) + p.blocks.reduce((x, b) => x + Object.values(b.buffers).reduce((u, v) => u + v, 0), 0);
    expect(p.bytes).toBe(bytes);
    // The activation masks of backward=masked are in the table only when asked for.
    const masked = planLayout(c, limits, { backward: 'masked' });
    expect(masked.bytes - p.bytes).toBe(masked.blocks.reduce((x, b) => x + (b.buffers.mask ?? 0), 0));
    expect(masked.blocks.every((b) => (b.buffers.mask ?? 0) > 0)).toBe(true);
    expect([p.maskBudget, masked.maskBudget]).toEqual([null, limits.maxBufferSize]);
    // stats=masks keeps mask_0 beside the mask, the same size.
    const masks = planLayout(c, limits, { backward: 'masked', stats: 'masks' });
    expect(masks.blocks.every((b) => b.buffers.mask0 === b.buffers.mask)).toBe(true);
    expect(masks.bytes - masked.bytes).toBe(masked.bytes - p.bytes);
    // The gemm kernels' buffers: XT (8 dims × n padded to 128) and a split's partial gradients (4 × 128 neurons × 2 vec4s).
    const gemm = planLayout(c, limits, { forward: 'gemm', backward: 'gemm', split: '4' });
    expect([gemm.shared.XT, gemm.shared.gradParts]).toEqual([4 * 8 * 128, 4 * 128 * 2 * 16]);
    expect(gemm.bytes - masked.bytes).toBe(gemm.shared.XT + gemm.shared.gradParts);
    expect([p.shared.XT, p.shared.gradParts]).toEqual([0, 0]);
  });

  it('blames m for chunks too large for a block, n for X, d where not even a chunk of 16 fits', () => {
    expect(() => planLayout(config({ n: 16, d: 8, m: 2 ** 24 }), limits)).toThrow(/^--m \(m\) too large: at m=16777216 a reduction chunk holds 65536 neurons \(m\/256\), more than one block of this device holds at d=8 \(29127\); this limit allows m ≤ 4194304$/);
    expect(() => planLayout(config({ n: 2 ** 17, d: 8, m: 16 }), limits)).toThrow(/^--n \(n\) × --d \(d\) too large: X needs 4\.0 MiB, one storage binding of this device holds 1\.0 MiB \(at d=8, n ≤ 32768\)$/);
    expect(() => planLayout(config({ n: 2, d: 4096, m: 16 }), { maxStorageBufferBindingSize: 2 ** 16, maxBufferSize: 2 ** 16 })).toThrow(/^--d \(d\) too large: 16 neurons do not fit one storage binding \(0\.1 MiB\) at d=4096$/);
  });
});
