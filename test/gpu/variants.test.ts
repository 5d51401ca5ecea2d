import { describe, expect, it } from 'vitest';
import { TILED_BYTES, chooseVariants, parseVariants, resolveVariants } from '../../src/gpu/variants';

const gpu = { kind: 'webgpu' as const, name: 'a GPU', software: false };
const swiftshader = { kind: 'webgpu' as const, name: 'SwiftShader', software: true };
const lavapipe = { kind: 'webgpu' as const, name: 'llvmpipe (LLVM 15.0.6, 256 bits) / cpu / mesa', software: true };
const limits = { maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 } as GPUSupportedLimits;
// The gemm kernels' tile and split where nothing picks them.
const GEMM = { tile: '128x128', split: '1', epilogue: 'memory' } as const;
// n = 1024, m = 16384 (q = 64) at d4 = 32 (d = 128), 100 (d = 400) or 4 (d = 16).
const shape = (d4: number, n = 1024, q = 64) => ({ d4, n, q, m: 256 * q });

describe('kernel variants', () => {
  it('picks tiled kernels on GPUs where their workgroup memory fits, simple ones on CPU drivers', () => {
    expect(chooseVariants(gpu, limits, shape(32))).toEqual({ forward: 'simple', residual: 'wide', backward: 'tiled', stats: 'tiled', loops: 'kept', ...GEMM });
    expect(chooseVariants(swiftshader, limits, shape(32))).toEqual({ forward: 'blocked', residual: 'narrow', backward: 'masked', stats: 'masks', loops: 'unrolled', ...GEMM });
    // Loops written out on lavapipe at small d only (where it was measured faster).
    expect(chooseVariants(lavapipe, limits, shape(4)).loops).toBe('unrolled');
    expect(chooseVariants(lavapipe, limits, shape(32)).loops).toBe('kept');
    // The activation mask (n·m bits) may not outgrow W: n ≤ 32·d.
    expect(chooseVariants(swiftshader, limits, shape(4, 512)).backward).toBe('masked');
    expect(chooseVariants(swiftshader, limits, shape(4, 513))).toMatchObject({ backward: 'simple', stats: 'simple' });
    // Words of 16 neurons where q = 16 (m ≤ 4096): n ≤ 16·d.
    expect(chooseVariants(swiftshader, limits, shape(4, 256, 16)).backward).toBe('masked');
    expect(chooseVariants(swiftshader, limits, shape(4, 257, 16)).backward).toBe('simple');
    // One thread per vec4 of d in a workgroup of 64: d ≤ 256.
    expect(chooseVariants(swiftshader, limits, shape(64)).backward).toBe('masked');
    expect(chooseVariants(swiftshader, limits, shape(65)).backward).toBe('simple');
    // Each kernel by its own need: at d4 = 100 the backward tile (8 samples) no longer fits, the stats tile (4) does.
    expect(TILED_BYTES.backward(100)).toBeGreaterThan(16384);
    expect(TILED_BYTES.stats(100)).toBeLessThanOrEqual(16384);
    expect(chooseVariants(gpu, limits, shape(100))).toEqual({ forward: 'simple', residual: 'wide', backward: 'simple', stats: 'tiled', loops: 'kept', ...GEMM });
  });

  it('lets --kernel force a variant, and refuses one the device cannot hold in one line', () => {
    expect(resolveVariants(swiftshader, limits, shape(32), parseVariants('backward=tiled,loops=kept'))).toEqual({ forward: 'blocked', residual: 'narrow', backward: 'tiled', stats: 'simple', loops: 'kept', ...GEMM });
    // The tiled forward writes no mask: forcing it takes the simple backward (and recomputed statistics), unless masked is forced too.
    expect(resolveVariants(swiftshader, limits, shape(32), { forward: 'tiled' })).toMatchObject({ backward: 'simple', stats: 'simple' });
    expect(() => resolveVariants(swiftshader, limits, shape(32), { forward: 'tiled', backward: 'masked' })).toThrow(/^--kernel backward=masked needs forward=simple or forward=blocked or forward=gemm \(they write its activation mask\); got forward=tiled$/);
    expect(() => resolveVariants(gpu, limits, shape(65), { backward: 'masked' })).toThrow(/^--kernel backward=masked takes d ≤ 256 \(a thread per 4 dims of a neuron, 64 per workgroup\); got d=260$/);
    expect(() => resolveVariants(gpu, limits, shape(4, 600), { backward: 'masked' })).toThrow(/^--kernel backward=masked keeps a bit per sample and neuron, which must not exceed W's memory: n ≤ 512 at this d and m; got n=600$/);
    expect(() => resolveVariants(gpu, limits, shape(100), { backward: 'tiled' })).toThrow(/^--kernel backward=tiled needs \d+ bytes of workgroup memory at d=400; this device has 16384$/);
    expect(() => parseVariants('matmul=tiled')).toThrow(/--kernel must be kernel=variant with forward=simple\|blocked\|tiled\|gemm, residual=wide\|narrow, backward=simple\|tiled\|masked\|gemm, stats=simple\|tiled\|masks, loops=unrolled\|kept, tile=128x128\|128x64\|64x64, split=1\|2\|4\|8\|16, epilogue=subgroup\|memory; got "matmul=tiled"/);
  });

  it('takes the metrics from the masks wherever the backward reads them and mask_0 fits, unless --kernel says otherwise', () => {
    const big = { ...limits, maxComputeWorkgroupStorageSize: 32768 } as GPUSupportedLimits;
    // A GPU whose backward is forced (or tuned) to gemm.
    expect(resolveVariants(gpu, big, shape(32), { forward: 'gemm', backward: 'gemm' }).stats).toBe('masks');
    expect(resolveVariants(gpu, big, shape(32), { forward: 'gemm', backward: 'gemm', stats: 'tiled' }).stats).toBe('tiled');
    expect(resolveVariants(swiftshader, limits, shape(32), { stats: 'simple' })).toMatchObject({ backward: 'masked', stats: 'simple' });
    expect(() => resolveVariants(gpu, limits, shape(32), { stats: 'masks' })).toThrow(/^--kernel stats=masks needs backward=masked or backward=gemm \(the metrics come from their masks\); got backward=tiled$/);
    // mask_0 doubles the masks: 2^17 samples × 16384 neurons fit the 256 MiB budget once, not twice.
    expect(resolveVariants(gpu, big, shape(4, 2 ** 17), { forward: 'gemm', backward: 'gemm' }).stats).toBe('tiled');
    expect(() => resolveVariants(gpu, big, shape(4, 2 ** 17), { forward: 'gemm', backward: 'gemm', stats: 'masks' })).toThrow(/^--kernel stats=masks keeps mask_0 beside the mask: 536870912 bytes at n=131072, m=16384, more than the mask budget of 268435456 bytes$/);
  });

  it('admits backward=gemm’s mask by the memory budget the plan states, not by n ≤ 32·d', () => {
    const big = { ...limits, maxComputeWorkgroupStorageSize: 32768 } as GPUSupportedLimits;
    // n = 4096 at d = 16 is past masked's n ≤ 32·d; gemm's mask (n·m bits = 8 MiB) is within the 256 MiB budget.
    expect(() => resolveVariants(gpu, big, shape(4, 4096), { backward: 'masked' })).toThrow(/n ≤ 512/);
    expect(resolveVariants(gpu, big, shape(4, 4096), { forward: 'gemm', backward: 'gemm' })).toMatchObject({ forward: 'gemm', backward: 'gemm' });
    // Past the budget (the device's largest buffer): 2^18 samples × 16384 neurons = 512 MiB of bits.
    expect(() => resolveVariants(gpu, big, shape(4, 2 ** 18), { forward: 'gemm', backward: 'gemm' })).toThrow(/^--kernel backward=gemm keeps a bit per sample and neuron: 536870912 bytes at n=262144, m=16384, more than the mask budget of 268435456 bytes/);
    // Its workgroup memory is checked against the device's: 128×128 tiles need 28 KiB.
    expect(() => resolveVariants(gpu, limits, shape(4), { forward: 'gemm' })).toThrow(/^--kernel forward=gemm,tile=128x128 needs 28720 bytes of workgroup memory; this device has 16384$/);
    expect(resolveVariants(gpu, limits, shape(4), { forward: 'gemm', tile: '64x64' }).forward).toBe('gemm');
    // A split's partial gradients must fit one binding; d ≤ 256.
    expect(() => resolveVariants(gpu, big, shape(64), { forward: 'gemm', backward: 'gemm', split: '16' })).toThrow(/split=16 needs its partial gradients/);
    expect(() => resolveVariants(gpu, big, shape(65), { forward: 'gemm', backward: 'gemm' })).toThrow(/takes d ≤ 256/);
  });

  it('sums forward=gemm’s lanes by subgroups wherever the device has them, and refuses them where it does not', () => {
    const withSubgroups = { ...gpu, subgroupMinSize: 32 };
    expect(chooseVariants(withSubgroups, limits, shape(4)).epilogue).toBe('subgroup');
    expect(chooseVariants({ ...swiftshader, subgroupMinSize: 4 }, limits, shape(4)).epilogue).toBe('subgroup');
    expect(resolveVariants(withSubgroups, limits, shape(4), { forward: 'gemm', tile: '64x64', epilogue: 'memory' }).epilogue).toBe('memory');
    expect(() => resolveVariants(gpu, limits, shape(4), { forward: 'gemm', tile: '64x64', epilogue: 'subgroup' })).toThrow(/^--kernel forward=gemm,epilogue=subgroup needs subgroups, which this device does not have; use epilogue=memory$/);
  });
});
